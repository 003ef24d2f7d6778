package ui

import (
	"context"
	"fmt"
	"image"
	"math"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/devices"
	"telewave/storage"
)

// recordingWithChunks stores a 120 s, 250 Hz ECG in one-second chunks, an
// event at +90 s and an annotation at +30 s.
func recordingWithChunks(t *testing.T, s *session, p storage.Patient) (storage.Recording, time.Time) {
	t.Helper()
	ctx := context.Background()
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	rec, err := s.store.StartRecording(ctx, p.ID, devices.DeviceInfo{Protocol: "openbci", Model: "Cyton"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	sig := devices.Signal{ID: "ch1", Label: "ECG II", Kind: devices.KindECG, Unit: "mV", SampleRate: 250, Scale: 0.001, Min: -5000, Max: 5000}
	if err := s.store.AddSignal(ctx, rec.ID, sig); err != nil {
		t.Fatal(err)
	}
	var chunks []devices.Chunk
	for k := range 120 {
		c := devices.Chunk{Signal: "ch1", Seq: uint64(k), HostTime: t0.Add(time.Duration(k) * time.Second), Samples: make([]int32, 250)}
		for i := range c.Samples {
			c.Samples[i] = int32(1000 * math.Sin(2*math.Pi*float64(k*250+i)/250))
		}
		chunks = append(chunks, c)
	}
	if err := s.store.AppendChunks(ctx, rec.ID, chunks); err != nil {
		t.Fatal(err)
	}
	if err := s.store.AppendEvents(ctx, rec.ID, []devices.Event{{Kind: devices.Physiological, Code: "VT", Text: "VT run", Time: t0.Add(90 * time.Second)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Annotate(ctx, storage.Annotation{RecordingID: rec.ID, Time: t0.Add(30 * time.Second), Text: "artefact"}); err != nil {
		t.Fatal(err)
	}
	if err := s.store.StopRecording(ctx, rec.ID, t0.Add(120*time.Second)); err != nil {
		t.Fatal(err)
	}
	rec, err = s.store.Recording(ctx, rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	return rec, t0
}

func waitWindow(t *testing.T, r *review, from time.Time) fetched {
	t.Helper()
	waitFor(t, fmt.Sprintf("the window from %v", from.Format("15:04:05.000")), func() bool {
		f := r.lastFetched()
		return f.from.Equal(from) && f.chunks > 0
	})
	return r.lastFetched()
}

func TestReviewLoadsTheVisibleWindow(t *testing.T) {
	s, _, _ := signedInSession(t, -1)
	p := addTestPatient(t, s, "A-100", "Ada Lovelace")
	rec, t0 := recordingWithChunks(t, s, p)
	u, _ := s.store.CurrentUser()
	r := s.openReview(u, p, rec)

	// Opens at the start with the default zoom: ten one-second chunks.
	f := waitWindow(t, r, t0)
	if f.span != 10*time.Second || !f.first[0].Equal(t0) || f.chunks != 10 {
		t.Fatalf("first window: %+v", f)
	}
	if len(r.marks) != 2 || !r.marks[0].annotation || r.marks[1].annotation {
		t.Fatalf("marks %+v", r.marks)
	}

	// The slider moves the window; only that window is read.
	r.slider.SetValue(50)
	f = waitWindow(t, r, t0.Add(50*time.Second))
	if !f.first[0].Equal(t0.Add(50*time.Second)) || f.chunks != 10 {
		t.Errorf("window at +50 s: first chunk %v, %d chunks", f.first[0].Sub(t0), f.chunks)
	}

	// Next mark from +55 s (the centre) is the event at +90 s: centred.
	test.Tap(r.next)
	f = waitWindow(t, r, t0.Add(85*time.Second))
	if !f.first[0].Equal(t0.Add(85 * time.Second)) {
		t.Errorf("after next mark: first chunk at %v", f.first[0].Sub(t0))
	}
	// Previous mark from +90 s is the annotation at +30 s.
	test.Tap(r.prev)
	waitWindow(t, r, t0.Add(25*time.Second))

	// Zooming keeps the centre.
	r.zoom.SetSelected("60 s")
	f = waitWindow(t, r, t0)
	if f.span != time.Minute || f.chunks != 60 {
		t.Errorf("60 s zoom around +30 s: %+v", f)
	}
	r.zoom.SetSelected("2.5 s")
	f = waitWindow(t, r, t0.Add(28750*time.Millisecond))
	if f.chunks != 4 || !f.first[0].Equal(t0.Add(28*time.Second)) { // 28 to 31 overlap 28.75..31.25
		t.Errorf("2.5 s zoom: %d chunks from %v", f.chunks, f.first[0].Sub(t0))
	}
	if r.strip.Image.Bounds().Dx() != stripWidth {
		t.Errorf("strip is %v", r.strip.Image.Bounds())
	}

	// Annotate here: at the centre line.
	r.zoom.SetSelected("10 s")
	r.slider.SetValue(60)
	waitWindow(t, r, t0.Add(60*time.Second))
	r.note.SetText("ST elevation")
	test.Tap(r.annotate)
	waitFor(t, "the note", func() bool { return len(r.marks) == 3 })
	notes, err := s.store.Annotations(context.Background(), rec.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(notes) != 2 || notes[1].Text != "ST elevation" || !notes[1].Time.Equal(t0.Add(65*time.Second)) || notes[1].Author != testAdmin {
		t.Errorf("notes %+v", notes)
	}

	// Opening the recording was audited.
	log, err := s.store.AuditLog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("patient %d recording %d", p.ID, rec.ID)
	found := false
	for _, e := range log {
		found = found || e.Action == "view" && e.Detail == want
	}
	if !found {
		t.Errorf("no audit row view %q", want)
	}

	// Leaving stops the loader.
	s.show(busy("elsewhere"))
	select {
	case <-r.done:
	default:
		t.Error("the loader still runs after the screen was left")
	}
}

func TestStripDrawsTheWindow(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	sig := devices.Signal{ID: "ch1", Kind: devices.KindECG, SampleRate: 100, Scale: 1}
	// One chunk of a ramp in the first half of a 2 s window; nothing after.
	// Its last sample is at +0.99 s: column 0.99/2 × width.
	c := devices.Chunk{Signal: "ch1", HostTime: t0, Samples: make([]int32, 100)}
	for i := range c.Samples {
		c.Samples[i] = int32(i)
	}
	tests := []struct {
		name   string
		from   time.Time
		valid  [2]int // first and last valid column
		noneAt int
		someAt int
	}{
		{"ramp in the first half", t0, [2]int{0, 99 * stripWidth / 200}, stripWidth/2 + 10, 10},
		{"window starts later", t0.Add(500 * time.Millisecond), [2]int{0, 49 * stripWidth / 200}, stripWidth/4 + 10, 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := stripScene([]devices.Signal{sig}, [][]devices.Chunk{{c}}, tc.from, 2*time.Second)
			cols := sc.Lanes[0].Columns
			first, last := -1, -1
			for x, col := range cols {
				if col.Valid {
					if first < 0 {
						first = x
					}
					last = x
				}
			}
			if first != tc.valid[0] || last != tc.valid[1] || cols[tc.noneAt].Valid {
				t.Errorf("valid columns %d..%d, want %d..%d", first, last, tc.valid[0], tc.valid[1])
			}
			// A rising ramp climbs the lane: later columns sit higher (smaller rows).
			if cols[tc.someAt].Last <= cols[last].Last {
				t.Errorf("ramp not rising: row %v at %d, %v at %d", cols[tc.someAt].Last, tc.someAt, cols[last].Last, last)
			}
			img := image.NewRGBA(image.Rect(0, 0, sc.Width, sc.Height))
			drawMarks(img, []mark{{at: tc.from.Add(time.Second), annotation: true}}, tc.from, 2*time.Second)
			if got := img.RGBAAt(stripWidth/2, 3); got != annotationYellow {
				t.Errorf("mark at the centre drawn as %v", got)
			}
		})
	}
}

// A slow signal stays a line: columns between its samples are filled in.
func TestStripJoinsSlowSamples(t *testing.T) {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	sig := devices.Signal{ID: "spo2", SampleRate: 1, Scale: 1}
	c := devices.Chunk{HostTime: t0, Samples: []int32{90, 100, 90, 100}}
	sc := stripScene([]devices.Signal{sig}, [][]devices.Chunk{{c}}, t0, 10*time.Second)
	for x, col := range sc.Lanes[0].Columns {
		if want := x <= 3*stripWidth/10; col.Valid != want {
			t.Fatalf("column %d valid %v, want %v", x, col.Valid, want)
		}
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{{0, "0:00:00.0"}, {-time.Second, "0:00:00.0"}, {90*time.Second + 500*time.Millisecond, "0:01:30.5"}, {25*time.Hour + 61*time.Second, "25:01:01.0"}}
	for _, tc := range tests {
		if got := clock(tc.d); got != tc.want {
			t.Errorf("clock(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
	if !strings.Contains(recordingLine(storage.Recording{Started: time.Now(), Device: devices.DeviceInfo{Protocol: "nonin"}}), "live or interrupted") {
		t.Error("an unstopped recording is not called live")
	}
}

// One window of the busiest review: eight 500 Hz lanes, 60 s per screen.
func BenchmarkStripScene(b *testing.B) {
	t0 := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	sigs := make([]devices.Signal, maxLanes)
	chunks := make([][]devices.Chunk, maxLanes)
	for i := range sigs {
		sigs[i] = devices.Signal{ID: fmt.Sprint(i), SampleRate: 500, Scale: 0.001}
		for k := range 60 {
			c := devices.Chunk{HostTime: t0.Add(time.Duration(k) * time.Second), Samples: make([]int32, 500)}
			for j := range c.Samples {
				c.Samples[j] = int32(1000 * math.Sin(float64(k*500+j)/40))
			}
			chunks[i] = append(chunks[i], c)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		stripScene(sigs, chunks, t0, time.Minute)
	}
}
