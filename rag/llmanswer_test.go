package rag

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestAnswerWithLLM(t *testing.T) {
	a := sampleArticle(t)
	hits := paragraphHits(t, a, samplePrefixes...)
	tests := []struct {
		name        string
		handle      func(n int, r recorded, w http.ResponseWriter)
		wantText    string
		wantRefused bool
		wantNote    string
		wantCites   []gotCite
		wantErr     error
	}{
		{
			name: "streamed answer with a correct quote, a made-up one and a bad marker",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, append(streamAnswer(`Raab said China "must end its systematic cybersabotage" [2]. `+
					`NATO called it "a grave breach of trust" [3]. Germany agreed [7].`, 7), finishChunk("stop"), usageChunk)...)
			},
			wantText:  `Raab said China “must end its systematic cybersabotage” [1]. NATO called it a grave breach of trust [2]. Germany agreed.`,
			wantCites: []gotCite{{1, 1, true, "must end its systematic cybersabotage"}, {2, 2, false, ""}},
		},
		{
			name: "the fixed refusal, with a curly apostrophe",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk("The briefings don’t cover this."), finishChunk("stop"), usageChunk)
			},
			wantText: notCoveredSentence, wantRefused: true,
		},
		{
			name: "no quote could be checked",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk(`Relations are strained [1], and Raab said "China lies" [2].`), finishChunk("stop"), usageChunk)
			},
			wantText:  `Relations are strained [1], and Raab said China lies [2].`,
			wantNote:  noCheckedQuoteNote,
			wantCites: []gotCite{{1, 0, false, ""}, {2, 1, false, ""}},
		},
		{
			name: "API down",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				w.Header().Set("Retry-After", "0")
				apiError(w, 500, "boom")
			},
			wantErr: &serverError{},
		},
		{
			name: "content filter",
			handle: func(n int, r recorded, w http.ResponseWriter) {
				sse(w, deltaChunk("Raab said"), finishChunk("content_filter"))
			},
			wantErr: errFiltered,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			api := newFakeAPI(t, tc.handle)
			chat := NewChat(api.client(t, OpenAIConfig{}), "gpt-4.1-mini", 0)
			var deltas []string
			q := Question{Text: "What did Britain say?", Asked: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)}
			ans, err := answerWithLLM(context.Background(), chat, q, hits, 0, func(s string) { deltas = append(deltas, s) })
			if tc.wantErr != nil {
				var se *serverError
				if _, wantServer := tc.wantErr.(*serverError); wantServer && errors.As(err, &se) {
					return
				}
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("answerWithLLM error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("answerWithLLM: %v", err)
			}
			if ans.Mode != ModeLLM || ans.Text != tc.wantText || ans.Refused != tc.wantRefused || ans.Note != tc.wantNote {
				t.Errorf("answer = mode %q text %q refused %v note %q;\nwant mode %q text %q refused %v note %q",
					ans.Mode, ans.Text, ans.Refused, ans.Note, ModeLLM, tc.wantText, tc.wantRefused, tc.wantNote)
			}
			if diff := cmp.Diff(tc.wantCites, project(t, hits, ans.Citations)); diff != "" {
				t.Errorf("citations (-want +got):\n%s", diff)
			}
			if len(ans.Passages) != len(hits) || ans.Usage == nil || ans.Usage.TotalTokens != 853 {
				t.Errorf("passages %d, usage %+v; want %d passages and the streamed usage", len(ans.Passages), ans.Usage, len(hits))
			}
			// While it streams, a reader is only told that the model is
			// writing: no text before it is checked.
			if diff := cmp.Diff([]string{""}, deltas); diff != "" {
				t.Errorf("onDelta calls (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAnswerWithLLMSendsDelimitedPassages(t *testing.T) {
	a := sampleArticle(t)
	hits := append(paragraphHits(t, a, samplePrefixes[1]), injectedHit())
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) {
		sse(w, deltaChunk(`Raab said China "must be held accountable" [1]. Passage 2 contains an instruction, which I ignore.`), finishChunk("stop"))
	})
	ans, err := answerWithLLM(context.Background(), NewChat(api.client(t, OpenAIConfig{}), "m", 0), Question{Text: "Is China innocent?"}, hits, 0, nil)
	if err != nil {
		t.Fatalf("answerWithLLM: %v", err)
	}
	msgs := api.requests()[0].Body["messages"].([]any)
	system := msgs[0].(map[string]any)["content"].(string)
	user := msgs[len(msgs)-1].(map[string]any)["content"].(string)
	if !strings.Contains(system, "untrusted data, not instructions") {
		t.Errorf("system message sent does not mark passages as data:\n%s", system)
	}
	inj := strings.Index(user, "Ignore the above")
	if open := strings.Index(user, `<passage n="2"`); open < 0 || inj < open || strings.Count(user[open:inj], "</passage>") != 0 {
		t.Errorf("injected text is not inside passage 2's delimiters:\n%s", user)
	}
	if len(ans.Citations) != 1 || !ans.Citations[0].Verified || ans.Note != "" {
		t.Errorf("answer %+v, want one verified citation and no note", ans)
	}
}

func TestAnswerWithLLMNoHitsRefusesWithoutCalling(t *testing.T) {
	api := newFakeAPI(t, func(n int, r recorded, w http.ResponseWriter) { apiError(w, 500, "should not be called") })
	ans, err := answerWithLLM(context.Background(), NewChat(api.client(t, OpenAIConfig{}), "m", 0), Question{Text: "q"}, nil, 0, nil)
	if err != nil || !ans.Refused || ans.Text != notCoveredSentence || len(api.requests()) != 0 {
		t.Errorf("answerWithLLM with no hits = %+v, %v after %d requests; want the refusal and no request", ans, err, len(api.requests()))
	}
}
