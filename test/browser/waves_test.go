package browser

import (
	"context"
	"encoding/base64"
	"math/rand"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/wire"
)

// jsWaves is what the page's readWaves made of a payload.
type jsWaves struct {
	OK     bool    `json:"ok"`
	Err    string  `json:"err"`
	Sent   float64 `json:"sent"`
	Chunks []struct {
		Handle  uint32  `json:"handle"`
		Seq     float64 `json:"seq"` // a JS number: exact below 2^53
		Time    float64 `json:"time"`
		Flags   uint8   `json:"flags"`
		Samples []int32 `json:"samples"`
	} `json:"chunks"`
}

func readWavesInBrowser(tb testing.TB, ctx context.Context, inputs [][]byte) []jsWaves {
	tb.Helper()
	b64 := make([]string, len(inputs))
	for i, in := range inputs {
		b64[i] = base64.StdEncoding.EncodeToString(in)
	}
	return eval[[]jsWaves](tb, ctx, `import('/m/payload.js').then(m => `+jsArg(tb, b64)+`.map(s => {
		const b = Uint8Array.from(atob(s), c => c.charCodeAt(0));
		try {
			const r = m.readWaves(b);
			return {ok: true, sent: r.sent, chunks: r.chunks.map(c => ({...c, samples: Array.from(c.samples)}))};
		} catch (e) { return {ok: false, err: e.constructor.name + ': ' + e.message}; }
	}))`)
}

// checkWaves compares the page's reading of each payload with
// wire.ReadWaves: the same chunks, or both refusing it with the page's
// own PayloadError (never another exception).
func checkWaves(t *testing.T, inputs [][]byte, got []jsWaves) {
	t.Helper()
	for i, in := range inputs {
		sent, chunks, err := wire.ReadWaves(in)
		g := got[i]
		if g.OK != (err == nil) {
			t.Errorf("payload %d (% x…): page ok=%v %s; Go: %v", i, in[:min(len(in), 16)], g.OK, g.Err, err)
			continue
		}
		if err != nil {
			if len(g.Err) < 14 || g.Err[:14] != "PayloadError: " {
				t.Errorf("payload %d: page threw %q, want a PayloadError", i, g.Err)
			}
			continue
		}
		if g.Sent != float64(sent.UnixMilli()) || len(g.Chunks) != len(chunks) {
			t.Errorf("payload %d: page read sent %v and %d chunks, Go %v and %d", i, g.Sent, len(g.Chunks), sent.UnixMilli(), len(chunks))
			continue
		}
		for j, c := range chunks {
			gc := g.Chunks[j]
			if gc.Handle != c.Handle || gc.Seq != float64(c.Seq) || gc.Time != float64(c.Time.UnixMilli()) || gc.Flags != uint8(c.Flags) || !slices.Equal(gc.Samples, c.Samples) && len(c.Samples)+len(gc.Samples) > 0 {
				t.Errorf("payload %d chunk %d: page %+v, Go %+v", i, j, gc, c)
			}
		}
	}
}

// wavePayloads are payloads as a host makes them, with 1–40 chunks of
// every rate and flag, times before and after sent.
func wavePayloads(rng *rand.Rand, n int) [][]byte {
	var out [][]byte
	runs := sampleRuns()
	var names []string
	for k := range runs {
		names = append(names, k)
	}
	slices.Sort(names)
	for range n {
		sent := time.UnixMilli(1_750_000_000_000 + rng.Int63n(1e9))
		var chunks []wire.WaveChunk
		for range 1 + rng.Intn(12) {
			r := runs[names[rng.Intn(len(names))]]
			chunks = append(chunks, wire.WaveChunk{Handle: uint32(rng.Intn(300)), Seq: uint64(rng.Int63n(1 << 40)),
				Time: sent.Add(time.Duration(rng.Intn(2000)-1500) * time.Millisecond), Flags: devices.ChunkFlags(rng.Intn(8)), Samples: r})
		}
		out = append(out, wire.AppendWaves(nil, sent, chunks))
	}
	return out
}

// TestReadWavesMatchesGo reads host payloads and damaged copies of them in
// the page and checks it agrees with wire.ReadWaves chunk for chunk.
func TestReadWavesMatchesGo(t *testing.T) {
	ctx := moduleTab(t)
	rng := rand.New(rand.NewSource(3))
	inputs := wavePayloads(rng, 8)
	for _, p := range slices.Clone(inputs) {
		inputs = append(inputs, p[:rng.Intn(len(p))], p[:8])
		for range 6 {
			bad := slices.Clone(p)
			bad[8+rng.Intn(len(bad)-8)] ^= 1 << rng.Intn(8)
			inputs = append(inputs, bad)
		}
	}
	// Bounds: too many chunks, too many samples, a zero-length chunk.
	many := make([]wire.WaveChunk, 1025)
	for i := range many {
		many[i] = wire.WaveChunk{Handle: 1, Seq: uint64(i), Samples: []int32{1}}
	}
	big := make([]int32, 1<<15+1)
	inputs = append(inputs, wire.AppendWaves(nil, time.UnixMilli(1), many), wire.AppendWaves(nil, time.UnixMilli(1), many[:1024]),
		wire.AppendWaves(nil, time.UnixMilli(1), []wire.WaveChunk{{Samples: big}, {Samples: big}}),
		append(wire.AppendWaves(nil, time.UnixMilli(1), nil), 1, 1, 0, 0, 0))
	checkWaves(t, inputs, readWavesInBrowser(t, ctx, inputs))
}

// FuzzReadWaves: the page's readWaves against wire.ReadWaves on arbitrary
// bytes: the same answer, and only PayloadError thrown.
func FuzzReadWaves(f *testing.F) {
	for _, p := range wavePayloads(rand.New(rand.NewSource(1)), 4) {
		f.Add(p)
	}
	f.Add([]byte{0, 0, 1, 0x97, 0x6f, 0x5e, 0x3c, 0x00, 1, 2, 3, 0, 3, 1, 2, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > wire.MaxFrame {
			return
		}
		checkWaves(t, [][]byte{b}, readWavesInBrowser(t, fuzzTab(t), [][]byte{b}))
	})
}
