package rag

import (
	"context"
	"runtime"
	"strconv"
	"testing"

	"github.com/briefbot/briefbot/corpus"
	"github.com/briefbot/briefbot/corpus/pgtest"
)

func openBenchPG(b *testing.B, url string) *corpus.PGStore {
	st, err := corpus.OpenPG(context.Background(), url)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

// BenchmarkIngestLocalPostgres is BenchmarkIngestLocal on PostgreSQL: 1,000
// passages per op into a new database, one transaction per article.
func BenchmarkIngestLocalPostgres(b *testing.B) {
	arts := synthArticles(5, 0, 200)
	passages := 0
	for b.Loop() {
		b.StopTimer()
		st := openBenchPG(b, pgtest.URL(b))
		e, err := New(context.Background(), st, NewLocalEmbedder(0), Config{}, discard())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		passages += ingest(b, e, arts)
		b.StopTimer()
		st.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(passages)/b.Elapsed().Seconds(), "passages/s")
}

// BenchmarkColdStartPostgres is BenchmarkColdStart on PostgreSQL: 100,000
// passages stored, from opening the store to the first answer.
func BenchmarkColdStartPostgres(b *testing.B) {
	url := pgtest.URL(b)
	benchColdStart(b, func() benchStore { return openBenchPG(b, url) })
}

// BenchmarkShardMemoryPostgres measures the live heap of one process's
// engine over a store of 20,000 passages in 200 servers, when the process
// runs every shard (one process) and when it runs shard 0 of 2 (two
// processes): the servers of the other shard are not loaded.
func BenchmarkShardMemoryPostgres(b *testing.B) {
	ctx := context.Background()
	url := pgtest.URL(b)
	st := openBenchPG(b, url)
	e, err := New(ctx, st, NewLocalEmbedder(0), Config{}, discard())
	if err != nil {
		b.Fatal(err)
	}
	arts := synthArticles(21, 0, 4000)
	for i := range arts {
		arts[i].Scope = strconv.FormatUint(uint64(1000+i%200)<<22, 10) // servers alternate between shards 0 and 1
	}
	ingest(b, e, arts)
	st.Close()
	e = nil
	for _, tc := range []struct {
		name string
		keep func(string) bool
	}{
		{"processes=1", nil},
		{"processes=2", func(s string) bool { return corpus.ShardOf(s, 2) == 0 }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var heap float64
			for b.Loop() {
				st := openBenchPG(b, url)
				runtime.GC()
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				e, err := New(ctx, st, NewLocalEmbedder(0), Config{Keep: tc.keep}, discard())
				if err != nil {
					b.Fatal(err)
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				heap = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
				runtime.KeepAlive(e)
				st.Close()
			}
			b.ReportMetric(heap, "MB/process")
		})
	}
}
