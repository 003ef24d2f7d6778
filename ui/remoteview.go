package ui

import (
	"context"
	"fmt"
	"image/color"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	fyneapp "fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/app"
	"telewave/devices"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
	"telewave/ui/paper"
	"telewave/ui/waveview"
)

// remoteView shows a telehealth share as the remote specialist sees it:
// the clinician's waveforms on calibrated paper, the numbers, the alarm
// list, and a button that drops a marker on the clinician's recording.
type remoteView struct {
	sess *view.Session
	cal  paper.Calibration
	fps  int
	ctx  context.Context

	hub     *app.Hub // received messages, for the display's feed
	disp    *display
	signals map[laneKey]SignalLane // as announced, in arrival order below
	order   []laneKey
	values  map[string]devices.Numeric

	title   *widget.Label
	alarm   *canvas.Text
	numbers *widget.Label
	note    *widget.Entry
	mark    *widget.Button
	status  *widget.Label
	waves   *fyne.Container
	root    fyne.CanvasObject
}

func newRemoteView(ctx context.Context, sess *view.Session, scr paper.Screen, fps int) *remoteView {
	v := &remoteView{sess: sess, ctx: ctx, fps: fps, cal: paper.Standard(scr.DPI, scr.Calibrated), hub: &app.Hub{},
		signals: map[laneKey]SignalLane{}, values: map[string]devices.Numeric{}}
	p := sess.Patient()
	v.title = widget.NewLabelWithStyle(fmt.Sprintf("Remote view · %s   MRN %s", p.Name, p.MRN), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	v.alarm = canvas.NewText("No alarms", color.RGBA{190, 190, 190, 255})
	v.alarm.TextStyle = fyne.TextStyle{Bold: true}
	v.numbers = widget.NewLabel("no values yet")
	v.note = widget.NewEntry()
	v.note.SetPlaceHolder("note for the marker (optional)")
	v.mark = widget.NewButton("Mark this beat", v.markNow)
	v.status = widget.NewLabel("Connected; waiting for waveforms…")
	v.waves = container.NewStack()
	v.rebuild()
	bottom := container.NewVBox(container.NewBorder(nil, nil, nil, v.mark, v.note), v.status)
	v.root = container.NewBorder(container.NewVBox(v.title, v.alarm), bottom, nil, v.numbers, v.waves)
	return v
}

// run feeds the view from the session until it ends (own goroutine).
func (v *remoteView) run() {
	for m := range v.sess.Messages() {
		switch x := m.Msg.(type) {
		case *devices.Signal:
			k := laneKey{m.Device, x.ID}
			sl := SignalLane{Slot: m.Device, Signal: *x}
			Do(func() {
				if _, seen := v.signals[k]; !seen {
					v.order = append(v.order, k)
				}
				v.signals[k] = sl
				v.rebuild()
			})
		case *devices.Numeric:
			n := *x
			Do(func() {
				v.values[m.Device+"/"+n.Label] = n
				v.numbers.SetText(remoteNumbers(v.values))
			})
		case *view.Alarms:
			list := x.List
			Do(func() { v.showAlarms(list) })
		case *view.Marker:
			mk := x.Marker
			Do(func() {
				v.status.SetText(fmt.Sprintf("Marker at %s by %s", time.UnixMilli(mk.Time).Format("15:04:05.000"), mk.By))
			})
		}
		v.hub.Publish(app.Envelope{Device: m.Device, Msg: m.Msg})
	}
	err := v.sess.Err()
	Do(func() {
		v.mark.Disable()
		if err != nil {
			v.status.SetText("The share ended: " + err.Error())
		} else {
			v.status.SetText("The share ended.")
		}
	})
}

// rebuild lays out one lane per announced signal (UI thread); the new
// display hears every signal again so it can scale their samples.
func (v *remoteView) rebuild() {
	lanes := make([]SignalLane, 0, len(v.order))
	for _, k := range v.order {
		lanes = append(lanes, v.signals[k])
	}
	old := v.disp
	v.disp = newLaneDisplay(lanesForSignals(lanes), v.cal, waveview.ModeSweep)
	v.waves.Objects = []fyne.CanvasObject{v.disp.view}
	v.waves.Refresh()
	v.disp.start(v.ctx, v.hub, v.fps)
	for _, sl := range lanes {
		sig := sl.Signal
		v.hub.Publish(app.Envelope{Device: sl.Slot, Msg: &sig})
	}
	if old != nil {
		go old.stop()
	}
	if len(lanes) > 0 {
		v.status.SetText(fmt.Sprintf("Watching %d waveforms live.", len(lanes)))
	}
}

// markNow drops a marker at the newest sample of the first ECG lead (the
// beat the specialist is looking at as the sweep draws it).
func (v *remoteView) markNow() {
	m := wire.Marker{Time: time.Now().UnixMilli(), Note: strings.TrimSpace(v.note.Text)}
	for _, k := range v.order {
		if s := v.signals[k]; s.Signal.Kind == devices.KindECG {
			m.Device, m.Signal = s.Slot, s.Signal.ID
			break
		}
	}
	v.mark.Disable()
	go func() {
		err := v.sess.Mark(m)
		Do(func() {
			v.mark.Enable()
			if err != nil {
				v.status.SetText("Marker not sent: " + err.Error())
				return
			}
			v.note.SetText("")
			v.status.SetText("Marker sent at " + time.UnixMilli(m.Time).Format("15:04:05.000"))
		})
	}()
}

// showAlarms shows the most urgent alarm in its IEC 60601-1-8 colour.
func (v *remoteView) showAlarms(list []wire.AlarmRec) {
	if len(list) == 0 {
		v.alarm.Text, v.alarm.Color = "No alarms", color.RGBA{190, 190, 190, 255}
	} else {
		top := list[0]
		for _, a := range list[1:] {
			if a.Priority > top.Priority {
				top = a
			}
		}
		v.alarm.Text = top.Text
		if len(list) > 1 {
			v.alarm.Text += fmt.Sprintf("  (+%d more)", len(list)-1)
		}
		v.alarm.Color = priorityColor(top.Priority)
	}
	v.alarm.Refresh()
}

func priorityColor(p devices.Priority) color.Color {
	switch p {
	case devices.High:
		return color.RGBA{255, 40, 40, 255}
	case devices.Medium:
		return color.RGBA{255, 210, 0, 255}
	case devices.Low:
		return color.RGBA{0, 220, 255, 255}
	}
	return color.RGBA{190, 190, 190, 255}
}

// remoteNumbers lists the numbers received, one a line.
func remoteNumbers(values map[string]devices.Numeric) string {
	keys := make([]string, 0, len(values))
	for k := range values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		n := values[k]
		val := fmt.Sprintf("%.4g", n.Value)
		if n.Status == devices.Unavailable {
			val = "--"
		}
		fmt.Fprintf(&b, "%s  %s %s\n", n.Label, val, n.Unit)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// stop ends the display's goroutines.
func (v *remoteView) stop() {
	if v.disp != nil {
		v.disp.stop()
	}
}

// JoinOptions open a remote viewer window.
type JoinOptions struct {
	Link   string // the invite link the clinician shared
	Name   string // shown to the clinician when knocking
	FPS    int
	Render string // as Options.Render
}

// RunJoin opens a window that knocks on a share and, once the clinician
// admits it, shows the share live. It returns when the window is closed.
func RunJoin(opts JoinOptions) error {
	if opts.FPS <= 0 {
		opts.FPS = 30
	}
	if err := useRasterizer(opts.Render); err != nil {
		return err
	}
	a := fyneapp.NewWithID(AppID)
	w := a.NewWindow("Telewave — remote viewer")
	w.Resize(fyne.NewSize(1100, 750))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	waiting := widget.NewLabel(fmt.Sprintf("Knocking as %q… waiting for the clinician to admit you.", opts.Name))
	w.SetContent(container.NewCenter(waiting))
	var rv *remoteView
	go func() {
		scr := detectScreen(ctx)
		sess, err := view.Join(ctx, opts.Link, opts.Name)
		if err != nil {
			Do(func() { waiting.SetText("Could not join: " + err.Error()) })
			return
		}
		Do(func() {
			rv = newRemoteView(ctx, sess, scr, opts.FPS)
			w.SetContent(rv.root)
			go rv.run()
		})
	}()
	w.ShowAndRun()
	cancel()
	if rv != nil {
		rv.sess.Close()
		rv.stop()
	}
	return nil
}
