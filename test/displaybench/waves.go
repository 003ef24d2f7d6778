package main

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"

	"telewave/devices/ads1298"
	"telewave/ui/paper"
	"telewave/ui/render"
	"telewave/ui/waveview"
)

// written is one chunk of link bytes: when it was written and how many
// samples per lead had been written once it was.
type written struct {
	at    time.Time
	count uint64
}

// latencies matches chunks to the first painted frame that shows them.
type latencies struct {
	mu      sync.Mutex
	pending []written       // oldest first, not yet painted
	got     []time.Duration // bounded: one per chunk in the measured window
	measure bool
}

func (l *latencies) wrote(w written) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.pending) < 10000 { // a display that never paints must not grow us
		l.pending = append(l.pending, w)
	}
}

// painted records every pending chunk whose last sample is in a frame
// painted at now.
func (l *latencies) painted(now time.Time, through uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	i := 0
	for ; i < len(l.pending) && l.pending[i].count <= through; i++ {
		if l.measure && len(l.got) < 1<<20 {
			l.got = append(l.got, now.Sub(l.pending[i].at))
		}
	}
	l.pending = l.pending[i:]
}

func (l *latencies) start() {
	l.mu.Lock()
	l.measure, l.got = true, l.got[:0]
	l.mu.Unlock()
}

func (l *latencies) quantiles() (p50, p99 time.Duration, n int) {
	l.mu.Lock()
	got := slices.Clone(l.got)
	l.mu.Unlock()
	if len(got) == 0 {
		return 0, 0, 0
	}
	slices.Sort(got)
	q := func(p float64) time.Duration { return got[min(len(got)-1, int(p*float64(len(got))))] }
	return q(0.50), q(0.99), len(got)
}

// startWaves shows twelve leads fed by an ADS1298 byte stream at 500 Hz.
func startWaves(ctx context.Context, wg *sync.WaitGroup, win fyne.Window, c config) (func() (result, error), error) {
	rz, closeRz, err := newRasterizer(c.render)
	if err != nil {
		return nil, err
	}
	traces := make([]waveview.Trace, 12)
	for i, l := range ads1298.Leads {
		traces[i] = waveview.Trace{Label: l.ID, Color: color.RGBA{40, 230, 120, 255}, Rate: ads1298.SampleRate, Min: -1.5, Max: 1.5, Paper: true}
	}
	// As the monitor draws: true paper scale (25 mm/s, 10 mm/mV) at 96 dpi.
	cal := paper.Standard(paper.DefaultDPI, true)
	wv := waveview.New(traces, waveview.Options{Seconds: 6, Rasterizer: rz, Calibration: &cal,
		Background: color.RGBA{0, 0, 0, 255},
		Grid: render.Grid{MinorX: 8, MinorY: 8, MajorX: 40, MajorY: 40,
			Minor: color.RGBA{40, 20, 20, 255}, Major: color.RGBA{90, 30, 30, 255}}})

	// The probe is a 1×1 raster refreshed together with every swap: Fyne
	// calls its generator in the same paint pass that uploads the new
	// waveform picture, so its call time is when the pixels are drawn.
	var lat latencies
	var shownThrough atomic.Uint64
	probeImg := image.NewRGBA(image.Rect(0, 0, 1, 1))
	probe := canvas.NewRaster(func(int, int) image.Image {
		lat.painted(time.Now(), shownThrough.Load())
		return probeImg
	})
	probe.SetMinSize(fyne.NewSize(1, 1))
	win.SetContent(container.NewStack(wv, container.NewWithoutLayout(probe)))
	probe.Resize(fyne.NewSize(1, 1))

	var drawSum atomic.Int64
	var drawN atomic.Int64
	schedule := func(f func()) {
		fyne.Do(func() {
			f()
			drawSum.Add(int64(wv.Stats().LastDraw))
			drawN.Add(1)
			shownThrough.Store(wv.DrawnThrough(0))
			probe.Refresh()
		})
	}

	pr, pw := io.Pipe()
	wg.Add(3)
	go func() { defer wg.Done(); wv.Run(ctx, c.fps, schedule) }()
	go func() { defer wg.Done(); feed(ctx, pw, &lat) }()
	go func() { defer wg.Done(); decode(pr, wv) }()
	go func() { <-ctx.Done(); pr.Close() }()

	return func() (result, error) {
		defer closeRz()
		time.Sleep(time.Duration(c.warmup * float64(time.Second)))
		s0 := wv.Stats()
		d0, n0 := drawSum.Load(), drawN.Load()
		lat.start()
		c0, t0 := cpuTime(), time.Now()
		time.Sleep(time.Duration(c.seconds * float64(time.Second)))
		wall := time.Since(t0)
		cpu := float64(cpuTime()-c0) / float64(wall)
		s1 := wv.Stats()
		d1, n1 := drawSum.Load(), drawN.Load()
		r := result{fps: float64(s1.FramesShown-s0.FramesShown) / wall.Seconds(), cpu: cpu,
			dropped: s1.FramesDropped - s0.FramesDropped}
		if n1 > n0 {
			r.drawMs = float64(d1-d0) / float64(n1-n0) / 1e6
		}
		r.p50, r.p99, r.latencyN = lat.quantiles()
		if rn, ok := rz.(interface{ Renderer() string }); ok {
			r.rendererID = fmt.Sprintf(" [%s]", rn.Renderer())
		}
		if r.latencyN == 0 {
			return r, fmt.Errorf("no frame was painted in %.0f s", wall.Seconds())
		}
		return r, nil
	}, nil
}

// feed writes ADS1298 frames in real time, every 10 ms what is due.
func feed(ctx context.Context, w *io.PipeWriter, lat *latencies) {
	defer w.Close()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	start := time.Now()
	var sent uint64
	buf := make([]byte, 0, 64*ads1298.FrameSize)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := uint64(now.Sub(start).Seconds() * ads1298.SampleRate)
			buf = buf[:0]
			for ; sent < due && len(buf) < cap(buf); sent++ {
				buf = ads1298.AppendFrame(buf, packet(sent))
			}
			at := time.Now()
			if _, err := w.Write(buf); err != nil {
				return
			}
			lat.wrote(written{at: at, count: sent})
		}
	}
}

// packet is sample n of a synthetic 72/min ECG on all eight channels.
func packet(n uint64) ads1298.Packet {
	t := float64(n) / ads1298.SampleRate
	ph := math.Mod(t*1.2, 1)
	mv := 1.2*math.Exp(-sq((ph-0.3)/0.012)) - 0.15*math.Exp(-sq((ph-0.27)/0.01)) +
		0.25*math.Exp(-sq((ph-0.55)/0.05)) + 0.1*math.Exp(-sq((ph-0.12)/0.03))
	p := ads1298.Packet{Counter: uint32(n)}
	for ch := range p.Channels {
		p.Channels[ch] = ads1298.Counts(mv * (0.6 + 0.1*float64(ch)))
	}
	return p
}

func sq(x float64) float64 { return x * x }

// decode reads frames and pushes the twelve leads, in mV, into the view.
func decode(r io.Reader, wv *waveview.WaveView) {
	d := ads1298.NewDecoder(r)
	var one [1]float32
	for {
		p, err := d.Next()
		if err != nil {
			return
		}
		leads := ads1298.Derive(p.Channels)
		for i, v := range leads {
			scale := ads1298.ScaleUV / 1000
			if ads1298.Leads[i].Half {
				scale /= 2
			}
			one[0] = float32(float64(v) * scale)
			wv.Push(i, one[:])
		}
	}
}
