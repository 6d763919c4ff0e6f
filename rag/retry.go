package rag

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"
)

// serverError is a request to an OpenAI-compatible API that failed for
// good: after the retries, or at once for errors retrying cannot fix
// (a bad key, an unknown model). It names the server by host only (never
// the key) and says what to check.
type serverError struct {
	Host     string
	Status   int    // HTTP status; 0 when no response came
	Attempts int    // requests sent
	Message  string // the server's own message, or why there was no response
	Err      error  // the transport or context error, if any
}

func (e *serverError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "OpenAI-compatible API at %s: ", e.Host)
	if e.Status != 0 {
		fmt.Fprintf(&b, "HTTP %d %s", e.Status, http.StatusText(e.Status))
	} else {
		b.WriteString("no response")
	}
	if e.Attempts > 1 {
		fmt.Fprintf(&b, " after %d attempts", e.Attempts)
	}
	if e.Message != "" {
		fmt.Fprintf(&b, " (%s)", e.Message)
	}
	b.WriteString("; " + e.hint())
	return b.String()
}

func (e *serverError) Unwrap() error { return e.Err }

// hint is what the operator should check for this failure.
func (e *serverError) hint() string {
	switch {
	case e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden:
		return "check the API key"
	case e.Status == http.StatusNotFound:
		return "check the model name and that the base URL ends in /v1"
	case e.Status == http.StatusTooManyRequests:
		return "the server is rate limiting: check the account's quota and limits, or try again later"
	case e.Status >= 500:
		return "the server is failing: check that it is running and healthy"
	case e.Status >= 400:
		return "check the model name and that the server supports this request"
	case errors.Is(e.Err, context.DeadlineExceeded) || isTimeout(e.Err):
		return "the server is too slow or unreachable: check the base URL and the server"
	default:
		return "check the base URL and that the server is running"
	}
}

// retryDoer is the go-openai HTTPDoer. It is a Doer rather than an
// http.RoundTripper because it turns a final failure status into a
// *serverError, which a RoundTripper must not do; go-openai returns errors
// from Do unchanged. Request bodies are replayed with req.GetBody.
type retryDoer struct {
	client     *http.Client
	maxRetries int
	secret     string // redacted from anything the server echoes back
	logger     *slog.Logger
	// baseDelay doubles per retry up to maxDelay, with jitter; maxWait
	// caps a server's Retry-After.
	baseDelay, maxDelay, maxWait time.Duration
}

// Do sends req, retrying transient failures while the request's context
// allows. It returns the first successful response, or a *serverError.
func (d *retryDoer) Do(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		r, err := replay(req, attempt)
		if err != nil {
			return nil, err
		}
		resp, err := d.client.Do(r)
		if err == nil && resp.StatusCode < 400 {
			return resp, nil
		}
		fail := d.failure(req, resp, err, attempt)
		wait, retry := d.retryAfter(ctx, resp, err, attempt)
		if resp != nil {
			resp.Body.Close()
		}
		if !retry {
			return nil, fail
		}
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			fail.Message = joinMsg(fail.Message, fmt.Sprintf("gave up: a retry in %s would pass the deadline", wait.Round(time.Millisecond)))
			return nil, fail
		}
		d.logger.Warn("retrying API request", "host", req.URL.Host, "status", fail.Status, "attempt", attempt, "wait", wait)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			fail.Err = ctx.Err()
			return nil, fail
		case <-t.C:
		}
	}
}

// replay returns the request for this attempt: the original first, then
// clones with a fresh body.
func replay(req *http.Request, attempt int) (*http.Request, error) {
	if attempt == 1 {
		return req, nil
	}
	r := req.Clone(req.Context())
	if req.Body != nil && req.Body != http.NoBody {
		if req.GetBody == nil {
			return nil, fmt.Errorf("retry %s: request body cannot be replayed", req.URL.Path)
		}
		body, err := req.GetBody()
		if err != nil {
			return nil, fmt.Errorf("retry %s: %w", req.URL.Path, err)
		}
		r.Body = body
	}
	return r, nil
}

