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
	kiri, err := time.LoadLocation("Pacific/Kiritimati")
	if err != nil {
		t.Fatal(err) // time/tzdata is built in: every zone loads
	}
	// Kiritimati's day may turn between writing the brief and asking; the
	// run is then repeated once on the new day.
	for attempt := 0; ; attempt++ {
		day := time.Now().In(kiri).Format("2006-01-02")
		kiriOut, pagoOut := askToday(t, bin, day)
		if time.Now().In(kiri).Format("2006-01-02") != day && attempt == 0 {
			continue
		}
		if !strings.Contains(kiriOut, "strong earthquake") {
			t.Errorf("in Kiritimati, today's brief is not today's news:\n%s", kiriOut)
		}
		if !strings.Contains(pagoOut, "nothing from today") {
			t.Errorf("in Pago Pago, a brief dated tomorrow is today's news:\n%s", pagoOut)
		}
		return
	}
}

// askToday ingests a brief dated day into a new store and asks "What
// happened today?" in Kiritimati and in Pago Pago.
func askToday(t *testing.T, bin, day string) (kiri, pago string) {
	dir := filepath.Join(t.TempDir(), "data")
	src := filepath.Join(t.TempDir(), "today.jsonl")
	os.WriteFile(src, []byte(`{"id":"quake","title":"Quake","published":"`+day+
		`","body":"A strong earthquake shook the harbour town early in the morning, officials said."}`+"\n"), 0o600)
	run := func(tz string, args ...string) string {
		cmd := exec.Command(bin, append([]string{args[0], "--data", dir}, args[1:]...)...)
		cmd.Env = append(os.Environ(), "TZ="+tz)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("TZ=%s briefbot %v: %v\n%s", tz, args, err, out)
		}
		return string(out)
	}
	run("UTC", "ingest", src)
	return run("Pacific/Kiritimati", "ask", "What happened today?"), run("Pacific/Pago_Pago", "ask", "What happened today?")
}
