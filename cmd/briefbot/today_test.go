package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestTodayIsTheUsersDay: without --date a question is asked on the
// user's own calendar day, not UTC's. Kiritimati (UTC+14) and Pago Pago
// (UTC-11) are never on the same day: a brief dated Kiritimati's today is
// today's news there, and from the future (after the day of asking) in Pago
// Pago.
func TestTodayIsTheUsersDay(t *testing.T) {
	bin := buildBinary(t)
	now := time.Now()
	kiri, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err) // time/tzdata is built in: every zone loads
	}
	dir := filepath.Join(t.TempDir(), "data")
	src := filepath.Join(t.TempDir(), "today.jsonl")
	os.WriteFile(src, []byte(`{"id":"quake","title":"Quake","published":"`+now.In(kiri).Format("2006-01-02")+
		`","body":"A strong earthquake shook the harbour town early in the morning, officials said."}`+"\n"), 0o600)
	ask := func(tz string, args ...string) string {
		cmd := exec.Command(bin, append([]string{args[0], "--data", dir}, args[1:]...)...)
		cmd.Env = append(os.Environ(), "TZ="+tz)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("TZ=%s briefbot %v: %v\n%s", tz, args, err, out)
		}
		return string(out)
	}
	ask("UTC", "ingest", src)
	if out := ask("Pacific/Kiritimati", "ask", "What happened today?"); !strings.Contains(out, "strong earthquake") {
		t.Errorf("in Kiritimati, today's brief is not today's news:\n%s", out)
	}
	if out := ask("Pacific/Pago_Pago", "ask", "What happened today?"); !strings.Contains(out, "nothing from today") {
		t.Errorf("in Pago Pago, a brief dated tomorrow is today's news:\n%s", out)
	}
}
