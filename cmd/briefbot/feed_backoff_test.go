package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestFeedPollFailedItemWaits: an item whose page fails (and that has no
// text of its own) is not fetched again by the next poll, and `feed list`
// shows it waiting, through the real store.
func TestFeedPollFailedItemWaits(t *testing.T) {
	var itemHits atomic.Int32
	site := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken" {
			itemHits.Add(1)
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		fmt.Fprint(w, `<?xml version="1.0"?><rss version="2.0"><channel><title>Broken</title>`+
			`<item><title>Broken story</title><link>/broken</link></item></channel></rss>`)
	}))
	defer site.Close()
	dir := t.TempDir()
	env := map[string]string{"BRIEFBOT_ALLOW_PRIVATE_URLS": "1"}
	if _, _, err := cli(t, dir, "", env, "feed", "add", site.URL+"/rss.xml"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		out, _, err := cli(t, dir, "", env, "feed", "poll")
		if i == 0 && (err == nil || !strings.Contains(out, "500 Internal Server Error")) {
			t.Errorf("first poll: %v\n%s", err, out)
		}
	}
	if n := itemHits.Load(); n != 1 {
		t.Errorf("the failed item was fetched %d times by two polls, want 1 (it waits an hour)", n)
	}
	out, _, _ := cli(t, dir, "", nil, "feed", "list")
	if !strings.Contains(out, "1 waiting") {
		t.Errorf("feed list does not show the waiting item:\n%s", out)
	}
	out, _, _ = cli(t, dir, "", nil, "feed", "list", "--json")
	if !strings.Contains(out, `"items_waiting": 1`) {
		t.Errorf("feed list --json:\n%s", out)
	}
}
