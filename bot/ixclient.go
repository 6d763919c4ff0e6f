package bot

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bwmarrin/discordgo"
)

// ixClient sends interaction callbacks, response edits and follow-ups
// (POST interactions/{id}/{token}/callback, POST/PATCH/DELETE
// webhooks/{app}/{token}[/messages/...]) with a rate-limit bucket per
// interaction token, as Discord limits them.
//
// discordgo v0.29.0 cannot be used for these routes: it files every
// webhook edit under one bucket ("webhooks//"), holds that bucket's lock
// for the whole request and sleeps without looking at ctx, so one answer's
// exhausted limit stalls every other answer and edits of different
// interactions run one at a time. Everything else still goes through
// discordgo. Requests use the same *http.Client as the session, so the
// DISCORD_API_URL rewrite applies here too.
type ixClient struct {
	http *http.Client
	base string // discordgo.EndpointAPI; the client's transport may rewrite it

	mu          sync.Mutex
	hashes      map[string]string  // route -> X-RateLimit-Bucket learned from Discord
	buckets     map[string]*bucket // bucket (hash, else route) + " " + token
	globalUntil time.Time          // after a global 429
}

// bucket is what Discord's headers last said about one bucket.
type bucket struct {
	limit     int // requests a window; 0: unknown
	remaining int
	reset     time.Time // when the window ends; zero: unknown
}

func newIXClient(c *http.Client) *ixClient {
	return &ixClient{http: c, base: discordgo.EndpointAPI, hashes: map[string]string{}, buckets: map[string]*bucket{}}
}

// maxAttempts bounds the retries of one request after 429s.
const maxAttempts = 5

// apiError is an error answer from Discord, worded without the token.
type apiError struct {
	Status  int
	Code    int
	Message string
	Route   string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s: HTTP %d: %s (code %d)", e.Route, e.Status, e.Message, e.Code)
}

// do sends one request on route (e.g. "PATCH webhooks/{app}/{token}/messages/@original")
// to path, waiting as the token's bucket and the global limit require,
// and retrying after 429s. out, when not nil, receives the JSON answer.
func (c *ixClient) do(ctx context.Context, route, token, method, path string, body, out any) error {
	var payload []byte
	contentType := "application/json"
	if m, ok := body.(message); ok && len(m.files) > 0 {
		var err error
		if contentType, payload, err = discordgo.MultipartBodyWithJSON(m, m.files); err != nil {
			return fmt.Errorf("%s: encode: %w", route, err)
		}
	} else if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("%s: encode: %w", route, err)
		}
	}
	for attempt := 1; ; attempt++ {
		if err := c.wait(ctx, route, token); err != nil {
			return fmt.Errorf("%s: wait for rate limit: %w", route, err)
		}
		retry, err := c.send(ctx, route, token, method, path, contentType, payload, out)
		if err != nil || retry == 0 {
			return err
		}
		if attempt == maxAttempts {
			return &apiError{Status: http.StatusTooManyRequests, Message: "still rate limited after retries", Route: route}
		}
	}
}

