package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	plantedKey   = "sk-planted-0123456789abcdefSECRET"
	plantedToken = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GhIjKl.planted-token-0123456789abcdefSECRET"
)

// noSecrets fails t when any text holds the planted key or token, or a
// long part of either.
func noSecrets(t *testing.T, where string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{plantedKey, plantedToken, "planted-token-0123456789abcdefSECRET", "0123456789abcdefSECRET"} {
			if strings.Contains(s, secret) {
				t.Errorf("%s shows a secret (%q):\n%s", where, secret, s)
			}
		}
	}
}

// TestSecretsStayOutOfLogsAndErrors plants the API key and the bot token
// where servers echo them and searches everything the command printed.
func TestSecretsStayOutOfLogsAndErrors(t *testing.T) {
	t.Run("LLM stream error echoing the key", func(t *testing.T) {
		llm := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "data: {\"error\":{\"message\":\"Incorrect API key provided: %s\",\"type\":\"invalid_request_error\",\"code\":\"invalid_api_key\"}}\n\n", plantedKey)
		}))
		defer llm.Close()
		env := map[string]string{"OPENAI_API_KEY": plantedKey, "OPENAI_BASE_URL": llm.URL + "/v1", "BRIEFBOT_LOG_LEVEL": "debug"}
		out, errOut, err := cli(t, t.TempDir(), "", env, "ask", "Which hacker groups did the EU denounce?")
		if !strings.Contains(errOut, "LLM answer failed") || !strings.Contains(errOut, "[redacted]") {
			t.Errorf("the failure was not logged (with the key redacted): %v\n%s", err, errOut)
		}
		noSecrets(t, "ask", out, errOut, fmt.Sprint(err))
	})
	t.Run("Discord 401 body echoing the token", func(t *testing.T) {
		discord := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprintf(w, `{"message": "401: Unauthorized", "code": 0, "token": %q}`, r.Header.Get("Authorization"))
		}))
		defer discord.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		env := map[string]string{"DISCORD_TOKEN": plantedToken, "DISCORD_API_URL": discord.URL + "/api/v10", "BRIEFBOT_LOG_LEVEL": "debug"}
		out, errOut, err := cliCtx(ctx, t.TempDir(), "", env, "serve")
		if err == nil || !strings.Contains(err.Error(), "rejected the bot token") {
			t.Errorf("serve with a rejected token: %v, want the token refused", err)
		}
		noSecrets(t, "serve", out, errOut, fmt.Sprint(err))
	})
	t.Run("malformed .env line holding the key", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), ".env")
		os.WriteFile(path, []byte("BRIEFBOT_LOG_LEVEL=info\nOPENAI_API_KEY "+plantedKey+"\n"), 0o600)
		_, err := envWithDotEnv(path)
		if err == nil || !strings.Contains(err.Error(), "line 2 (OPENAI_API_KEY)") {
			t.Errorf("malformed .env: %v, want the line named", err)
		}
		noSecrets(t, ".env error", fmt.Sprint(err))
	})
}

// TestRedactionAtTheEdges: whatever path an echoed secret takes (here a
// discordgo REST error with Discord's 401 body), the logger and the error
// main prints remove it, and the error still matches its sentinel.
func TestRedactionAtTheEdges(t *testing.T) {
	cfg := Config{OpenAIKey: plantedKey, DiscordToken: plantedToken}
	sentinel := fmt.Errorf("register commands")
	echoed := fmt.Errorf("%w: HTTP 401 Unauthorized, {\"message\": \"401: Unauthorized\", \"token\": \"Bot %s\", \"part\": \"%s\"}",
		sentinel, plantedToken, "planted-token-0123456789abcdefSECRET")
	var logs strings.Builder
	log := newLogger(cfg, &logs).With("component", "bot", "key", plantedKey)
	log.Error("request failed "+plantedKey, "err", echoed, "group", struct{ K string }{plantedKey})
	if !strings.Contains(logs.String(), "HTTP 401 Unauthorized") {
		t.Fatalf("nothing logged: %s", logs.String())
	}
	noSecrets(t, "log", logs.String())
	getenv := func(k string) string {
		return map[string]string{"OPENAI_API_KEY": plantedKey, "DISCORD_TOKEN": plantedToken}[k]
	}
	err := secretsOf(getenv).error(echoed)
	noSecrets(t, "error", err.Error())
	if !errors.Is(err, sentinel) || !strings.Contains(err.Error(), "[redacted]") {
		t.Errorf("redacted error %q lost its sentinel or its marker", err)
	}
}
