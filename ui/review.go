package ui

import (
	"context"
	"fmt"
	"image"
	"slices"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/sqlite"
	"telewave/ui/render/cpu"
)

// zooms are the choices of seconds per screen.
var zooms = []struct {
	label string
	span  time.Duration
}{{"2.5 s", 2500 * time.Millisecond}, {"5 s", 5 * time.Second}, {"10 s", 10 * time.Second},
	{"30 s", 30 * time.Second}, {"60 s", time.Minute}}

const defaultZoom = "10 s"

// fetched is what the loader read and drew for one window.
type fetched struct {
	from   time.Time
	span   time.Duration
	first  []time.Time // per signal, host time of the first chunk (zero: none)
	chunks int
}

// windowRequest asks the loader for a window; marks travel with it so the
// loader never reads the screen's state.
type windowRequest struct {
	from  time.Time
	span  time.Duration
	marks []mark
}

// review shows a stored recording a window at a time: the loader goroutine
// reads only that window's chunks (a 24-hour recording opens as fast as a
// short one), draws it with the CPU rasterizer and hands the picture over.
type review struct {
	s    *session
	st   *sqlite.Store
	user storage.User
	p    storage.Patient
	rec  storage.Recording

	start, end time.Time
	span       time.Duration
	signals    []devices.Signal // fixed before the loader starts
	marks      []mark           // replaced, never changed in place

	slider     *widget.Slider
	zoom       *widget.Select
	prev, next *widget.Button
	note       *widget.Entry
	annotate   *widget.Button
	when       *widget.Label
	status     *widget.Label
	strip      *canvas.Image
	labels     *fyne.Container // one name per lane, beside the strip
	markList   *widget.List
	root       fyne.CanvasObject

	ctx     context.Context
	cancel  context.CancelFunc
	want    chan windowRequest
	done    chan struct{} // nil until the loader runs
	mu      sync.Mutex
	fetched fetched
}

// openReview shows rec of p; leaving the screen stops its loader.
func (s *session) openReview(u storage.User, p storage.Patient, rec storage.Recording) *review {
	r := newReview(s, u, p, rec)
	s.show(r.root)
	s.leave = r.stop
	return r
}

