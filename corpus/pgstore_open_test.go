package corpus

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// TestOpenPGErrors: an address that cannot be used gives a typed error the
// caller can word (corpus names no setting: the command line says which
// variable to fix), never with the password in it. Neither case sends a
// packet: one fails to parse, the other names a unix socket that does not
// exist.
func TestOpenPGErrors(t *testing.T) {
	for _, tc := range []struct {
		name, url string
		want      error
		says      string
	}{
		{"not an address", "postgres://briefbot:s3cret@localhost:99999999/briefbot", ErrNotPostgresURL, "invalid port"},
		{"no server", "postgres://briefbot:s3cret@/briefbot?host=/nonexistent-briefbot-socket-dir", ErrUnreachable, `database "briefbot" on /nonexistent-briefbot-socket-dir`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := OpenPG(context.Background(), tc.url)
			if err == nil {
				s.Close()
				t.Fatal("opened")
			}
			msg := err.Error()
			if !errors.Is(err, tc.want) || !strings.Contains(msg, tc.says) {
				t.Errorf("error %q, want %v saying %q", msg, tc.want, tc.says)
			}
			if strings.Contains(msg, "s3cret") || strings.Contains(msg, "BRIEFBOT_") {
				t.Errorf("error %q holds the password or names a setting", msg)
			}
		})
	}
}
