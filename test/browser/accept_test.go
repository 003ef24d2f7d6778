package browser

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"telewave/sync/live/wire"
)

// laneInk is what the canvas shows in one lane's sweep area (right of the
// calibration pulse, below the label): pixels of the lane's trace colour,
// the pixel columns holding any, and a hash of where they are.
type laneInk struct {
	Key     string `json:"key"`
	Kind    string `json:"kind"`
	Pixels  int    `json:"pixels"`
	Columns int    `json:"columns"`
	Hash    uint32 `json:"hash"`
}

const inkJS = `(() => {
	const c = document.getElementById('waves');
	const g = c.getContext('2d');
	const d = window.devicePixelRatio || 1;
	const x0 = Math.ceil(telewave.state.sweepX * d);
	return telewave.state.lanes.map((l) => {
		const rgb = [1, 3, 5].map((i) => parseInt(l.colour.slice(i, i + 2), 16));
		const y0 = Math.round((l.top + 20) * d), h = Math.round((l.height - 20) * d), w = c.width - x0;
		const px = g.getImageData(x0, y0, w, h).data;
		let pixels = 0, hash = 0;
		const cols = new Set();
		for (let i = 0; i < px.length; i += 4) {
			if (px[i] === rgb[0] && px[i + 1] === rgb[1] && px[i + 2] === rgb[2]) {
				pixels++;
				cols.add((i / 4) % w);
				hash = (Math.imul(hash, 31) + i) >>> 0;
			}
		}
		return {key: l.key, kind: l.kind, pixels, columns: cols.size, hash};
	});
})()`

// openViewer opens the invite in a new tab as name.
func openViewer(t testing.TB, link, name string, wait int) context.Context {
	t.Helper()
	ctx := newTab(t)
	nav, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(nav, chromedp.Navigate(pageURL(link, name, wait))); err != nil {
		t.Fatalf("open the invite: %v", err)
	}
	return ctx
}