func newReview(s *session, u storage.User, p storage.Patient, rec storage.Recording) *review {
	ctx, cancel := context.WithCancel(s.ctx)
	r := &review{s: s, st: s.store, user: u, p: p, rec: rec, start: rec.Started, end: rec.Stopped, span: 10 * time.Second,
		ctx: ctx, cancel: cancel, want: make(chan windowRequest, 1)}
	if r.end.IsZero() {
		r.end = time.Now() // still recording, or cut short without a stop time
	}
	r.status = widget.NewLabel("Opening the recording…")
	r.when = widget.NewLabel("")
	r.slider = widget.NewSlider(0, 1)
	r.slider.Step = 0.01
	r.slider.OnChanged = func(float64) {
		s.touch()
		r.request()
	}
	labels := make([]string, len(zooms))
	for i, z := range zooms {
		labels[i] = z.label
	}
	r.zoom = widget.NewSelect(labels, func(l string) {
		s.touch()
		r.setZoom(l)
	})
	r.prev = widget.NewButton("◀ Previous mark", s.act(func() { r.jump(-1) }))
	r.next = widget.NewButton("Next mark ▶", s.act(func() { r.jump(+1) }))
	r.note = widget.NewEntry()
	r.note.SetPlaceHolder("note at the centre line")
	s.watchEntries(r.note)
	r.annotate = widget.NewButton("Annotate here", s.act(r.addAnnotation))
	r.strip = canvas.NewImageFromImage(image.NewRGBA(image.Rect(0, 0, 1, 1)))
	r.strip.FillMode = canvas.ImageFillStretch
	r.strip.ScaleMode = canvas.ImageScaleFastest
	r.strip.SetMinSize(fyne.NewSize(600, 240))
	r.markList = widget.NewList(
		func() int { return len(r.marks) },
		func() fyne.CanvasObject { return widget.NewLabel("00:00:00 mark") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(r.markLine(r.marks[i])) })
	r.markList.OnSelected = func(i widget.ListItemID) {
		s.touch()
		r.centreOn(r.marks[i].at)
	}
	for _, b := range []fyne.Disableable{r.slider, r.zoom, r.prev, r.next, r.annotate} {
		b.Disable()
	}

	back := widget.NewButton("Back to "+p.Name, s.act(func() { s.showHome(u, p.ID) }))
	head := container.NewHBox(back, widget.NewLabelWithStyle(fmt.Sprintf("%s — %s", p.Name, recordingLine(rec)),
		fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	controls := container.NewBorder(nil, nil, container.NewHBox(widget.NewLabel("Per screen"), r.zoom, r.prev, r.next),
		r.annotate, r.note)
	bottom := container.NewVBox(r.slider, r.when, controls, r.status)
	marks := container.NewBorder(widget.NewLabelWithStyle("Events and notes", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), nil, nil, nil, r.markList)
	r.labels = container.NewGridWithRows(1)
	split := container.NewHSplit(container.NewBorder(nil, nil, r.labels, nil, r.strip), marks)
	split.SetOffset(0.8)
	r.root = container.NewBorder(head, bottom, nil, nil, split)
	go r.open()
	return r
}

// open audits the view and reads what the whole recording needs: its
// signals, events and notes (small), never its samples.
func (r *review) open() {
	st, ctx := r.st, r.ctx
	err := st.Audit(ctx, "view", fmt.Sprintf("patient %d recording %d", r.p.ID, r.rec.ID))
	var (
		sigs  []devices.Signal
		marks []mark
	)
	if err == nil {
		sigs, err = st.Signals(ctx, r.rec.ID)
	}
	if err == nil {
		marks, err = readMarks(ctx, st, r.rec.ID)
	}
	Do(func() {
		if r.ctx.Err() != nil {
			return // left meanwhile
		}
		if err != nil {
			r.status.SetText(fmt.Sprintf("Could not open the recording: %v", err))
			return
		}
		if len(sigs) > maxLanes {
			sigs = sigs[:maxLanes]
		}
		r.signals, r.marks = sigs, marks
		r.markList.Refresh()
		r.labels.Layout = layout.NewGridLayoutWithRows(max(len(sigs), 1))
		for _, sig := range sigs {
			r.labels.Add(widget.NewLabel(fmt.Sprintf("%s\n%s", sig.Label, sig.Unit)))
		}
		if n := max(len(sigs), 1); n > 2 {
			r.strip.SetMinSize(fyne.NewSize(600, float32(n*90)))
		}
		r.done = make(chan struct{})
		go r.load()
		for _, b := range []fyne.Disableable{r.slider, r.zoom, r.prev, r.next, r.annotate} {
			b.Enable()
		}
		r.status.SetText(fmt.Sprintf("%d signals, %d events and notes.", len(sigs), len(marks)))
		r.zoom.SetSelected(defaultZoom) // sets the slider's range and asks for the first window
	})
}

// marksSource is what readMarks needs of the store.
type marksSource interface {
	Events(ctx context.Context, recordingID int64) ([]devices.Event, error)
	Annotations(ctx context.Context, recordingID int64) ([]storage.Annotation, error)
}

func readMarks(ctx context.Context, st marksSource, recID int64) ([]mark, error) {
	evs, err := st.Events(ctx, recID)
	if err != nil {
		return nil, err
	}
	notes, err := st.Annotations(ctx, recID)
	if err != nil {
		return nil, err
	}
	var out []mark
	for _, e := range evs {
		out = append(out, mark{at: e.Time, text: e.Text})
	}
	for _, a := range notes {
		out = append(out, mark{at: a.Time, text: a.Author + ": " + a.Text, annotation: true})
	}
	slices.SortStableFunc(out, func(a, b mark) int { return a.at.Compare(b.at) })
	return out, nil
}

func (r *review) markLine(m mark) string {
	kind := "event"
	if m.annotation {
		kind = "note"
	}
	return fmt.Sprintf("+%s  %s  %s", clock(m.at.Sub(r.start)), kind, m.text)
}

// clock formats an offset into the recording as h:mm:ss.s.
func clock(d time.Duration) string {
	d = max(d, 0)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	sec := float64(d%time.Minute) / float64(time.Second)
	return fmt.Sprintf("%d:%02d:%04.1f", h, m, sec)
}

// from is the window's start, from the slider.
func (r *review) from() time.Time {
	return r.start.Add(time.Duration(r.slider.Value * float64(time.Second)))
}

func (r *review) setZoom(label string) {
	for _, z := range zooms {
		if z.label == label {
			centre := r.from().Add(r.span / 2)
			r.span = z.span
			total := r.end.Sub(r.start)
			r.slider.Max = max((total - r.span).Seconds(), 0.01)
			r.centreOn(centre)
			r.request() // SetValue is silent when the start did not move
			return
		}
	}
}

// centreOn moves the window so that t is at its centre line.
func (r *review) centreOn(t time.Time) {
	r.slider.SetValue(t.Add(-r.span / 2).Sub(r.start).Seconds())
	r.slider.Refresh()
}

// jump centres the previous (dir < 0) or next mark off the centre line.
func (r *review) jump(dir int) {
	centre := r.from().Add(r.span / 2)
	const near = 50 * time.Millisecond // the slider's step, and then some
	if dir > 0 {
		for _, m := range r.marks {
			if m.at.Sub(centre) > near {
				r.centreOn(m.at)
				return
			}
		}
	} else {
		for _, m := range slices.Backward(r.marks) {
			if centre.Sub(m.at) > near {
				r.centreOn(m.at)
				return
			}
		}
	}
	r.status.SetText("No more marks that way.")
}

// request hands the current window to the loader, replacing one it has
// not started yet. Only the UI thread sends, so the send cannot block.
func (r *review) request() {
	if r.done == nil {
		return
	}
	select {
	case <-r.want:
	default:
	}
	r.want <- windowRequest{from: r.from(), span: r.span, marks: r.marks}
	r.when.SetText(fmt.Sprintf("+%s to +%s of %s", clock(r.from().Sub(r.start)), clock(r.from().Add(r.span).Sub(r.start)), clock(r.end.Sub(r.start))))
}

// load is the loader goroutine: it reads and draws each window asked for.
func (r *review) load() {
	defer close(r.done)
	rast := cpu.New()
	for {
		var req windowRequest
		select {
		case <-r.ctx.Done():
			return
		case req = <-r.want:
		}
		f := fetched{from: req.from, span: req.span, first: make([]time.Time, len(r.signals))}
		chunks := make([][]devices.Chunk, len(r.signals))
		var err error
		for i, sig := range r.signals {
			chunks[i], err = r.st.ChunksBetween(r.ctx, r.rec.ID, sig.ID, req.from, req.from.Add(req.span))
			if err != nil {
				err = fmt.Errorf("read %s: %w", sig.Label, err)
				break
			}
			if len(chunks[i]) > 0 {
				f.first[i] = chunks[i][0].HostTime
			}
			f.chunks += len(chunks[i])
		}
		if r.ctx.Err() != nil {
			return
		}
		var img *image.RGBA
		if err == nil {
			sc := stripScene(r.signals, chunks, req.from, req.span)
			img = image.NewRGBA(image.Rect(0, 0, sc.Width, sc.Height))
			rast.Draw(img, sc)
			drawMarks(img, req.marks, req.from, req.span)
		}
		Do(func() { r.show(f, img, err) })
	}
}

// show runs on the UI thread with a drawn window.
func (r *review) show(f fetched, img *image.RGBA, err error) {
	if r.ctx.Err() != nil {
		return
	}
	if err != nil {
		r.status.SetText(fmt.Sprintf("Could not read the window: %v", err))
		return
	}
	r.mu.Lock()
	r.fetched = f
	r.mu.Unlock()
	r.strip.Image = img
	r.strip.Refresh()
	if f.chunks == 0 {
		r.status.SetText("No signal in this window.")
	} else {
		r.status.SetText("")
	}
}

// lastFetched returns what the loader last showed.
func (r *review) lastFetched() fetched {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetched
}

// addAnnotation stores the note at the window's centre time.
func (r *review) addAnnotation() {
	text := r.note.Text
	if text == "" {
		r.status.SetText("Type the note first.")
		return
	}
	at := r.from().Add(r.span / 2)
	r.annotate.Disable()
	st, ctx, recID := r.st, r.ctx, r.rec.ID
	go func() {
		a, err := st.Annotate(ctx, storage.Annotation{RecordingID: recID, Time: at, Text: text})
		Do(func() {
			if r.ctx.Err() != nil {
				return
			}
			r.annotate.Enable()
			if err != nil {
				r.status.SetText(fmt.Sprintf("Could not store the note: %v", err))
				return
			}
			r.note.SetText("")
			marks := append(slices.Clone(r.marks), mark{at: a.Time, text: a.Author + ": " + a.Text, annotation: true})
			slices.SortStableFunc(marks, func(a, b mark) int { return a.at.Compare(b.at) })
			r.marks = marks
			r.markList.Refresh()
			r.status.SetText("Note stored at +" + clock(at.Sub(r.start)) + ".")
			r.request()
		})
	}()
}

// stop ends the loader; it runs on the UI thread when the screen is left.
func (r *review) stop() {
	r.cancel()
	if r.done != nil {
		<-r.done
	}
}
