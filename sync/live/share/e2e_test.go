package share_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// Host → relay → Go viewer over the loopback: every sample, numeric,
// event and alarm arrives as the monitor published it.
func TestEndToEnd(t *testing.T) {
	r := newRig(t, rigOpts{})
	f := &feeder{pub: r.share.Publish, audio: true}
	sess, c := r.join("Dr. Remote")
	if p := sess.Patient(); p.Name != "Zebulon Quetzalcoatl" || p.MRN != "MRN-77-31-4159" {
		t.Errorf("patient %+v", p)
	}
	f.start()
	t0 := time.Now().Truncate(time.Millisecond)
	numerics := []devices.Numeric{
		{Code: devices.MDCECGHeartRate, Label: "HR", Value: 72, Unit: "/min", Time: t0},
		{Code: devices.MDCPulsOximSatO2, Label: "SpO2", Value: 97.31, Unit: "%", Time: t0.Add(time.Millisecond)},
		{Code: 0, RawCode: "0x4bb8", Label: "Unknown", Value: -3.5, Unit: "1", Time: t0.Add(2 * time.Millisecond), Status: devices.QuestionableValue},
	}
	for i := range numerics {
		r.share.Publish("monitor", &numerics[i])
	}
	ev := devices.Event{Kind: devices.Technical, Code: devices.EventLeadOff, Text: "V1 off", Time: t0, Priority: devices.Medium}
	r.share.Publish("ecg", &ev)
	alarms := []wire.AlarmRec{{ID: "spo2-low", Priority: devices.High, Text: "SpO2 LOW", Source: "oximeter", Flashing: true, Audible: true}}
	r.share.SetAlarms(alarms)

	eventually(t, "2 s of ECG", 20*time.Second, func() bool { return c.count("ecg-ii") >= 1000 })
	f.stop()
	for _, id := range []string{"ecg-i", "ecg-ii", "ecg-iii", "pleth", "pcg"} {
		want := f.samples(id)
		eventually(t, id+" complete", 10*time.Second, func() bool { return c.count(id) >= len(want) })
		got, gaps := c.samples(id)
		if !slices.Equal(got, want) || gaps != 0 {
			t.Errorf("%s: received %d samples (%d after gaps), sent %d; equal: %v", id, len(got), gaps, len(want), slices.Equal(got, want))
		}
	}
	c.with(func(c *collector) {
		for _, sig := range append(slices.Clone(ecgSignals), plethSignal, pcgSignal) {
			if c.signals[sig.ID] != sig {
				t.Errorf("signal %s: got %+v, want %+v", sig.ID, c.signals[sig.ID], sig)
			}
		}
		if _, ok := c.signals["pcg-env"]; ok || len(c.chunks["pcg-env"]) > 0 {
			t.Errorf("the PCG envelope was sent")
		}
		if len(c.numerics) != len(numerics) {
			t.Fatalf("numerics: got %d, want %d", len(c.numerics), len(numerics))
		}
		for i, n := range c.numerics {
			w := numerics[i]
			if n.Code != w.Code || n.RawCode != w.RawCode || n.Label != w.Label || n.Value != w.Value ||
				n.Unit != w.Unit || n.Status != w.Status || !n.Time.Equal(w.Time) {
				t.Errorf("numeric %d: got %+v, want %+v", i, n, w)
			}
		}
		if len(c.events) != 1 || c.events[0].Code != ev.Code || c.events[0].Text != ev.Text || !c.events[0].Time.Equal(ev.Time) {
			t.Errorf("events %+v", c.events)
		}
		if len(c.alarms) == 0 || !slices.Equal(c.alarms[len(c.alarms)-1], alarms) {
			t.Errorf("alarms %+v, want %+v last", c.alarms, alarms)
		}
	})
	if st := sess.Stats(); st.Bad != 0 || st.Replays != 0 || st.Gaps != 0 || st.Unknown != 0 {
		t.Errorf("viewer stats %+v", st)
	}
	st := r.share.Status()
	if st.Link != share.Connected || len(st.Viewers) != 1 || !st.Viewers[0].Admitted || st.Viewers[0].Name != "Dr. Remote" {
		t.Errorf("status %+v", st)
	}
	if r.auditCount("share-start") != 1 || r.auditCount("share-admit") != 1 {
		t.Errorf("audits %v", r.audits)
	}
}

// A viewer that knocks and is never admitted receives nothing of the
// stream, while an admitted one receives it.
func TestUnadmittedViewerGetsNothing(t *testing.T) {
	r := newRig(t, rigOpts{noAdmit: true})
	f := &feeder{pub: r.share.Publish}
	f.start()
	defer f.stop()

	waiting := dialRaw(t, r.share.Link(), "Waiting Room")
	eventually(t, "the first knock", 10*time.Second, func() bool { return r.knockCount() == 1 })

	admitted := make(chan *view.Session, 1)
	go func() {
		sess, err := view.Join(context.Background(), r.share.Link(), "Admitted")
		if err != nil {
			t.Error(err)
		}
		admitted <- sess
	}()
	eventually(t, "the second knock", 10*time.Second, func() bool { return r.knockCount() == 2 })
	r.mu.Lock()
	second := r.knocks[1]
	r.mu.Unlock()
	if second.Name != "Admitted" || second.Client != "telewave" {
		t.Fatalf("second knock %+v", second)
	}
	if err := r.share.Admit(second.ID); err != nil {
		t.Fatal(err)
	}
	sess := <-admitted
	if sess == nil {
		t.FailNow()
	}
	defer sess.Close()
	c := collect(sess)
	eventually(t, "1 s of ECG", 10*time.Second, func() bool { return c.count("ecg-ii") >= 500 })
	if n := waiting.count(); n != 0 {
		t.Errorf("the unadmitted viewer received %d messages", n)
	}
	if st := r.share.Status(); st.Knocks != 1 || len(st.Viewers) != 2 {
		t.Errorf("status %+v: want one knocking, one admitted", st)
	}
	// A viewer nobody answers gives up with a clear error.
	ctx := context.Background()
	_, err := view.JoinWith(ctx, r.share.Link(), view.Options{Name: "Impatient", AdmitWait: 300 * time.Millisecond})
	if !errors.Is(err, view.ErrNoAnswer) {
		t.Errorf("join nobody answers: %v, want ErrNoAnswer", err)
	}
}