// failure describes a failed attempt; it reads (a bounded part of) the
// error body for the server's message.
func (d *retryDoer) failure(req *http.Request, resp *http.Response, err error, attempt int) *serverError {
	e := &serverError{Host: req.URL.Host, Attempts: attempt, Err: err}
	if err != nil {
		e.Message = d.redact(transportMessage(req.Context(), err))
		return e
	}
	e.Status = resp.StatusCode
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	e.Message = d.redact(serverMessage(body))
	return e
}

// retryAfter decides whether to retry and how long to wait first.
func (d *retryDoer) retryAfter(ctx context.Context, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt > d.maxRetries || ctx.Err() != nil {
		return 0, false
	}
	if err != nil {
		if !retryableNetErr(err) {
			return 0, false
		}
		return d.backoff(attempt), true
	}
	if !retryableStatus(resp.StatusCode) {
		return 0, false
	}
	if w, ok := parseRetryAfter(resp.Header, time.Now()); ok {
		return min(w, d.maxWait), true
	}
	return d.backoff(attempt), true
}

// backoff is base·2^(attempt-1), capped, with "equal jitter": half fixed,
// half random, so clients that failed together do not retry together.
func (d *retryDoer) backoff(attempt int) time.Duration {
	b := d.baseDelay << min(attempt-1, 16)
	if b <= 0 || b > d.maxDelay {
		b = d.maxDelay
	}
	return b/2 + rand.N(b/2+1)
}

// retryableStatus: request timeout, rate limiting and server failures
// other than "not implemented" / "version not supported".
func retryableStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests:
		return true
	case http.StatusNotImplemented, http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500
}

// retryableNetErr: timeouts and dropped connections are worth another try;
// a refused connection or an unknown host is not (it would only burn the
// deadline the caller needs for its fallback). The caller's own ctx is
// checked before: a header timeout also matches context.DeadlineExceeded.
func retryableNetErr(err error) bool {
	var dns *net.DNSError
	return !errors.Is(err, syscall.ECONNREFUSED) && !errors.As(err, &dns)
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// parseRetryAfter reads Retry-After (seconds or an HTTP date) or OpenAI's
// retry-after-ms.
func parseRetryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if ms, err := strconv.ParseFloat(h.Get("Retry-After-Ms"), 64); err == nil && ms >= 0 {
		return time.Duration(ms * float64(time.Millisecond)), true
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil && s >= 0 {
		return time.Duration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// transportMessage explains a failure without a response. The URL in a
// *url.Error is dropped: the host is already named.
func transportMessage(ctx context.Context, err error) string {
	switch {
	case ctx.Err() != nil:
		return "no answer before the deadline"
	case isTimeout(err):
		return "timed out waiting for the response"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused"
	}
	msg := err.Error()
	if i := strings.LastIndex(msg, "\": "); i >= 0 {
		msg = msg[i+3:]
	}
	return msg
}

// serverMessage extracts the message of an error body: OpenAI's
// {"error":{"message":…}}, Ollama's {"error":"…"}, or the start of the
// text.
func serverMessage(body []byte) string {
	var v struct {
		Error json.RawMessage `json:"error"`
	}
	if json.Unmarshal(body, &v) == nil && len(v.Error) > 0 {
		var s string
		var o struct {
			Message string `json:"message"`
		}
		switch {
		case json.Unmarshal(v.Error, &s) == nil:
			return clip(s)
		case json.Unmarshal(v.Error, &o) == nil && o.Message != "":
			return clip(o.Message)
		}
	}
	return clip(strings.Join(strings.Fields(string(body)), " "))
}

func clip(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if utf8.RuneStart(s[i]) {
			return s[:i] + "…"
		}
	}
	return ""
}

// redact removes the API key from text the server sent back (some servers
// echo the key they rejected).
func (d *retryDoer) redact(s string) string {
	if d.secret == "" {
		return s
	}
	s = strings.ReplaceAll(s, d.secret, "[redacted]")
	if len(d.secret) >= 8 { // also a key echoed in part
		s = strings.ReplaceAll(s, d.secret[len(d.secret)-6:], "[redacted]")
	}
	return s
}

func joinMsg(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
