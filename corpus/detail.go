package corpus

import (
	"errors"
	"fmt"
	"net"
	"syscall"
)

// detailed is an error whose message is for users and whose detail
// (resolved addresses, the DNS resolver, a dial address) is for the logs
// only.
type detailed interface {
	error
	logDetail() string
}

// LogDetail returns what err's message leaves out for users, for the logs:
// the address a refused link resolved to, or the resolver and address of a
// failed lookup or connection; "" when there is nothing more.
func LogDetail(err error) string {
	var d detailed
	if errors.As(err, &d) {
		return d.logDetail()
	}
	return ""
}

// netError is a failed lookup or connection, told without the resolver's
// or the site's address.
type netError struct {
	msg    string
	detail error
}

func (e *netError) Error() string     { return e.msg + ": " + ErrFetch.Error() }
func (e *netError) Unwrap() error     { return ErrFetch }
func (e *netError) logDetail() string { return e.detail.Error() }

// connectError words a DNS or dial failure for users; nil when err is
// neither.
func connectError(err error) error {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		msg := fmt.Sprintf("the host name %s could not be looked up", dns.Name)
		if dns.IsNotFound {
			msg = fmt.Sprintf("the host name %s does not exist; check the link", dns.Name)
		}
		return &netError{msg: msg, detail: err}
	}
	var op *net.OpError
	if !errors.As(err, &op) {
		return nil
	}
	reason := "the connection failed"
	switch {
	case op.Op != "dial":
		reason = "the connection broke off"
	case errors.Is(err, syscall.ECONNREFUSED):
		reason = "the site refused the connection"
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		reason = "the site cannot be reached from here"
	}
	return &netError{msg: reason + "; try again later", detail: err}
}
