package ui

import (
	"context"
	"image/color"
	"sync"

	"telewave/app"
	"telewave/devices"
	"telewave/devices/ads1298"
	"telewave/devices/contec"
	"telewave/devices/intellivue"
	"telewave/devices/openbci"
	"telewave/dsp/filter"
	"telewave/ui/paper"
	"telewave/ui/render"
	"telewave/ui/waveview"
)

// Trace colours follow bedside-monitor habit: ECG green, pleth cyan.
var (
	ecgGreen   = color.RGBA{0, 230, 118, 255}
	plethCyan  = color.RGBA{0, 200, 255, 255}
	abpRed     = color.RGBA{255, 70, 70, 255}
	pcgAmber   = color.RGBA{255, 191, 0, 255}
	background = color.RGBA{0, 0, 0, 255}
	gridMinor  = color.RGBA{20, 28, 24, 255}
	gridMajor  = color.RGBA{34, 52, 40, 255}
)

// lane ties one trace on screen to one device signal.
type lane struct {
	slot, signal string
	trace        waveview.Trace
	perUnit      float32 // multiplies the signal's physical value into the trace's unit
}

// Mains is the mains frequency the ECG notch removes (50 Hz in most of the
// world; 60 Hz in the Americas).
var Mains = 50.0

// filterText says which filters the ECG traces show through.
func filterText() string {
	f, err := ecgFilter(500)
	if err != nil {
		return "ECG unfiltered"
	}
	return "ECG filter " + f.Describe() + " (live, causal)"
}

// ecgFilter is the live (causal) monitoring filter of ECG lanes; the
// screen prints its Describe() so the clinician knows what is on.
func ecgFilter(rate float64) (*filter.Chain, error) {
	return filter.New(filter.Monitoring(rate, Mains))
}

type laneKey struct{ slot, signal string }

// lanesFor lays out the traces of the devices being monitored: each ECG
// lead the board's montage names, then each pleth.
func lanesFor(specs []app.DeviceSpec) []lane {
	var out []lane
	for _, d := range specs {
		switch drv := d.Driver.(type) {
		case *openbci.Driver:
			for _, s := range drv.Signals() {
				// The board gives µV; the lane shows -1.5 … +2.5 mV.
				out = append(out, lane{slot: d.Slot, signal: s.ID, perUnit: 1e-3,
					trace: waveview.Trace{Label: s.Label, Color: ecgGreen, Rate: s.SampleRate, Min: -1.5, Max: 2.5, Paper: true}})
			}
		case *contec.Driver:
			s := contec.PlethSignal
			out = append(out, lane{slot: d.Slot, signal: s.ID, perUnit: 1,
				trace: waveview.Trace{Label: "Pleth", Color: plethCyan, Rate: s.SampleRate, Min: -0.05, Max: 1.05}})
		case *intellivue.Driver:
			out = append(out,
				lane{slot: d.Slot, signal: "ecg-ii", perUnit: 1,
					trace: waveview.Trace{Label: "ECG II (monitor)", Color: ecgGreen, Rate: 500, Min: -1.5, Max: 2.5, Paper: true}},
				lane{slot: d.Slot, signal: "pleth", perUnit: 1,
					trace: waveview.Trace{Label: "Pleth (monitor)", Color: plethCyan, Rate: 125, Min: -0.05, Max: 1.05}},
				lane{slot: d.Slot, signal: "abp", perUnit: 1,
					trace: waveview.Trace{Label: "ABP mmHg", Color: abpRed, Rate: 125, Min: 40, Max: 160}})
		case *ads1298.Driver:
			// The monitor screen shows two of the twelve leads; the 12-lead
			// layouts belong to the review and report views.
			for _, s := range ads1298.Signals() {
				if s.ID == "II" || s.ID == "V2" {
					out = append(out, lane{slot: d.Slot, signal: s.ID, perUnit: 1e-3,
						trace: waveview.Trace{Label: s.ID + " (12-lead)", Color: ecgGreen, Rate: s.SampleRate, Min: -1.5, Max: 2.5, Paper: true}})
				}
			}
		}
	}
	return out
}

