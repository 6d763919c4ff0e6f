package bot

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
)

// webhookCalls returns the fake's requests on one interaction's webhook.
func webhookCalls(fake *discordtest.Server, in discordtest.Interaction) []discordtest.Request {
	var out []discordtest.Request
	for _, r := range fake.Requests() {
		if strings.HasPrefix(r.Path, "webhooks/") && strings.Contains(r.Path, "/"+in.Token) {
			out = append(out, r)
		}
	}
	return out
}

// TestOneTokensRateLimitDoesNotDelayOthers: Discord limits each
// interaction token on its own. While one answer waits out a 429, another
// answer is delivered. (discordgo files all interaction edits under one
// bucket and sleeps holding its lock, so there the second answer waited.)
func TestOneTokensRateLimitDoesNotDelayOthers(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := start(t, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	slow := e.fake.SlashCommand(member(guildA, channelA, "501"), "ask", discordtest.Str("question", "chips act?"))
	fast := e.fake.SlashCommand(member(guildA, channelB, "502"), "ask", discordtest.Str("question", "EU chips?"))
	e.fake.Wait(waitLong, "both acknowledged", func() bool { return e.fake.Acked(slow) == 5 && e.fake.Acked(fast) == 5 })
	// The window resets 3 s after Throttle; the 429 itself may come later
	// (a loaded machine, -race), with a retry_after of what is left.
	throttled := time.Now()
	e.fake.Throttle(slow, 3*time.Second)
	close(gate)
	e.reply(fast, "the other answer", answered)
	calls := webhookCalls(e.fake, slow)
	if len(calls) == 0 || calls[0].Status != 429 {
		t.Fatalf("throttled token's requests: %+v, want a 429 first", calls)
	}
	if i := slices.IndexFunc(calls, func(r discordtest.Request) bool { return r.Status == 200 }); i >= 0 {
		t.Errorf("the throttled answer was retried before the other answer was delivered; the other answer waited for it")
	}
	m := e.reply(slow, "the throttled answer, after retry_after", answered)[0]
	if !strings.Contains(m.Content, "43 billion") {
		t.Errorf("throttled answer = %q", m.Content)
	}
	for _, r := range webhookCalls(e.fake, slow) {
		if r.Status == 200 && r.Received.Sub(throttled) < 2900*time.Millisecond {
			t.Errorf("retried %v after the throttle, before the window reset 3 s after it", r.Received.Sub(throttled))
		}
	}
}

// TestEditsOfDifferentInteractionsOverlap: with every call taking 150 ms,
// edits of different answers are in flight at the same time.
func TestEditsOfDifferentInteractionsOverlap(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	e := startFake(t, discordtest.Options{Latency: 150 * time.Millisecond}, func(_ *Config, a *keywordAnswerer) { a.gate = gate })
	e.seed(corpus0, "EU chips act agreed", chipsBody, "")
	var ins []discordtest.Interaction
	for i := range 4 {
		ins = append(ins, e.fake.SlashCommand(member(guildA, channelA, itoa(600+i)), "ask", discordtest.Str("question", "chips act "+itoa(i)+"?")))
	}
	e.fake.Wait(waitLong, "acknowledgements", func() bool {
		for _, in := range ins {
			if e.fake.Acked(in) != 5 {
				return false
			}
		}
		return true
	})
	close(gate)
	for _, in := range ins {
		e.reply(in, "answer", answered)
	}
	if n := maxInFlight(e.fake.Requests(), "webhooks/"); n < 2 {
		t.Errorf("at most %d interaction edit in flight at once, want edits of different answers to overlap", n)
	}
}

// maxInFlight is the largest number of requests under prefix that the
// fake was serving at one moment.
func maxInFlight(reqs []discordtest.Request, prefix string) int {
	type edge struct {
		at    time.Time
		delta int
	}
	var edges []edge
	for _, r := range reqs {
		if strings.HasPrefix(r.Path, prefix) {
			edges = append(edges, edge{r.Received, 1}, edge{r.Done, -1})
		}
	}
	slices.SortFunc(edges, func(a, b edge) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return a.delta - b.delta // ends before starts at the same instant
	})
	n, peak := 0, 0
	for _, e := range edges {
		n += e.delta
		peak = max(peak, n)
	}
	return peak
}

// TestRateLimitWaitEndsWithTheContext: a request waiting out an
// interaction token's 429 gives up when its context ends instead of
// sleeping through retry_after (discordgo v0.29.0 sleeps regardless), so a
// streamed "writing…" edit stuck behind a limit cannot hold up the final
// answer or a shutdown.
func TestRateLimitWaitEndsWithTheContext(t *testing.T) {
	t.Parallel()
	fake := discordtest.New(t, discordtest.Options{WaitTimeout: waitLong})
	client, err := newHTTPClient(fake.APIBase(), nil)
	if err != nil {
		t.Fatal(err)
	}
	ix := newIXClient(client)
	in := discordtest.Interaction{ID: fake.NewID(), Token: "itok-waiting"}
	const retryAfter = 20 * time.Second
	fake.Throttle(in, retryAfter)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	text := "writing…"
	began := time.Now()
	err = ix.editOriginal(ctx, &discordgo.Interaction{ID: in.ID, AppID: fake.AppID(), Token: in.Token},
		message{Content: &text, AllowedMentions: noMentions()})
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(began) > retryAfter/2 {
		t.Errorf("edit behind a %v 429 with a 300 ms context: err = %v after %v, want the context's error when it ends",
			retryAfter, err, time.Since(began).Round(time.Millisecond))
	}
	calls := 0
	for _, r := range fake.Requests() {
		if strings.Contains(r.Path, in.Token) {
			calls++
			if r.Status != 429 {
				t.Errorf("%s %s answered %d, want only the 429 (no retry before retry_after)", r.Method, r.Path, r.Status)
			}
		}
	}
	if calls != 1 {
		t.Errorf("%d requests on the throttled token, want 1", calls)
	}
}
