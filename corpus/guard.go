package corpus

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// ErrBlockedAddress is wrapped by every refusal of the address guard. Its
// text says why; the command line and the bot add how to change it, each in
// their own terms.
var ErrBlockedAddress = errors.New("briefbot refuses private and loopback addresses so that a shared link " +
	"cannot make it read services inside your network (cloud metadata at 169.254.169.254, admin pages, databases)")

// blockedError tells which URL led to which refused address. URL is empty
// when the refusal happened at dial time, where only the address is known;
// Fetch fills it in from the request that failed.
type blockedError struct {
	URL  string
	Addr netip.Addr
	Kind string
}

// Error is what the person who gave the link sees: the kind of address,
// not the address a name resolved to, which would let anyone who may add a
// link map the internal network's names (logDetail has it, for the logs).
func (e *blockedError) Error() string {
	if e.URL == "" {
		return fmt.Sprintf("the link leads to a %s address: %v", e.Kind, ErrBlockedAddress)
	}
	return fmt.Sprintf("%s leads to a %s address: %v", e.URL, e.Kind, ErrBlockedAddress)
}

func (e *blockedError) logDetail() string {
	return fmt.Sprintf("%s resolved to %s (%s)", orUnknown(e.URL), e.Addr, e.Kind)
}

func (e *blockedError) Unwrap() error { return ErrBlockedAddress }

// guard decides which addresses the fetcher may connect to. It is consulted
// in the dialer's Control func, after DNS resolution and for every
// connection (first request, each redirect, each address of a multi-answer
// lookup), so a host name that resolves to 127.0.0.1, or a public page that
// redirects inward, is refused just like a literal private IP.
type guard struct {
	allowPrivate bool
	// exempt, when set, lets an address through that would otherwise be
	// refused. Only tests set it, to let one httptest server on 127.0.0.1
	// act as an "outside" site while everything else goes through the same
	// checks as in production. It is nil in every Fetcher NewFetcher makes.
	exempt func(netip.AddrPort) bool
}

// check returns a *blockedError when ap may not be dialled.
func (g *guard) check(ap netip.AddrPort) error {
	if g.allowPrivate || (g.exempt != nil && g.exempt(ap)) {
		return nil
	}
	if kind := blockedKind(ap.Addr()); kind != "" {
		return &blockedError{Addr: ap.Addr().Unmap(), Kind: kind}
	}
	return nil
}

// control is the net.Dialer Control func: address is the resolved "ip:port"
// about to be connected to.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("unexpected dial address %q: %w", address, err)
	}
	return g.check(ap)
}

// checkURL refuses, before any connection, URLs that are not http or https
// and URLs whose host is a literal IP the guard would refuse, so the message
// names the URL itself.
func (g *guard) checkURL(u *url.URL) error {
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("%q links cannot be fetched, only http and https: %w", u.Scheme, ErrUnsupportedSource)
	}
	if u.Host == "" {
		return fmt.Errorf("the link has no host name: %w", ErrUnsupportedSource)
	}
	addr, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil // a name: checked once resolved, at dial time
	}
	port := 80
	if u.Scheme == "https" {
		port = 443
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil {
			return fmt.Errorf("bad port %q: %w", p, ErrUnsupportedSource)
		}
	}
	if err := g.check(netip.AddrPortFrom(addr, uint16(port))); err != nil {
		var be *blockedError
		if errors.As(err, &be) {
			be.URL = u.Redacted()
		}
		return err
	}
	return nil
}

// Ranges net/netip has no predicate for.
var (
	cgnatRange    = netip.MustParsePrefix("100.64.0.0/10") // RFC 6598 carrier-grade NAT
	thisNetwork   = netip.MustParsePrefix("0.0.0.0/8")     // RFC 1122 "this network"
	reservedRange = netip.MustParsePrefix("240.0.0.0/4")   // RFC 1112 reserved, incl. broadcast
	nat64Prefix   = netip.MustParsePrefix("64:ff9b::/96")  // RFC 6052: embeds an IPv4 address
	benchRange    = netip.MustParsePrefix("198.18.0.0/15") // RFC 2544 benchmarking, used internally
	ietfRange     = netip.MustParsePrefix("192.0.0.0/24")  // RFC 6890 IETF protocol assignments
	siteLocalV6   = netip.MustParsePrefix("fec0::/10")     // deprecated site-local, still routed inside some networks
	ipv4Compat    = netip.MustParsePrefix("::/96")         // deprecated IPv4-compatible IPv6 (::10.0.0.1)
	sixToFour     = netip.MustParsePrefix("2002::/16")     // 6to4: embeds an IPv4 address
	documentation = netip.MustParsePrefix("2001:db8::/32") // never routed
	discardOnly   = netip.MustParsePrefix("100::/64")      // RFC 6666 discard-only
	orchidRange   = netip.MustParsePrefix("2001:10::/28")  // non-routable identifiers
)

// blockedKind names why ip may not be fetched from ("loopback", "private",
// ...), or returns "" for an ordinary public address. IPv4-mapped IPv6
// (::ffff:10.0.0.1) and other forms that embed an IPv4 address are judged by
// that address, because the kernel connects them to it.
func blockedKind(ip netip.Addr) string {
	if !ip.IsValid() {
		return "invalid"
	}
	ip = ip.Unmap()
	switch {
	case ip.IsLoopback():
		return "loopback"
	case ip.IsUnspecified(), thisNetwork.Contains(ip):
		return "unspecified"
	case ip.IsPrivate(), siteLocalV6.Contains(ip):
		return "private"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "link-local"
	case ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "multicast"
	case cgnatRange.Contains(ip):
		return "carrier-grade NAT (shared private)"
	case reservedRange.Contains(ip), benchRange.Contains(ip), ietfRange.Contains(ip),
		documentation.Contains(ip), discardOnly.Contains(ip), orchidRange.Contains(ip):
		return "reserved"
	}
	if ip.Is6() {
		if v4, ok := embeddedIPv4(ip); ok {
			return blockedKind(v4)
		}
	}
	return ""
}

// embeddedIPv4 returns the IPv4 address that NAT64, IPv4-compatible and
// 6to4 addresses route to.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip), ipv4Compat.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// newDialer returns the dialer every fetch connects through.
func (g *guard) newDialer(timeout time.Duration) *net.Dialer {
	return &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: g.control}
}
