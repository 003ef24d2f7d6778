package app

import (
	"context"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/sync/live/share"
	"telewave/sync/live/view"
	"telewave/sync/live/wire"
)

// The workstation shares its live hub through its own local relay: an
// admitted viewer receives the device's samples exactly and its numerics;
// a marker the viewer drops becomes an event in the device's recording;
// the share's start and admission are audited.
func TestShareFromTheWorkstation(t *testing.T) {
	store, p := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p})
	if err != nil {
		t.Fatal(err)
	}
	w.Start(ctx)
	defer w.Close()
	// Declared before the share starts: the share must still scale it.
	sig := devices.Signal{ID: "ecg-1", Label: "ECG I", Kind: devices.KindECG, Unit: "mV", SampleRate: 250, Scale: 0.005, Min: -2000, Max: 2000}
	w.Hub.Publish(Envelope{Device: "ecg", Msg: &sig})
	eventually(t, 5*time.Second, "the signal declared", func() bool { return len(w.Monitor.Signals()) == 1 })

	knocks := make(chan share.Knocker, 1)
	sh, err := w.StartShare(ctx, ShareConfig{OnKnock: func(k share.Knocker) { knocks <- k }})
	if err != nil {
		t.Fatal(err)
	}
	defer sh.End()

	joined := make(chan *view.Session, 1)
	failed := make(chan error, 1)
	go func() {
		s, err := view.Join(ctx, sh.Link(), "Dr Remote")
		if err != nil {
			failed <- err
			return
		}
		joined <- s
	}()
	var k share.Knocker
	select {
	case k = <-knocks:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("no knock")
	}
	if k.Name != "Dr Remote" {
		t.Fatalf("knock from %q", k.Name)
	}
	if err := sh.Admit(k.ID); err != nil {
		t.Fatal(err)
	}
	var sess *view.Session
	select {
	case sess = <-joined:
	case err := <-failed:
		t.Fatal(err)
	case <-time.After(10 * time.Second):
		t.Fatal("not admitted")
	}
	defer sess.Close()
	if sess.Patient().Name != p.Name {
		t.Fatalf("viewer sees patient %q", sess.Patient().Name)
	}

	t0 := time.Now()
	var sent []int32
	for i := range 25 {
		c := &devices.Chunk{Signal: sig.ID, Seq: uint64(i), HostTime: t0.Add(time.Duration(i) * 40 * time.Millisecond)}
		for j := range 10 {
			c.Samples = append(c.Samples, int32((i*10+j)*37%1500-700))
		}
		sent = append(sent, c.Samples...)
		w.Hub.Publish(Envelope{Device: "ecg", Msg: c})
		time.Sleep(5 * time.Millisecond)
	}
	w.Hub.Publish(Envelope{Device: "oxi", Msg: &devices.Numeric{Code: 150456, Label: "SpO2", Value: 97, Unit: "%", Time: t0}})

	var got []int32
	var spo2 float64
	var rate float64
	deadline := time.After(15 * time.Second)
	for len(got) < len(sent) || spo2 == 0 {
		select {
		case m := <-sess.Messages():
			switch x := m.Msg.(type) {
			case *devices.Chunk:
				if m.Device == "ecg" && x.Signal == sig.ID {
					got = append(got, x.Samples...)
				}
			case *devices.Signal:
				if m.Device == "ecg" && x.ID == sig.ID {
					rate = x.SampleRate
				}
			case *devices.Numeric:
				if x.Label == "SpO2" {
					spo2 = x.Value
				}
			}
		case <-deadline:
			t.Fatalf("received %d of %d samples, SpO2 %v", len(got), len(sent), spo2)
		}
	}
	if !slices.Equal(got, sent) {
		t.Fatalf("samples differ:\n got %v\nwant %v", got[:20], sent[:20])
	}
	if rate != sig.SampleRate {
		t.Fatalf("viewer got the ECG at %v Hz, want %v", rate, sig.SampleRate)
	}
	if spo2 != 97 {
		t.Fatalf("SpO2 %v", spo2)
	}

	markAt := t0.Add(300 * time.Millisecond).UnixMilli()
	if err := sess.Mark(wire.Marker{Time: markAt, Device: "ecg", Signal: sig.ID, Note: "look here"}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 15*time.Second, "the marker in the ECG's recording", func() bool {
		recs, err := store.Recordings(ctx, p.ID)
		if err != nil || len(recs) == 0 {
			return false
		}
		for _, r := range recs {
			evs, err := store.Events(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Code == EventRemoteMarker && e.Time.UnixMilli() == markAt && e.Text == "Marker from Dr Remote on ecg-1: look here" {
					return true
				}
			}
		}
		return false
	})
	log, err := store.AuditLog(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{"share-start", "share-admit"} {
		if !slices.Contains(actions, want) {
			t.Errorf("audit lacks %s: %v", want, actions)
		}
	}
}
