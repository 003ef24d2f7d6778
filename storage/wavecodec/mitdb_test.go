package wavecodec

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"telewave/formats/wfdb"
)

// sharedData finds ../shared/data beside the repository root, walking up
// from the package directory to the directory holding go.mod.
func sharedData(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "data")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("no go.mod above the package directory")
		}
		dir = parent
	}
}

// TestMITBIHCompression encodes every MIT-BIH Arrhythmia record in
// ../shared/data/mitdb both ways the store does: version 1 in 1 s chunks
// (live) and blocks of 10, 30 and 60 s (compacted), each lead on its own,
// and logs bits per sample per record and overall. Every 60 s block is
// decoded back to check it is lossless.
func TestMITBIHCompression(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED: -short; the whole MIT-BIH corpus takes seconds to encode")
	}
	root := sharedData(t)
	names, _ := filepath.Glob(filepath.Join(root, "mitdb", "*.hea"))
	if len(names) == 0 {
		t.Skipf("SKIPPED: no MIT-BIH records in %s; the compression figures were not measured", filepath.Join(root, "mitdb"))
	}
	blockSeconds := []int{10, 30, 60}
	var total struct {
		samples int
		chunks  int
		blocks  [3]int
	}
	var table strings.Builder
	fmt.Fprintf(&table, "record  v1 1s chunks  block 10s  block 30s  block 60s   (bits/sample)\n")
	for _, name := range names {
		rec := strings.TrimSuffix(filepath.Base(name), ".hea")
		r, err := wfdb.Read(os.DirFS(root), "mitdb/"+rec)
		if err != nil {
			t.Fatalf("read %s: %v", rec, err)
		}
		fs := int(r.Freq)
		var samples, chunks int
		var blocks [3]int
		for _, lead := range r.Samples {
			samples += len(lead)
			chunks += encodedSize(lead, fs, Encode)
			for i, s := range blockSeconds {
				blocks[i] += encodedSize(lead, s*fs, EncodeBlock)
			}
			checkBlocks(t, rec, lead, 60*fs)
		}
		bps := func(n, samples int) float64 { return float64(8*n) / float64(samples) }
		fmt.Fprintf(&table, "%-6s  %12.3f  %9.3f  %9.3f  %9.3f\n", rec, bps(chunks, samples),
			bps(blocks[0], samples), bps(blocks[1], samples), bps(blocks[2], samples))
		total.samples += samples
		total.chunks += chunks
		for i := range blocks {
			total.blocks[i] += blocks[i]
		}
	}
	bps := func(n int) float64 { return float64(8*n) / float64(total.samples) }
	fmt.Fprintf(&table, "%-6s  %12.3f  %9.3f  %9.3f  %9.3f\n", "all", bps(total.chunks),
		bps(total.blocks[0]), bps(total.blocks[1]), bps(total.blocks[2]))
	t.Logf("%d records, %d samples\n%s", len(names), total.samples, table.String())
	if got := bps(total.blocks[2]); got > 3.95 {
		t.Errorf("60 s blocks: %.3f bits/sample overall, want <= 3.95", got)
	}
	if bps(total.blocks[2]) >= bps(total.chunks) {
		t.Errorf("blocks are no smaller than 1 s chunks")
	}
}

// encodedSize is the total size of samples encoded in pieces of n.
func encodedSize(samples []int32, n int, encode func([]byte, []int32) []byte) int {
	var size int
	var buf []byte
	for start := 0; start < len(samples); start += n {
		buf = encode(buf[:0], samples[start:min(start+n, len(samples))])
		size += len(buf)
	}
	return size
}

func checkBlocks(t *testing.T, rec string, samples []int32, n int) {
	t.Helper()
	var buf []byte
	var out []int32
	for start := 0; start < len(samples); start += n {
		want := samples[start:min(start+n, len(samples))]
		buf = EncodeBlock(buf[:0], want)
		var err error
		if out, err = DecodeBlock(buf, out[:0]); err != nil || !slices.Equal(out, want) {
			t.Fatalf("record %s block at %d: round trip failed: %v", rec, start, err)
		}
	}
}
