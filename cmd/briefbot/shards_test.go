package main

import (
	"slices"
	"strings"
	"testing"
)

func TestShardSettings(t *testing.T) {
	for _, tc := range []struct {
		shards, count string
		want          []int
		wantCount     int
		wantErr       string
	}{
		{"", "", nil, 0, ""},
		{"", "3", []int{0, 1, 2}, 3, ""},
		{"0-3", "8", []int{0, 1, 2, 3}, 8, ""},
		{"1, 4-5,1", "6", []int{1, 4, 5}, 6, ""},
		{"1", "2", []int{1}, 2, ""},
		{"0-3", "", nil, 0, "needs BRIEFBOT_SHARD_COUNT"},
		{"2", "2", nil, 0, "from 0 to 1"},
		{"3-1", "4", nil, 0, "from 0 to 3"},
		{"a", "4", nil, 0, "from 0 to 3"},
		{"", "0", nil, 0, "positive whole number"},
		{"0-4", "4", nil, 0, "from 0 to 3"},
		{"999", "1000", []int{999}, 1000, ""},
		{"0", "1001", nil, 0, "at most 1000"},
		{"0", "4294967296", nil, 0, "at most 1000"},
		{"0", "99999999999999999999", nil, 0, "at most 1000"},
		{"", "1001", nil, 0, "1,000 identifies a day"},
	} {
		env := map[string]string{"BRIEFBOT_SHARDS": tc.shards, "BRIEFBOT_SHARD_COUNT": tc.count, "BRIEFBOT_DATABASE_URL": "postgres://db/briefbot"}
		cfg, err := loadConfig(func(k string) string { return env[k] })
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%q of %q: err %v, want %q", tc.shards, tc.count, err, tc.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(cfg.Shards, tc.want) || cfg.ShardCount != tc.wantCount {
			t.Errorf("%q of %q: %v of %d (%v), want %v of %d", tc.shards, tc.count, cfg.Shards, cfg.ShardCount, err, tc.want, tc.wantCount)
		}
	}
	sqlite := map[string]string{"BRIEFBOT_SHARDS": "1", "BRIEFBOT_SHARD_COUNT": "2"}
	if _, err := loadConfig(func(k string) string { return sqlite[k] }); err == nil || !strings.Contains(err.Error(), "BRIEFBOT_DATABASE_URL") {
		t.Errorf("some shards on SQLite: %v, want an error asking for BRIEFBOT_DATABASE_URL", err)
	}
	keep := Config{Shards: []int{1}, ShardCount: 2}.keepScope()
	for scope, want := range map[string]bool{"111111111111111111": true, "81384788765712384": false, "not-a-server": true} {
		if keep(scope) != want {
			t.Errorf("shard 1 of 2 keeps %s: %v, want %v", scope, !want, want)
		}
	}
	if (Config{Shards: []int{0, 1}, ShardCount: 2}).keepScope() != nil {
		t.Error("a process running every shard should keep every scope")
	}
}
