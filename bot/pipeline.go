package bot

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// task is one request a user made, a slash command or a message to the bot,
// as the pipeline serves it. Both kinds go through perform, so they share
// the timeout, the panic recovery, the per-user rate limit and the
// answering slots.
type task struct {
	log  *slog.Logger
	rep  replier
	user string
	// refusal, when set, turns the request away before any work.
	refusal *refusal
	// limited requests count against the user's rate limit and wait for
	// one of the answering slots.
	limited bool
	// start acknowledges the request before slow work (a deferred reply,
	// a typing indicator); a failure ends the request.
	start func(ctx context.Context) error
	run   func(ctx context.Context) (response, error)
}

// refusal is a request turned away: the text the user reads and, for
// messages, the reaction that replaces the text once the user has had a
// notice in the current window. An empty text means a reaction only.
type refusal struct {
	text  string
	emoji string
}

// perform serves one task and makes sure the user hears back, even when a
// handler panics.
func (b *Bot) perform(ctx context.Context, t task) {
	ctx, cancel := context.WithTimeout(ctx, b.cfg.AnswerTimeout)
	defer cancel()
	defer func() {
		if v := recover(); v != nil {
			t.log.Error("panic in handler", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			t.rep.fail(ctx, errPanic)
		}
	}()
	if t.refusal != nil {
		b.refuse(ctx, t, *t.refusal)
		return
	}
	if t.limited {
		if ok, wait := b.limits.allow(t.user, time.Now()); !ok {
			b.refuse(ctx, t, refusal{text: fmt.Sprintf("You're asking faster than I can answer; try again in %d s.",
				int(wait.Seconds())), emoji: "⏳"})
			return
		}
	}
	if t.start != nil {
		if err := t.start(ctx); err != nil {
			t.log.Error("acknowledge", "err", redact(err.Error()))
			return
		}
	}
	if t.limited {
		release, err := b.acquire(ctx)
		if err != nil {
			t.rep.fail(ctx, err)
			return
		}
		defer release()
	}
	resp, err := t.run(ctx)
	if err != nil {
		t.rep.fail(ctx, err)
		return
	}
	// An answer can arrive after ctx's deadline: the engine falls back to
	// an extractive answer without an error. It is sent all the same, on
	// a fresh bounded context (interaction tokens last 15 minutes), as
	// fail does.
	sendCtx, cancelSend := context.WithTimeout(context.WithoutCancel(ctx), finalSendTimeout)
	defer cancelSend()
	if err := t.rep.send(sendCtx, resp); err != nil {
		t.log.Error("send response", "err", redact(err.Error()))
	}
}

// finalSendTimeout bounds sending a finished answer: a few messages, each
// perhaps waiting for its interaction's rate limit.
const finalSendTimeout = 30 * time.Second

func (b *Bot) refuse(ctx context.Context, t task, r refusal) {
	if err := t.rep.refuse(ctx, r); err != nil {
		t.log.Warn("send refusal", "err", redact(err.Error()))
	}
}

// acquire waits for a free answering slot.
func (b *Bot) acquire(ctx context.Context) (func(), error) {
	select {
	case b.pool <- struct{}{}:
		return func() { <-b.pool }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait for a free answering slot: %w", ctx.Err())
	}
}

// noticeLimits lets each user see at most one public refusal a window:
// someone who keeps mentioning the bot past the rate limit gets one
// message, then reactions, so refusals cannot flood a channel.
type noticeLimits struct {
	mu     sync.Mutex
	window time.Duration
	last   map[string]time.Time
}

func newNoticeLimits(window time.Duration) *noticeLimits {
	return &noticeLimits{window: window, last: map[string]time.Time{}}
}

// allow reports whether user may get a notice now, and if so counts it.
func (n *noticeLimits) allow(user string, now time.Time) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	if t, ok := n.last[user]; ok && now.Sub(t) < n.window {
		return false
	}
	if len(n.last) >= 1024 {
		for u, t := range n.last {
			if now.Sub(t) >= n.window {
				delete(n.last, u)
			}
		}
	}
	n.last[user] = now
	return true
}