// wait blocks until the bucket of route and token, and the global limit,
// allow a request, and counts it.
func (c *ixClient) wait(ctx context.Context, route, token string) error {
	for {
		c.mu.Lock()
		now := time.Now()
		b := c.bucketLocked(route, token)
		if !b.reset.IsZero() && !b.reset.After(now) { // a new window
			b.remaining, b.reset = max(b.limit, 1), time.Time{}
		}
		until := c.globalUntil
		if b.remaining <= 0 {
			r := b.reset
			if r.IsZero() { // the answer in flight will say when
				r = now.Add(50 * time.Millisecond)
			}
			if r.After(until) {
				until = r
			}
		}
		if !until.After(now) {
			b.remaining--
			c.mu.Unlock()
			return nil
		}
		c.mu.Unlock()
		t := time.NewTimer(until.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// bucketLocked returns the bucket of route and token; c.mu must be held.
func (c *ixClient) bucketLocked(route, token string) *bucket {
	key := route
	if h, ok := c.hashes[route]; ok {
		key = h
	}
	key += " " + token
	b, ok := c.buckets[key]
	if !ok {
		c.pruneLocked()
		b = &bucket{remaining: 1}
		c.buckets[key] = b
	}
	return b
}

// pruneLocked forgets buckets whose window is over; they say nothing a
// new bucket would not. Tokens live 15 minutes, so most buckets go soon.
func (c *ixClient) pruneLocked() {
	if len(c.buckets) < 512 {
		return
	}
	now := time.Now()
	for k, b := range c.buckets {
		if !b.reset.After(now) {
			delete(c.buckets, k)
		}
	}
}

// send makes one HTTP request and reads Discord's rate-limit headers. It
// returns a non-zero retry after a 429 (the request is to be sent again).
func (c *ixClient) send(ctx context.Context, route, token, method, path, contentType string, payload []byte, out any) (time.Duration, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, rd)
	if err != nil {
		return 0, fmt.Errorf("%s: %s", route, redact(err.Error()))
	}
	if payload != nil {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("User-Agent", "DiscordBot (https://github.com/briefbot/briefbot, 1)")
	resp, err := c.http.Do(req)
	if err != nil {
		c.giveBack(route, token)
		// net/http quotes the URL, token included.
		return 0, fmt.Errorf("%s: %s", route, redact(err.Error()))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return 0, fmt.Errorf("%s: read answer: %s", route, redact(err.Error()))
	}
	retry := c.learn(route, token, resp, raw)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return max(retry, time.Millisecond), nil
	case resp.StatusCode >= 300:
		var e struct {
			Message string `json:"message"`
			Code    int    `json:"code"`
		}
		json.Unmarshal(raw, &e)
		return 0, &apiError{Status: resp.StatusCode, Code: e.Code, Message: e.Message, Route: route}
	}
	if out != nil && len(raw) > 0 {
		if err := json.Unmarshal(raw, out); err != nil {
			return 0, fmt.Errorf("%s: decode answer: %w", route, err)
		}
	}
	return 0, nil
}

// giveBack returns the slot of a request that got no answer (cancelled,
// or the connection failed), so that its bucket does not wait for headers
// that will never come.
func (c *ixClient) giveBack(route, token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.bucketLocked(route, token); b.reset.IsZero() || b.limit == 0 || b.remaining < b.limit {
		b.remaining++
	}
}

// learn records what an answer's headers say: the route's bucket hash,
// the bucket's remaining requests and reset, and for a 429 how long to
// wait (for the bucket, or for everything when the limit is global).
func (c *ixClient) learn(route, token string, resp *http.Response, raw []byte) time.Duration {
	h := resp.Header
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if hash := h.Get("X-RateLimit-Bucket"); hash != "" && c.hashes[route] != hash {
		old := c.bucketLocked(route, token)
		c.hashes[route] = hash
		nb := c.bucketLocked(route, token)
		*nb = *old
	}
	b := c.bucketLocked(route, token)
	if n, err := strconv.Atoi(h.Get("X-RateLimit-Limit")); err == nil {
		b.limit = n
	}
	if rem, err := strconv.Atoi(h.Get("X-RateLimit-Remaining")); err == nil {
		b.remaining = rem
	}
	if after := seconds(h.Get("X-RateLimit-Reset-After")); after > 0 {
		b.reset = now.Add(after)
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return 0
	}
	var body struct {
		RetryAfter float64 `json:"retry_after"`
		Global     bool    `json:"global"`
	}
	json.Unmarshal(raw, &body)
	retry := time.Duration(body.RetryAfter * float64(time.Second))
	if retry <= 0 {
		retry = seconds(h.Get("Retry-After"))
	}
	if retry <= 0 {
		retry = time.Second
	}
	if body.Global || strings.EqualFold(h.Get("X-RateLimit-Global"), "true") || h.Get("X-RateLimit-Scope") == "global" {
		c.globalUntil = now.Add(retry)
	} else {
		b.remaining, b.reset = 0, now.Add(retry)
	}
	return retry
}

func seconds(s string) time.Duration {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return time.Duration(f * float64(time.Second))
}

// message is the body of an interaction message, a response edit or a
// follow-up. allowed_mentions is always sent: an empty parse list, so no
// text can ping @everyone, a role or a user. Embeds and components are
// pointers so an edit can clear them ([]) or leave them (absent).
type message struct {
	Content         *string                           `json:"content,omitempty"`
	Embeds          *[]*discordgo.MessageEmbed        `json:"embeds,omitempty"`
	Components      *[]discordgo.MessageComponent     `json:"components,omitempty"`
	Flags           discordgo.MessageFlags            `json:"flags,omitempty"`
	AllowedMentions *discordgo.MessageAllowedMentions `json:"allowed_mentions"`
	// files, when any, are sent as multipart/form-data with the JSON in
	// payload_json, as Discord takes uploads.
	files []*discordgo.File
}

func fullMessage(m outMsg, flags discordgo.MessageFlags) message {
	embeds, comps := nonNil(m)
	return message{Content: &m.content, Embeds: &embeds, Components: &comps, Flags: flags, AllowedMentions: noMentions(),
		files: m.files}
}

// callback answers an interaction (type 4, 5, 7, 8...).
func (c *ixClient) callback(ctx context.Context, i *discordgo.Interaction, typ discordgo.InteractionResponseType, data any) error {
	body := struct {
		Type discordgo.InteractionResponseType `json:"type"`
		Data any                               `json:"data,omitempty"`
	}{typ, data}
	return c.do(ctx, "POST interactions/{id}/{token}/callback", i.Token, "POST",
		"interactions/"+i.ID+"/"+i.Token+"/callback", body, nil)
}

// editOriginal edits the interaction's response.
func (c *ixClient) editOriginal(ctx context.Context, i *discordgo.Interaction, m message) error {
	return c.do(ctx, "PATCH webhooks/{app}/{token}/messages/@original", i.Token, "PATCH",
		"webhooks/"+i.AppID+"/"+i.Token+"/messages/@original", m, nil)
}

// followup sends a new message for the interaction.
func (c *ixClient) followup(ctx context.Context, i *discordgo.Interaction, m message) error {
	return c.do(ctx, "POST webhooks/{app}/{token}", i.Token, "POST",
		"webhooks/"+i.AppID+"/"+i.Token+"?wait=true", m, nil)
}