// shownValue is how the page writes a numeric (formatValue in panel.js).
func shownValue(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// TestViewerAcceptance is issue #10's acceptance in a real browser: a
// share of the simulated monitor through a relay on 127.0.0.1, the invite
// opened in headless Chromium, the viewer admitted; then the traces are
// drawn in every lane and move, the numerics shown equal the source, the
// alarm bar shows the alarm in its colour, and the stethoscope plays.
func TestViewerAcceptance(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := openViewer(t, r.share.Link(), "Dr Ines Okafor", 0)
	waitFor(t, ctx, "admitted", `telewave.state.phase === 'watching'`, 30*time.Second)
	if r.knockCount() != 1 || r.knocks[0].Name != "Dr Ines Okafor" || r.knocks[0].Client != "browser" {
		t.Errorf("the clinician saw knocks %+v, want one from Dr Ines Okafor (browser)", r.knocks)
	}
	if title := eval[string](t, ctx, `document.title`); !strings.Contains(title, patient.Name) {
		t.Errorf("title %q does not name the patient", title)
	}

	// Traces: four lanes (I, II, III, pleth) — no lane for the sound —
	// each inked over a second's worth of columns, and moving.
	waitFor(t, ctx, "four lanes drawing", `telewave.state.lanes.length === 4 && telewave.state.lanes.every(l => telewave.stats.lastDrawnSampleTime[l.key] > 0)`, 15*time.Second)
	start := eval[float64](t, ctx, `Math.min(...Object.values(telewave.stats.lastDrawnSampleTime))`)
	waitFor(t, ctx, "a second drawn", fmt.Sprintf(`Math.min(...Object.values(telewave.stats.lastDrawnSampleTime)) > %f`, start+1500), 15*time.Second)
	before := eval[[]laneInk](t, ctx, inkJS)
	waitFor(t, ctx, "another second drawn", fmt.Sprintf(`Math.min(...Object.values(telewave.stats.lastDrawnSampleTime)) > %f`, start+2500), 15*time.Second)
	after := eval[[]laneInk](t, ctx, inkJS)
	want := []string{device + "/I", device + "/II", device + "/III", device + "/pleth"}
	if len(after) != len(want) {
		t.Fatalf("lanes %+v, want %v", after, want)
	}
	// 25 mm/s at 96 dpi is 94.5 px a second: over 1.5 s most of ~140
	// columns must hold trace.
	for i, l := range after {
		if l.Key != want[i] {
			t.Errorf("lane %d is %s, want %s", i, l.Key, want[i])
		}
		if before[i].Columns < 100 || l.Columns < before[i].Columns+50 {
			t.Errorf("lane %s: trace in %d then %d columns, want ≥ 100 and growing by ≥ 50 a second", l.Key, before[i].Columns, l.Columns)
		}
		if l.Hash == before[i].Hash {
			t.Errorf("lane %s: the trace did not change in a second", l.Key)
		}
	}

	// Numerics: every source value shown as it was sent.
	type shown struct {
		Value float64 `json:"value"`
		Unit  string  `json:"unit"`
		Shown string  `json:"shown"`
		Text  string  `json:"text"`
	}
	waitFor(t, ctx, "numerics", fmt.Sprintf(`Object.keys(telewave.stats.numerics).length >= %d`, len(numerics)), 10*time.Second)
	got := eval[map[string]shown](t, ctx, `Object.fromEntries(Object.entries(telewave.stats.numerics).map(([k, v]) =>
		[k, {...v, text: document.querySelector('.numeric[data-key="' + k + '"] .value').textContent}]))`)
	for _, n := range numerics {
		key := fmt.Sprintf("%s/%d", device, n.Code)
		g, ok := got[key]
		if !ok || g.Value != n.Value || g.Unit != n.Unit || g.Shown != shownValue(n.Value) || g.Text != shownValue(n.Value) {
			t.Errorf("numeric %s: page shows %+v, source %v %s", n.Label, g, n.Value, n.Unit)
		}
	}

	// The alarm bar: high priority, red and flashing, with its text.
	bar := eval[[]string](t, ctx, `[document.getElementById('alarms').className, document.getElementById('alarms').textContent]`)
	if !strings.Contains(bar[0], "high") || !strings.Contains(bar[0], "flash") || !strings.Contains(bar[1], "SpO2 LOW 84 < 90") {
		t.Errorf("alarm bar %q, want the high flashing SpO2 alarm", bar)
	}

	// The stethoscope: the AudioContext runs, the scheduled sound grows
	// with the stream, and nothing ran dry after the first second.
	type audio struct {
		Playing   bool    `json:"playing"`
		State     string  `json:"state"`
		Scheduled float64 `json:"scheduledSeconds"`
		Underruns int     `json:"underruns"`
		Rate      float64 `json:"rate"`
	}
	a1 := eval[audio](t, ctx, `telewave.stats.audio`)
	waitFor(t, ctx, "two more seconds of sound", fmt.Sprintf(`telewave.stats.audio.scheduledSeconds > %f`, a1.Scheduled+2), 15*time.Second)
	a2 := eval[audio](t, ctx, `telewave.stats.audio`)
	if a2.State != "running" || !a2.Playing || a2.Underruns != 0 || a2.Rate != 4000 || a1.Scheduled < 1 {
		t.Errorf("audio %+v after %+v, want running, playing at 4000 Hz, no underruns", a2, a1)
	}
	if s := eval[string](t, ctx, `document.getElementById('audio-status').textContent`); s != "audio: playing" {
		t.Errorf("audio status %q", s)
	}

	type counts struct {
		Frames, Dropped, BadFrames, UnknownChunks, Gaps int
		Latencies                                       []float64
		Errors                                          []string
	}
	c := eval[counts](t, ctx, `telewave.stats`)
	if c.Frames < 50 || c.Dropped != 0 || c.BadFrames != 0 || c.UnknownChunks != 0 || len(c.Errors) != 0 {
		t.Errorf("page counted %d frames, %d dropped, %d bad, %d unknown chunks; errors %q", c.Frames, c.Dropped, c.BadFrames, c.UnknownChunks, c.Errors)
	}
	p50, p99 := percentile(c.Latencies, 50), percentile(c.Latencies, 99)
	t.Logf("latency sample→drawn over %d frames: p50 %.0f ms, p99 %.0f ms; %d gaps", len(c.Latencies), p50, p99, c.Gaps)
}

// TestViewerWrongKey opens the invite with another share's host key: the
// host cannot open the knock, nothing is drawn, and the page says it
// could not join.
func TestViewerWrongKey(t *testing.T) {
	r := newRig(t, rigOptions{})
	other, err := wire.NewHost(r.share.Invite().Session)
	if err != nil {
		t.Fatal(err)
	}
	inv := r.share.Invite()
	inv.HostKey = other.PublicKey()
	ctx := openViewer(t, inv.Link(), "Mallory", 3)
	waitFor(t, ctx, "refused", `telewave.state.phase === 'failed'`, 20*time.Second)
	msg := eval[string](t, ctx, `telewave.state.message + ' | ' + document.getElementById('status').textContent`)
	if !strings.Contains(msg, "could not join") {
		t.Errorf("page says %q, want that it could not join", msg)
	}
	if n := eval[int](t, ctx, `telewave.stats.frames + telewave.state.lanes.length + Object.keys(telewave.stats.numerics).length`); n != 0 {
		t.Errorf("page received or shows %d things with a wrong key", n)
	}
	if st := r.share.Status(); st.Knocks != 0 || st.BadKnocks == 0 || r.knockCount() != 0 {
		t.Errorf("share status %+v, %d knocks heard; want the knock refused unopened", st, r.knockCount())
	}
}

// TestViewerLinkProblems: a link without its key, an expired invite and a
// viewer the clinician removes each end with the reason on the page.
func TestViewerLinkProblems(t *testing.T) {
	t.Run("no key", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		link, _, _ := strings.Cut(r.share.Link(), "#")
		ctx := openViewer(t, link+"#x=1", "Dr A", 0)
		waitFor(t, ctx, "refused", `telewave.state.phase === 'failed' && telewave.state.message.includes('no key')`, 10*time.Second)
	})
	t.Run("expired", func(t *testing.T) {
		// The relay's clock runs past the invite's 30 minutes.
		r := newRig(t, rigOptions{relayNow: func() time.Time { return time.Now().Add(31 * time.Minute) }})
		ctx := openViewer(t, r.share.Link(), "Dr Late", 0)
		waitFor(t, ctx, "refused", `telewave.state.phase === 'failed' && telewave.state.message.includes('invite expired')`, 10*time.Second)
		if r.knockCount() != 0 {
			t.Error("the clinician heard a knock after the invite expired")
		}
	})
	t.Run("removed", func(t *testing.T) {
		r := newRig(t, rigOptions{})
		ctx := openViewer(t, r.share.Link(), "Dr Gone", 0)
		waitFor(t, ctx, "admitted", `telewave.state.phase === 'watching' && telewave.stats.frames > 10`, 30*time.Second)
		id := eval[uint32](t, ctx, `telewave.state.viewer`)
		if err := r.share.Remove(id); err != nil {
			t.Fatal(err)
		}
		waitFor(t, ctx, "removed", `telewave.state.phase === 'ended' && telewave.state.message.includes('removed by the clinician')`, 10*time.Second)
		if r.knockCount() != 1 {
			t.Errorf("%d knocks: a removed viewer must not knock again", r.knockCount())
		}
	})
}

