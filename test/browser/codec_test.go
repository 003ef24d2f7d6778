package browser

import (
	"context"
	"encoding/base64"
	"math"
	"math/rand"
	"slices"
	"testing"

	"telewave/storage/wavecodec"
)

// jsDecoded is what the page's wavecodec.decode made of one input.
type jsDecoded struct {
	OK      bool    `json:"ok"`
	Samples []int32 `json:"samples"`
	Err     string  `json:"err"`
}

// decodeInBrowser runs the viewer's wavecodec.decode on every input.
func decodeInBrowser(tb testing.TB, ctx context.Context, inputs [][]byte) []jsDecoded {
	tb.Helper()
	b64 := make([]string, len(inputs))
	for i, in := range inputs {
		b64[i] = base64.StdEncoding.EncodeToString(in)
	}
	return eval[[]jsDecoded](tb, ctx, `import('/m/wavecodec.js').then(m => `+jsArg(tb, b64)+`.map(s => {
		const b = Uint8Array.from(atob(s), c => c.charCodeAt(0));
		try { return {ok: true, samples: Array.from(m.decode(b))}; }
		catch (e) { return {ok: false, err: String(e.message), samples: null}; }
	}))`)
}

// checkSame compares the page's decoding of each input with Go's: the same
// samples, or both refusing it. The page reads only version 1 (live
// chunks), so a version 2 block must be refused there.
func checkSame(t *testing.T, inputs [][]byte, got []jsDecoded) {
	t.Helper()
	if len(got) != len(inputs) {
		t.Fatalf("page decoded %d inputs, want %d", len(got), len(inputs))
	}
	for i, in := range inputs {
		want, err := wavecodec.Decode(in, nil)
		goOK := err == nil && (len(in) == 0 || in[0] == wavecodec.Version)
		if got[i].OK != goOK {
			t.Errorf("input %d (% x…): page ok=%v (%s), Go err=%v", i, in[:min(len(in), 12)], got[i].OK, got[i].Err, err)
			continue
		}
		if goOK && !slices.Equal(got[i].Samples, want) && !(len(want) == 0 && len(got[i].Samples) == 0) {
			t.Errorf("input %d: page decoded %d samples %v…, Go %d samples %v…", i,
				len(got[i].Samples), got[i].Samples[:min(8, len(got[i].Samples))], len(want), want[:min(8, len(want))])
		}
		if !goOK && got[i].Err == "" {
			t.Errorf("input %d: refused without a message", i)
		}
	}
}

// sampleRuns are waveforms that exercise every path of the codec: flat,
// ECG-like, noise of every size, escapes (spikes) and the int32 extremes.
func sampleRuns() map[string][]int32 {
	rng := rand.New(rand.NewSource(7))
	runs := map[string][]int32{"empty": {}, "one": {-5}, "two": {3, -70000}}
	ecg := make([]int32, 500)
	for i := range ecg {
		ph := float64(i%400) / 400
		ecg[i] = int32(1000*math.Exp(-math.Pow((ph-0.3)/0.01, 2)) - 150*math.Exp(-math.Pow((ph-0.33)/0.01, 2)) + 200*math.Exp(-math.Pow((ph-0.6)/0.05, 2)) + rng.NormFloat64()*4)
	}
	runs["ecg"] = ecg
	for _, amp := range []float64{1, 100, 1e4, 1e6, 1e9} {
		w := make([]int32, 64*3+17)
		for i := range w {
			w[i] = int32(math.Max(math.MinInt32, math.Min(math.MaxInt32, rng.NormFloat64()*amp)))
		}
		runs["noise"+string(rune('a'+len(runs)))] = w
	}
	spikes := make([]int32, 130)
	for i := range spikes {
		if i%17 == 0 {
			spikes[i] = 1 << 30
		}
	}
	runs["spikes"] = spikes
	runs["extremes"] = []int32{math.MaxInt32, math.MinInt32, math.MaxInt32, math.MinInt32, 0, math.MaxInt32}
	audio := make([]int32, 160)
	for i := range audio {
		audio[i] = int32(20000 * math.Sin(float64(i)*0.3) * math.Exp(-float64(i%40)/10))
	}
	runs["audio"] = audio
	return runs
}

// TestWavecodecMatchesGo decodes Go's encodings of many waveforms in the
// page, and damaged copies of them (truncated, bit-flipped, extended),
// and checks the page agrees with storage/wavecodec sample for sample and
// refuses what Go refuses.
func TestWavecodecMatchesGo(t *testing.T) {
	ctx := moduleTab(t)
	var inputs [][]byte
	runs := sampleRuns()
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range runs {
			if !yield(k) {
				return
			}
		}
	}) {
		enc := wavecodec.Encode(nil, runs[name])
		inputs = append(inputs, enc)
		rng := rand.New(rand.NewSource(int64(len(enc))))
		for cut := 0; cut < len(enc); cut += 1 + len(enc)/7 {
			inputs = append(inputs, enc[:cut])
		}
		for range 12 {
			bad := slices.Clone(enc)
			bad[rng.Intn(len(bad))] ^= 1 << rng.Intn(8)
			inputs = append(inputs, bad)
		}
		inputs = append(inputs, append(slices.Clone(enc), 0), append(slices.Clone(enc), 0x80))
	}
	inputs = append(inputs, wavecodec.EncodeBlock(nil, runs["ecg"]), []byte{1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f})
	got := decodeInBrowser(t, ctx, inputs)
	checkSame(t, inputs, got)
	ok := 0
	for _, g := range got {
		if g.OK {
			ok++
		}
	}
	if ok < len(runs) {
		t.Errorf("only %d of %d inputs decoded; every undamaged encoding should", ok, len(inputs))
	}
}

// FuzzWavecodec feeds arbitrary bytes to the page's decoder and to Go's:
// the page never throws anything but its clean error, and agrees with Go.
func FuzzWavecodec(f *testing.F) {
	for _, r := range sampleRuns() {
		f.Add(wavecodec.Encode(nil, r))
	}
	f.Add([]byte{1, 3, 0x0c})
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) > 4096 {
			return
		}
		ctx := fuzzTab(t)
		checkSame(t, [][]byte{b}, decodeInBrowser(t, ctx, [][]byte{b}))
	})
}
