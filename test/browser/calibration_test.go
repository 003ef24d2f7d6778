package browser

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// measureJS reads the calibration back from the canvas pixels: the
// backing store's size, every grid column along a row between lanes
// checked against 1 mm minor and 5 mm major lines at 96 dpi, the height
// of lead I's calibration pulse, and the spacing of lead II's R waves.
const measureJS = `(() => {
	const c = document.getElementById('waves');
	const g = c.getContext('2d');
	const d = window.devicePixelRatio || 1;
	const mm = 96 / 25.4 * d;
	const st = telewave.state;
	const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
	const is = (px, i, col) => px[i] === col[0] && px[i + 1] === col[1] && px[i + 2] === col[2];
	const minor = [20, 28, 24], major = [34, 52, 40];
	// A row half a millimetre below a horizontal line, under the lanes.
	const last = st.lanes[st.lanes.length - 1];
	const k = Math.ceil((last.top + last.height) * d / mm) + 1;
	const y = Math.round((k + 0.5) * mm);
	const row = g.getImageData(0, y, c.width, 1).data;
	const lines = new Map();
	for (let j = 0; Math.round(j * mm) < c.width; j++) lines.set(Math.round(j * mm), j % 5 === 0 ? major : minor);
	let gridBad = 0;
	for (let x = 0; x < c.width; x++) {
		const want = lines.get(x) || [0, 0, 0];
		if (!is(row, x * 4, want)) gridBad++;
	}
	// Lead I's pulse: trace rows in a column inside the step and one
	// before it.
	const traceRows = (lane, x) => {
		const col = g.getImageData(x, Math.round(lane.top * d), 1, Math.round(lane.height * d)).data;
		const ink = rgb(lane.colour), rows = [];
		for (let i = 0; i < col.length; i += 4) if (is(col, i, ink)) rows.push(i / 4);
		return rows;
	};
	const pps = 25 * mm; // device px per second at 25 mm/s
	const lead1 = st.lanes[0];
	const flat = traceRows(lead1, Math.round(0.025 * pps));
	const high = traceRows(lead1, Math.round(0.15 * pps));
	const pulsePx = flat.length && high.length ? flat[0] - high[0] : -1;
	// Lead II's R waves: columns whose trace reaches 0.6 mV above the
	// baseline (below the label), grouped; their centres' spacing.
	const lead2 = st.lanes[1];
	const x0 = Math.ceil(st.sweepX * d);
	const top = Math.round(lead2.top * d), h = Math.round(lead2.height * d);
	const img = g.getImageData(x0, top, c.width - x0, h).data;
	const w = c.width - x0, ink = rgb(lead2.colour);
	const limit = Math.round((lead2.base - lead2.top) * d - 0.6 * 10 * mm);
	const peaks = [];
	let run = [];
	for (let x = 0; x < w; x++) {
		let hit = false;
		for (let r = Math.round(20 * d); r < limit && !hit; r++) hit = is(img, (r * w + x) * 4, ink);
		if (hit) run.push(x);
		else if (run.length) { peaks.push((run[0] + run[run.length - 1]) / 2); run = []; }
	}
	const rr = peaks.slice(1).map((p, i) => p - peaks[i]);
	return {dpr: d, width: c.width, cssWidth: c.clientWidth, height: c.height, cssHeight: c.clientHeight, gridBad, pulsePx, rr};
})()`

// TestViewerCalibration checks the page's paper scale in pixels at
// several device pixel ratios: a backing store of device pixels, the grid
// lines where 1 mm and 5 mm fall at 96 dpi, a 1 mV pulse 10 mm tall, and
// the simulator's 72 beats a minute 20.8 mm apart at 25 mm/s.
func TestViewerCalibration(t *testing.T) {
	r := newRig(t, rigOptions{})
	type result struct {
		DPR               float64
		Width, CSSWidth   int
		Height, CSSHeight int
		GridBad           int
		PulsePx           float64
		RR                []float64
	}
	for _, dpr := range []float64{1, 1.5, 2} {
		t.Run(fmt.Sprintf("dpr %g", dpr), func(t *testing.T) {
			t.Parallel() // three tabs on one share
			ctx := newTab(t)
			nav, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if err := chromedp.Do(nav, chromedp.EmulateViewport(1280, 860, chromedp.EmulateScale(dpr)),
				chromedp.Navigate(pageURL(r.share.Link(), "Dr Ruler", 0))); err != nil {
				t.Fatal(err)
			}
			// Six seconds of sweep hold seven R waves.
			waitFor(t, ctx, "six seconds drawn", `telewave.state.phase === 'watching' && telewave.state.lanes.length === 4 && telewave.stats.latencies.length > 150`, 40*time.Second)
			m := eval[result](t, ctx, measureJS)
			mm := 96 / 25.4 * dpr
			if m.DPR != dpr || m.Width != int(math.Round(float64(m.CSSWidth)*dpr)) || m.Height != int(math.Round(float64(m.CSSHeight)*dpr)) {
				t.Errorf("canvas %dx%d for %dx%d CSS px at dpr %g (page dpr %g)", m.Width, m.Height, m.CSSWidth, m.CSSHeight, dpr, m.DPR)
			}
			if m.GridBad != 0 {
				t.Errorf("%d of %d columns of a grid row are not where 1 mm / 5 mm lines fall", m.GridBad, m.Width)
			}
			if want := 10 * mm; math.Abs(m.PulsePx-want) > 1.5 {
				t.Errorf("1 mV pulse is %v device px tall, want %.1f (10 mm)", m.PulsePx, want)
			}
			want := 60.0 / 72 * 25 * mm
			if len(m.RR) < 4 {
				t.Fatalf("found %d R-R intervals on lead II, want 4 or more", len(m.RR))
			}
			for _, rr := range m.RR[:len(m.RR)-1] { // the last may straddle the erase bar
				if math.Abs(rr-want) > 0.02*want+2 {
					t.Errorf("R-R %.1f device px, want %.1f (72/min at 25 mm/s); all %v", rr, want, m.RR)
					break
				}
			}
		})
	}
}
