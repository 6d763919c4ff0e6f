package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

// Servers on shard 0 and shard 1 of 2: (guild_id >> 22) % 2.
const (
	guildShard0   = "81384788765712384"
	guildShard1   = "111111111111111111"
	channelShard0 = "381384788765712384"
	channelShard1 = "311111111111111111"
)

// serveProc is one `briefbot serve` process of a sharded deployment.
type serveProc struct {
	cmd    *exec.Cmd
	dir    string
	http   string // its /healthz, /readyz and /metrics
	stderr string // file holding its log
}

func startServeProc(t *testing.T, bin string, env map[string]string) *serveProc {
	t.Helper()
	p := &serveProc{dir: t.TempDir(), http: freeAddr(t)}
	p.stderr = filepath.Join(p.dir, "serve.log")
	logf, err := os.Create(p.stderr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { logf.Close() })
	p.cmd = exec.Command(bin, "serve")
	p.cmd.Env = []string{"BRIEFBOT_DATA=" + p.dir, "BRIEFBOT_HTTP_ADDR=" + p.http, "BRIEFBOT_LOG_LEVEL=info", "HOME=" + p.dir}
	for k, v := range env {
		p.cmd.Env = append(p.cmd.Env, k+"="+v)
	}
	p.cmd.Stderr, p.cmd.Stdout = logf, logf
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.cmd.Process.Signal(syscall.SIGTERM)
		p.cmd.Wait()
		if _, err := os.Stat(filepath.Join(p.dir, corpus.DBFile)); err == nil {
			t.Errorf("serve wrote an SQLite file with BRIEFBOT_DATABASE_URL set")
		}
	})
	return p
}

func (p *serveProc) log() string { b, _ := os.ReadFile(p.stderr); return string(b) }

func (p *serveProc) metric(t *testing.T, series string) float64 {
	_, page := httpGet(t, "http://"+p.http+"/metrics")
	return metricValue(page, series)
}

// TestTwoServeProcessesShareOneDatabase is the deployment of "Running at
// scale": two serve processes on shards 0 and 1 of 2 share one PostgreSQL
// database and the (fake) Discord, with one server on each shard. An
// admin's add through one process is answered in its server only; a global
// article ingested from the command line reaches both within 2 s; after
// kill -9 of the process holding the feed lease, the other keeps
// answering and takes the lease over.
func TestTwoServeProcessesShareOneDatabase(t *testing.T) {
	if testing.Short() {
		t.Skip("-short")
	}
	url := pgtest.URL(t)
	bin := buildBinary(t)
	fake := discordtest.New(t, discordtest.Options{Shards: 2, WaitTimeout: wait})
	site := startNewsSite(t)
	env := map[string]string{"BRIEFBOT_DATABASE_URL": url}
	if _, _, err := cli(t, t.TempDir(), "", env, "feed", "add", site.URL+"/rss.xml"); err != nil {
		t.Fatal(err)
	}
	common := map[string]string{"BRIEFBOT_DATABASE_URL": url, "DISCORD_TOKEN": fake.Token(), "DISCORD_API_URL": fake.APIBase(),
		"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_FEED_INTERVAL": "1s", "BRIEFBOT_ALLOW_PRIVATE_URLS": "1"}
	procs := make([]*serveProc, 2)
	for i, shard := range []string{"0", "1"} {
		e := map[string]string{"BRIEFBOT_SHARDS": shard}
		for k, v := range common {
			e[k] = v
		}
		procs[i] = startServeProc(t, bin, e)
	}
	for i, p := range procs {
		fake.Wait(wait, "process "+string(rune('0'+i))+" ready", func() bool {
			code, _ := httpGetMaybe("http://" + p.http + "/readyz")
			return code == 200
		})
	}
	e := &serveEnv{t: t, fake: fake}
	ask := func(guild, channel, q string) string {
		in := fake.SlashCommand(who(guild, channel, "501", 0), "ask", discordtest.Str("question", q))
		return e.reply(in, "answer to "+q, finished).Content
	}

	admin := who(guildShard0, channelShard0, "502", 1<<5)
	e.reply(fake.SlashCommand(admin, "briefing", discordtest.Sub("add", discordtest.Str("title", "Lithium slump"),
		discordtest.Str("text", "Lithium prices fell by a third in March as Chilean mines raised output."))), "admin add", contains("Added"))
	const lithium = "Why did lithium prices fall?"
	if got := ask(guildShard0, channelShard0, lithium); !strings.Contains(got, "Chilean mines raised output") {
		t.Errorf("server on shard 0 after its admin's add: %q", got)
	}
	if got := ask(guildShard1, channelShard1, lithium); strings.Contains(got, "Chilean") || !strings.Contains(got, "don't cover") {
		t.Errorf("server on shard 1: %q, want a refusal", got)
	}
	if n := procs[1].metric(t, `briefbot_passages{scope="`+guildShard0+`"}`); n != -1 {
		t.Errorf("process 1 holds %v passages of a server of shard 0", n)
	}

	src := filepath.Join(t.TempDir(), "ferry.txt")
	os.WriteFile(src, []byte("Harbour ferry resumes\n\nThe harbour ferry resumes service on Monday after repairs to its hull.\n"), 0o600)
	before := procs[0].metric(t, `briefbot_passages{scope="global"}`)
	if _, _, err := cli(t, t.TempDir(), "", env, "ingest", src); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Second)
	for _, p := range procs {
		for p.metric(t, `briefbot_passages{scope="global"}`) <= before {
			if time.Now().After(deadline) {
				t.Fatalf("the CLI's global article did not reach a process within 2 s")
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	const ferry = "When does the harbour ferry resume service?"
	for _, g := range [][2]string{{guildShard0, channelShard0}, {guildShard1, channelShard1}} {
		if got := ask(g[0], g[1], ferry); !strings.Contains(got, "resumes service on Monday") {
			t.Errorf("server %s after the CLI's ingest: %q", g[0], got)
		}
	}

	holder, other := leaseHolder(t, fake, procs)
	holder.cmd.Process.Signal(syscall.SIGKILL)
	holder.cmd.Wait()
	fake.Wait(5*time.Second, "the feed lease taken over", func() bool { return strings.Contains(other.log(), "held=true") })
	guild, channel := guildShard0, channelShard0
	if other == procs[1] {
		guild, channel = guildShard1, channelShard1
	}
	if got := ask(guild, channel, ferry); !strings.Contains(got, "resumes service on Monday") {
		t.Errorf("the surviving process's server after kill -9 of the other: %q", got)
	}
}

// leaseHolder waits until one process says it holds the feed lease and
// returns it, then the other.
func leaseHolder(t *testing.T, fake *discordtest.Server, procs []*serveProc) (holder, other *serveProc) {
	fake.Wait(wait, "a process holding the feed lease", func() bool {
		for i, p := range procs {
			if strings.Contains(p.log(), "held=true") {
				holder, other = p, procs[1-i]
				return true
			}
		}
		return false
	})
	if strings.Contains(other.log(), "held=true") {
		t.Fatalf("both processes held the feed lease:\n%s\n---\n%s", holder.log(), other.log())
	}
	return holder, other
}

func httpGetMaybe(url string) (int, error) {
	resp, err := httpClient.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
