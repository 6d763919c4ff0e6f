package bot

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestNewRejectsBadConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no token", Config{Token: "  "}, "discord.com/developers/applications"},
		{"bad API URL", Config{Token: "t", APIURL: "127.0.0.1:9/api"}, "is not an http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg, nil, nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("New error = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := New(Config{}, nil, nil, nil); !errors.Is(err, ErrNoToken) {
		t.Errorf("New without token = %v, want ErrNoToken", err)
	}
}

// TestRedactInteractionTokens uses a real net/http error, which quotes the
// whole URL, token included.
func TestRedactInteractionTokens(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // connection refused from now on
	_, err := http.Post(base+"/api/v10/webhooks/123/itok-secret/messages/@original", "application/json", nil)
	if err == nil || !strings.Contains(err.Error(), "itok-secret") {
		t.Fatalf("setup: error %v does not quote the token", err)
	}
	got := redact(err.Error())
	if strings.Contains(got, "itok-secret") || !strings.Contains(got, "webhooks/123/[redacted]") {
		t.Errorf("redact = %q", got)
	}
}
