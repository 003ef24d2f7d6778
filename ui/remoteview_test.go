package ui

import (
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"telewave/app"
	"telewave/devices"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
	"telewave/ui/paper"
)

// The remote viewer window on a real share: the clinician's ECG is drawn,
// the numbers match, the alarm shows, and "Mark this beat" reaches the
// clinician's workstation as a marker.
func TestRemoteViewShowsTheShare(t *testing.T) {
	ctx, ws, db := demoWorkstation(t, true)
	marks := make(chan wire.Marker, 1)
	sh, err := ws.StartShare(ctx, app.ShareConfig{
		OnMarker: func(_ string, m wire.Marker) { marks <- m },
	})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.End()
	joined := make(chan *view.Session, 1)
	go func() {
		s, err := view.Join(ctx, sh.Link(), "Dr Faraway")
		if err != nil {
			t.Error(err)
			close(joined)
			return
		}
		joined <- s
	}()
	waitFor(t, "the knock", func() bool { return sh.Status().Knocks == 1 })
	if err := sh.Admit(sh.Status().Viewers[0].ID); err != nil {
		t.Fatal(err)
	}
	sess := <-joined
	if sess == nil {
		t.FailNow()
	}
	rv := newRemoteView(ctx, sess, paper.Screen{DPI: 96}, 30)
	defer rv.stop()
	defer sess.Close()
	w := test.NewTempWindow(t, rv.root)
	w.Resize(fyne.NewSize(1000, 600))
	go rv.run()
	if !strings.Contains(rv.title.Text, db.Patient.Name) {
		t.Errorf("title %q lacks the patient", rv.title.Text)
	}

	sig := devices.Signal{ID: "ecg-1", Label: "ECG I", Kind: devices.KindECG, Unit: "mV", SampleRate: 250, Scale: 0.005, Min: -2000, Max: 2000}
	ws.Hub.Publish(app.Envelope{Device: "ecg", Msg: &sig})
	stopFeed := make(chan struct{})
	defer close(stopFeed)
	go func() { // a square wave, 1 mV high, for as long as the test runs
		t0 := time.Now()
		for i := 0; ; i++ {
			c := &devices.Chunk{Signal: sig.ID, Seq: uint64(i), HostTime: t0.Add(time.Duration(i) * 40 * time.Millisecond)}
			for j := range 10 {
				c.Samples = append(c.Samples, int32(200*((i*10+j)/50%2)))
			}
			ws.Hub.Publish(app.Envelope{Device: "ecg", Msg: c})
			select {
			case <-stopFeed:
				return
			case <-time.After(40 * time.Millisecond):
			}
		}
	}()
	ws.Hub.Publish(app.Envelope{Device: "oxi", Msg: &devices.Numeric{Code: 150456, Label: "SpO2", Value: 93, Unit: "%", Time: time.Now()}})

	waitFor(t, "the ECG lane and the SpO2", func() bool {
		return len(rv.disp.lanes) == 1 && strings.Contains(rv.numbers.Text, "SpO2  93 %")
	})
	waitFor(t, "the trace drawn", func() bool {
		green, _ := countTraces(w.Canvas().Capture())
		return green > 100
	})

	test.Type(rv.note, "ST change?")
	test.Tap(rv.mark)
	select {
	case m := <-marks:
		if m.Device != "ecg" || m.Signal != sig.ID || m.Note != "ST change?" {
			t.Fatalf("marker %+v", m)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the marker did not reach the clinician")
	}
}

func TestRemoteAlarmShowsTheMostUrgent(t *testing.T) {
	test.NewTempApp(t)
	v := &remoteView{alarm: canvasText()}
	for _, tc := range []struct {
		list []wire.AlarmRec
		want string
		col  devices.Priority
	}{
		{nil, "No alarms", devices.Info},
		{[]wire.AlarmRec{{Text: "SpO2 low", Priority: devices.Medium}, {Text: "Asystole", Priority: devices.High}}, "Asystole  (+1 more)", devices.High},
		{[]wire.AlarmRec{{Text: "Lead off", Priority: devices.Low}}, "Lead off", devices.Low},
	} {
		v.showAlarms(tc.list)
		if v.alarm.Text != tc.want || v.alarm.Color != priorityColor(tc.col) {
			t.Errorf("%v: shows %q in %v, want %q in %v", tc.list, v.alarm.Text, v.alarm.Color, tc.want, priorityColor(tc.col))
		}
	}
}

func canvasText() *canvas.Text { return canvas.NewText("", nil) }