// TestViewerMarker clicks a beat on lead II: the host hears a marker for
// that lead at a sample time of the last sweep, and echoes it back.
func TestViewerMarker(t *testing.T) {
	r := newRig(t, rigOptions{})
	ctx := openViewer(t, r.share.Link(), "Dr Marks", 0)
	waitFor(t, ctx, "two seconds drawn", `telewave.state.phase === 'watching' && telewave.state.lanes.length === 4 && telewave.stats.frames > 100`, 30*time.Second)
	// The sweep fills from its first column at about 94.5 px a second:
	// 60 px in is a beat drawn about 0.6 s after the first sample.
	at := eval[[]float64](t, ctx, `(() => {
		const l = telewave.state.lanes.find((x) => x.signal === 'II');
		const r = document.getElementById('waves').getBoundingClientRect();
		return [r.left + telewave.state.sweepX + 60, r.top + l.top + l.height / 2, telewave.stats.lastDrawnSampleTime[l.key]];
	})()`)
	clicked := time.Now()
	if err := chromedp.Do(ctx, chromedp.MouseClickXY(at[0], at[1])); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(r.markerList()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ms := r.markerList()
	if len(ms) != 1 {
		t.Fatalf("host heard %d markers, want 1 (page toast: %q)", len(ms), eval[string](t, ctx, `document.getElementById('toast').textContent`))
	}
	m := ms[0]
	newest := int64(at[2])
	if m.Device != device || m.Signal != "II" || m.Time > newest || m.Time < newest-10000 || m.Time > clicked.UnixMilli() {
		t.Errorf("marker %+v, want lead II of %s between %d and %d", m, device, newest-10000, newest)
	}
	waitFor(t, ctx, "marker echoed", `telewave.state.markers.length === 1`, 10*time.Second)
}

// percentile of xs (p in 0–100), nearest rank.
func percentile(xs []float64, p float64) float64 {
	if len(xs) == 0 {
		return math.NaN()
	}
	s := slices.Sorted(slices.Values(xs))
	i := int(math.Ceil(p/100*float64(len(s)))) - 1
	return s[max(0, min(i, len(s)-1))]
}

// TestViewerWaitsForAdmission: until the clinician admits it, the page
// says it is waiting and receives nothing; admitted, it draws.
func TestViewerWaitsForAdmission(t *testing.T) {
	r := newRig(t, rigOptions{noAdmit: true})
	ctx := openViewer(t, r.share.Link(), "Dr Patience", 0)
	waitFor(t, ctx, "waiting", `telewave.state.phase === 'waiting' && document.getElementById('status').textContent.includes('waiting for the clinician to admit you')`, 20*time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for r.knockCount() == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if r.knockCount() != 1 {
		t.Fatalf("%d knocks reached the clinician, want 1", r.knockCount())
	}
	if n := eval[int](t, ctx, `telewave.stats.frames + telewave.state.lanes.length`); n != 0 {
		t.Errorf("an unadmitted page received %d things", n)
	}
	r.mu.Lock()
	id := r.knocks[0].ID
	r.mu.Unlock()
	if err := r.share.Admit(id); err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "drawing once admitted", `telewave.state.phase === 'watching' && telewave.state.lanes.length === 4 && telewave.stats.latencies.length > 0`, 20*time.Second)
}
