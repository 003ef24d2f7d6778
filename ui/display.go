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
	"telewave/ui/render"
	"telewave/ui/waveview"
)

// Trace colours follow bedside-monitor habit: ECG green, pleth cyan.
var (
	ecgGreen   = color.RGBA{0, 230, 118, 255}
	plethCyan  = color.RGBA{0, 200, 255, 255}
	abpRed     = color.RGBA{255, 70, 70, 255}
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
					trace: waveview.Trace{Label: s.Label, Color: ecgGreen, Rate: s.SampleRate, Min: -1.5, Max: 2.5}})
			}
		case *contec.Driver:
			s := contec.PlethSignal
			out = append(out, lane{slot: d.Slot, signal: s.ID, perUnit: 1,
				trace: waveview.Trace{Label: "Pleth", Color: plethCyan, Rate: s.SampleRate, Min: -0.05, Max: 1.05}})
		case *intellivue.Driver:
			out = append(out,
				lane{slot: d.Slot, signal: "ecg-ii", perUnit: 1,
					trace: waveview.Trace{Label: "ECG II (monitor)", Color: ecgGreen, Rate: 500, Min: -1.5, Max: 2.5}},
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
						trace: waveview.Trace{Label: s.ID + " (12-lead)", Color: ecgGreen, Rate: s.SampleRate, Min: -1.5, Max: 2.5}})
				}
			}
		}
	}
	return out
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

func newDisplay(specs []app.DeviceSpec) *display {
	d := &display{lanes: lanesFor(specs), index: map[laneKey]int{}}
	traces := make([]waveview.Trace, len(d.lanes))
	for i, l := range d.lanes {
		traces[i] = l.trace
		d.index[laneKey{l.slot, l.signal}] = i
	}
	d.view = waveview.New(traces, waveview.Options{Seconds: 6, EraseWidth: 14, Background: background,
		Grid: render.Grid{MinorX: 8, MinorY: 8, MajorX: 40, MajorY: 40, Minor: gridMinor, Major: gridMajor}})
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
	var buf []float32
	for {
		var e app.Envelope
		select {
		case e = <-sub.C:
		case <-ctx.Done():
			return
		}
		switch m := e.Msg.(type) {
		case *devices.Signal:
			signals[laneKey{e.Device, m.ID}] = *m
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
			buf = buf[:0]
			for _, c := range m.Samples {
				buf = append(buf, float32(sig.Physical(c))*d.lanes[i].perUnit)
			}
			d.view.Push(i, buf)
		}
	}
}
