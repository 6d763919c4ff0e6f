package discordtest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/briefbot/briefbot/bot/discordtest"
	"github.com/bwmarrin/discordgo"
)

// rewrite sends discordgo's requests for Discord's API to the fake.
type rewrite struct{ base string }

func (rw rewrite) RoundTrip(r *http.Request) (*http.Response, error) {
	u := r.URL.String()
	if rest, ok := strings.CutPrefix(u, discordgo.EndpointAPI); ok {
		r2 := r.Clone(r.Context())
		nu, err := r.URL.Parse(rw.base + "/" + rest)
		if err != nil {
			return nil, err
		}
		r2.URL, r2.Host = nu, nu.Host
		return http.DefaultTransport.RoundTrip(r2)
	}
	return http.DefaultTransport.RoundTrip(r)
}

func open(t *testing.T, fake *discordtest.Server) (*discordgo.Session, chan *discordgo.InteractionCreate) {
	t.Helper()
	s, err := discordgo.New("Bot " + fake.Token())
	if err != nil {
		t.Fatal(err)
	}
	s.Client = &http.Client{Transport: rewrite{fake.APIBase()}}
	got := make(chan *discordgo.InteractionCreate, 10)
	s.AddHandler(func(_ *discordgo.Session, i *discordgo.InteractionCreate) { got <- i })
	if err := s.Open(); err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, got
}

func recv(t *testing.T, ch chan *discordgo.InteractionCreate) *discordgo.InteractionCreate {
	t.Helper()
	select {
	case i := <-ch:
		return i
	case <-time.After(10 * time.Second):
		t.Fatal("no interaction received")
		return nil
	}
}

func TestSessionRoundTrip(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s, got := open(t, fake)
	if s.State.User == nil || s.State.User.ID != fake.BotID() {
		t.Fatalf("READY user = %+v, want ID %s", s.State.User, fake.BotID())
	}
	if s.State.Application == nil || s.State.Application.ID != fake.AppID() {
		t.Fatalf("READY application = %+v, want ID %s", s.State.Application, fake.AppID())
	}
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2", Permissions: 32}
	sent := fake.SlashCommand(by, "ask", discordtest.Str("question", "what?"), discordtest.Bool("private", true))
	i := recv(t, got)
	data := i.ApplicationCommandData()
	if data.Name != "ask" || data.Options[0].StringValue() != "what?" || !data.Options[1].BoolValue() {
		t.Fatalf("command data = %+v", data)
	}
	if i.Member == nil || i.Member.User.ID != "7" || i.Member.Permissions != 32 {
		t.Fatalf("member = %+v", i.Member)
	}
	err := s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if err != nil {
		t.Fatalf("respond: %v", err)
	}
	err = s.InteractionRespond(i.Interaction, &discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource})
	if err == nil {
		t.Error("second acknowledgement accepted, want Discord's 40060 error")
	}
	text := "done"
	if _, err := s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &text}); err != nil {
		t.Fatalf("edit: %v", err)
	}
	long := strings.Repeat("x", 2001)
	if _, err := s.InteractionResponseEdit(i.Interaction, &discordgo.WebhookEdit{Content: &long}); err == nil {
		t.Error("2001-character content accepted, want Invalid Form Body")
	}
	if m, _ := fake.Original(sent); m.Content != "done" {
		t.Errorf("original content = %q, want %q", m.Content, "done")
	}
}

func TestResumeReplaysMissedEvents(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	_, got := open(t, fake)
	fake.Drop()
	by := discordtest.Invoker{UserID: "7", GuildID: "1", ChannelID: "2"}
	fake.SlashCommand(by, "help")
	i := recv(t, got)
	if i.ApplicationCommandData().Name != "help" {
		t.Fatalf("got %q, want help", i.ApplicationCommandData().Name)
	}
	ids, resumes, _, connected := fake.GatewayStats()
	if ids != 1 || resumes != 1 || !connected {
		t.Errorf("identifies=%d resumes=%d connected=%v, want 1, 1, true", ids, resumes, connected)
	}
}

func TestUnknownRouteRecorded(t *testing.T) {
	fake := discordtest.New(t, discordtest.Options{})
	s, _ := open(t, fake)
	if _, err := s.Guild("1"); err == nil {
		t.Fatal("GET guilds/1 succeeded, want 404")
	}
	var unknown []string
	for _, r := range fake.Requests() {
		if r.Unknown {
			unknown = append(unknown, r.Method+" "+r.Path)
		}
	}
	if len(unknown) != 1 || unknown[0] != "GET guilds/1" {
		t.Errorf("unknown requests = %v, want [GET guilds/1]", unknown)
	}
}