// pcgLanes show the stethoscope: the phonocardiogram as heard (filtered)
// and its envelope, on the same sweep as the ECG so S1 follows the QRS.
func pcgLanes() []lane {
	return []lane{
		{slot: app.StethoscopeSlot, signal: app.PCGSignal.ID, perUnit: 1,
			trace: waveview.Trace{Label: "PCG", Color: pcgAmber, Rate: app.PCGRate, Min: -0.5, Max: 0.5}},
		{slot: app.StethoscopeSlot, signal: app.PCGEnvelopeSignal.ID, perUnit: 1,
			trace: waveview.Trace{Label: "PCG envelope", Color: pcgAmber, Rate: app.PCGEnvelopeSignal.SampleRate, Min: 0, Max: 0.25}},
	}
}

// display is the waveform area: a WaveView and the goroutine that feeds
// it from the hub. Both stop with stop().
type display struct {
	view   *waveview.WaveView
	lanes  []lane
	index  map[laneKey]int
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

func newDisplay(specs []app.DeviceSpec, stethoscope bool, cal paper.Calibration, mode waveview.Mode) *display {
	lanes := lanesFor(specs)
	if stethoscope {
		lanes = append(lanes, pcgLanes()...)
	}
	return newLaneDisplay(lanes, cal, mode)
}

// newLaneDisplay shows the given lanes.
func newLaneDisplay(lanes []lane, cal paper.Calibration, mode waveview.Mode) *display {
	d := &display{lanes: lanes, index: map[laneKey]int{}}
	traces := make([]waveview.Trace, len(d.lanes))
	for i, l := range d.lanes {
		traces[i] = l.trace
		d.index[laneKey{l.slot, l.signal}] = i
	}
	d.view = waveview.New(traces, waveview.Options{Seconds: 6, EraseWidth: 14, Background: background,
		Grid:        render.Grid{Minor: gridMinor, Major: gridMajor},
		Calibration: &cal, Mode: mode, Filters: filterText(), Rasterizer: newRasterizer()})
	return d
}

// start runs the render goroutine and the feed from a lossy hub
// subscription: when the display falls behind it loses samples, never the
// device reader or the recorder.
func (d *display) start(ctx context.Context, hub *app.Hub, fps int) {
	ctx, d.cancel = context.WithCancel(ctx)
	sub := hub.Subscribe("display", 2048)
	d.wg.Add(2)
	go func() {
		defer d.wg.Done()
		d.view.Run(ctx, fps, Do)
	}()
	go func() {
		defer d.wg.Done()
		defer sub.Close()
		d.feed(ctx, sub)
	}()
}

func (d *display) stop() {
	if d.cancel != nil {
		d.cancel()
		d.wg.Wait()
	}
}

func (d *display) feed(ctx context.Context, sub *app.Subscription) {
	signals := map[laneKey]devices.Signal{}
	filters := map[laneKey]*filter.Chain{}
	var buf []float32
	var in, out []float64
	for {
		var e app.Envelope
		select {
		case e = <-sub.C:
		case <-ctx.Done():
			return
		}
		switch m := e.Msg.(type) {
		case *devices.Signal:
			k := laneKey{e.Device, m.ID}
			signals[k] = *m
			if m.Kind == devices.KindECG && m.SampleRate > 0 {
				if f, err := ecgFilter(m.SampleRate); err == nil {
					filters[k] = f
				}
			}
		case *devices.Chunk:
			k := laneKey{e.Device, m.Signal}
			i, shown := d.index[k]
			sig, known := signals[k]
			if !shown || !known {
				continue
			}
			if m.Flags&devices.GapBefore != 0 {
				d.view.MarkGap(i)
			}
			in, out = in[:0], out[:0]
			for _, c := range m.Samples {
				in = append(in, sig.Physical(c))
			}
			if f := filters[k]; f != nil && len(in) > 0 {
				if m.Flags&devices.GapBefore != 0 || m.Seq == 0 {
					f.Reset()
					f.Prime(in[0])
				}
				out = append(out, in...)
				f.Process(in, out)
				in = out
			}
			buf = buf[:0]
			for _, v := range in {
				buf = append(buf, float32(v)*d.lanes[i].perUnit)
			}
			d.view.Push(i, buf)
		}
	}
}
