package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"telewave/devices"
	"telewave/formats/wfdb"
)

// sharedMITDB finds ../shared/data/mitdb beside the repository root.
func sharedMITDB(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data", "mitdb")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// TestMITBIHDatabaseBitsPerSample is the Records issue's measure: every
// MIT-BIH record in ../shared/data/mitdb recorded into a sealed store as live
// 1 s chunks, compacted into blocks, then the database's bytes in use
// (pages minus free pages, after a checkpoint) divided by the samples.
func TestMITBIHDatabaseBitsPerSample(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: -short; the MIT-BIH store measure imports 24 records")
	}
	bits := storeMITBIH(t)
	if bits > 4.0 {
		t.Errorf("%.3f bits/sample after compaction, target ≤ 4.0", bits)
	}
}

// BenchmarkMITBIHDatabaseBits reports the same figure for `make bench`.
func BenchmarkMITBIHDatabaseBits(b *testing.B) {
	var bits float64
	for b.Loop() {
		bits = storeMITBIH(b)
	}
	b.ReportMetric(bits, "db-bits/sample")
}

// storeMITBIH records every shared MIT-BIH record into a fresh store,
// compacts it and returns the database bits per sample.
func storeMITBIH(t testing.TB) float64 {
	dir := sharedMITDB(t)
	heads, _ := filepath.Glob(filepath.Join(dir, "*.hea"))
	if len(heads) == 0 {
		t.Skipf("SKIPPED: no MIT-BIH records in %s (the shared corpus is not beside this checkout)", dir)
	}
	sort.Strings(heads)
	ctx := context.Background()
	s, _, _ := newStore(t)
	p := addPatient(t, s, "MITDB", "MIT-BIH")
	var samples int64
	t0 := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for _, h := range heads {
		name := strings.TrimSuffix(filepath.Base(h), ".hea")
		r, err := wfdb.Read(os.DirFS(dir), name)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := s.StartRecording(ctx, p.ID, devices.DeviceInfo{Protocol: "import:wfdb", Model: name}, t0)
		if err != nil {
			t.Fatal(err)
		}
		for i, spec := range r.Signals {
			sig := devices.Signal{ID: fmt.Sprintf("sig-%d", i), Label: spec.Description, Kind: devices.KindECG, Unit: "mV",
				SampleRate: r.Freq, Scale: 1 / spec.Gain, Baseline: spec.Baseline, Min: -2048, Max: 2047}
			if err := s.AddSignal(ctx, rec.ID, sig); err != nil {
				t.Fatal(err)
			}
			var batch []devices.Chunk
			per := int(r.Freq)
			for k, seq := 0, uint64(0); k < len(r.Samples[i]); k, seq = k+per, seq+1 {
				end := min(k+per, len(r.Samples[i]))
				batch = append(batch, devices.Chunk{Signal: sig.ID, Seq: seq, HostTime: t0.Add(time.Duration(k) * time.Second / time.Duration(per)),
					Samples: r.Samples[i][k:end]})
			}
			if err := s.AppendChunks(ctx, rec.ID, batch); err != nil {
				t.Fatal(err)
			}
			samples += int64(len(r.Samples[i]))
		}
		if err := s.StopRecording(ctx, rec.ID, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	live := dbBytes(t, s)
	if _, err := s.Compact(ctx, t0.Add(48*time.Hour), DefaultBlockSeconds); err != nil {
		t.Fatal(err)
	}
	compacted := dbBytes(t, s)
	liveBits, bits := float64(live)*8/float64(samples), float64(compacted)*8/float64(samples)
	t.Logf("%d records, %d samples: live 1 s chunks %.2f bits/sample; compacted into %d s blocks %.3f bits/sample (database bytes in use)",
		len(heads), samples, liveBits, DefaultBlockSeconds, bits)
	return bits
}

// dbBytes is the database's bytes in use after a checkpoint.
func dbBytes(tb testing.TB, s *Store) int64 {
	tb.Helper()
	exec(tb, s, `PRAGMA wal_checkpoint(TRUNCATE)`)
	pages, free, size := count(tb, s, `PRAGMA page_count`), count(tb, s, `PRAGMA freelist_count`), count(tb, s, `PRAGMA page_size`)
	return int64(pages-free) * int64(size)
}
