package ui

import (
	"context"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/alarms"
)

// The alarm bar redraws its lamps every flashStep (2 Hz flashing needs a
// change every 250 ms) and reads the engine every pollEvery.
const (
	flashStep = 50 * time.Millisecond
	pollEvery = 250 * time.Millisecond
)

// lampOff is a flashing lamp's dark half.
var lampOff = color.NRGBA{R: 0x30, G: 0x30, B: 0x30, A: 0xFF}

// AlarmBar shows the alarms of the engine, highest priority first, each
// with a lamp in its priority's colour that flashes at its priority's
// rate until acknowledged (IEC 60601-1-8: high red 2 Hz, medium yellow
// 0.6 Hz, low cyan steady), the audio-pause countdown and the
// Acknowledge and Pause audio buttons.
type AlarmBar struct {
	widget.BaseWidget

	snapshot func() alarms.State
	now      func() time.Time
	root     *fyne.Container
	rows     *fyne.Container
	paused   *widget.Label
	ackBtn   *widget.Button
	pauseBtn *widget.Button
	items    []alarmRow
	shown    []string // what the rows show, to rebuild only on change

	kick   chan struct{}
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

type alarmRow struct {
	lamp    *canvas.Rectangle
	text    *canvas.Text
	colour  color.NRGBA
	flashHz float64 // 0: steady
}

// newAlarmBar returns a bar that reads snapshot (off the UI thread) and
// calls ack and pause (on it: they must not block) from its buttons.
func newAlarmBar(snapshot func() alarms.State, ack func(), pause func()) *AlarmBar {
	b := &AlarmBar{snapshot: snapshot, now: time.Now, kick: make(chan struct{}, 1)}
	b.rows = container.NewVBox()
	b.paused = widget.NewLabel("")
	b.ackBtn = widget.NewButton("Acknowledge", func() {
		ack()
		b.refreshSoon()
	})
	b.pauseBtn = widget.NewButton("Pause audio 2 min", func() {
		pause()
		b.refreshSoon()
	})
	buttons := container.NewVBox(b.ackBtn, b.pauseBtn, b.paused)
	b.root = container.NewBorder(nil, nil, nil, buttons, b.rows)
	b.ExtendBaseWidget(b)
	b.apply(alarms.State{}, b.now())
	return b
}

// CreateRenderer is Fyne's hook: the bar is its container.
func (b *AlarmBar) CreateRenderer() fyne.WidgetRenderer { return widget.NewSimpleRenderer(b.root) }

// Start reads the engine and flashes the lamps until ctx ends or Stop.
func (b *AlarmBar) Start(ctx context.Context) {
	ctx, b.cancel = context.WithCancel(ctx)
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		b.loop(ctx)
	}()
}

// Stop ends Start's goroutine and waits for it.
func (b *AlarmBar) Stop() {
	if b.cancel != nil {
		b.cancel()
	}
	b.wg.Wait()
}

func (b *AlarmBar) refreshSoon() {
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

func (b *AlarmBar) loop(ctx context.Context) {
	t := time.NewTicker(flashStep)
	defer t.Stop()
	st := b.snapshot()
	polled := b.now()
	for {
		now := b.now()
		if now.Sub(polled) >= pollEvery {
			st, polled = b.snapshot(), now
		}
		Do(func() { b.apply(st, now) })
		select {
		case <-t.C:
		case <-b.kick:
			polled = time.Time{}
		case <-ctx.Done():
			return
		}
	}
}

// apply shows st at now; on the UI thread.
func (b *AlarmBar) apply(st alarms.State, now time.Time) {
	var shown []string
	for _, a := range st.Alarms {
		shown = append(shown, fmt.Sprintf("%s|%d|%s|%v|%v", a.ID, a.Priority, a.Text, a.Flashing, a.Latched()))
	}
	if !slices.Equal(shown, b.shown) {
		b.shown = shown
		b.rebuild(st)
	}
	for _, r := range b.items {
		c := r.colour
		if r.flashHz > 0 && math.Mod(float64(now.UnixNano())/1e9*r.flashHz, 1) >= 0.5 {
			c = lampOff
		}
		if r.lamp.FillColor != color.Color(c) {
			r.lamp.FillColor = c
			r.lamp.Refresh()
		}
	}
	paused := ""
	if left := st.AudioPausedUntil.Sub(now); left > 0 {
		s := int(math.Ceil(left.Seconds()))
		paused = fmt.Sprintf("Audio paused %d:%02d", s/60, s%60)
	}
	if b.paused.Text != paused {
		b.paused.SetText(paused)
	}
}

func (b *AlarmBar) rebuild(st alarms.State) {
	b.items = b.items[:0]
	var objs []fyne.CanvasObject
	for _, a := range st.Alarms {
		s := alarms.StyleOf(a.Priority)
		r := alarmRow{lamp: canvas.NewRectangle(s.Colour), colour: s.Colour}
		if a.Flashing {
			r.flashHz = s.FlashHz
		}
		label := fmt.Sprintf("%s  %s", strings.ToUpper(alarms.PriorityName(a.Priority)), a.Text)
		switch {
		case a.Latched():
			label += "  (latched: acknowledge)"
		case a.Acknowledged:
			label += "  (acknowledged)"
		}
		r.text = canvas.NewText(label, s.Colour)
		r.text.TextStyle = fyne.TextStyle{Bold: true}
		r.text.TextSize = 18
		b.items = append(b.items, r)
		objs = append(objs, container.NewHBox(container.NewGridWrap(fyne.NewSize(20, 20), r.lamp), r.text))
	}
	if len(objs) == 0 {
		quiet := canvas.NewText("No alarms", alarms.StyleOf(0).Colour)
		quiet.TextSize = 18
		objs = append(objs, quiet)
	}
	b.rows.Objects = objs
	b.rows.Refresh()
}
