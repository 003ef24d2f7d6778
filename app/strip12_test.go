package app

import (
	"context"
	"errors"
	"testing"
	"time"

	"telewave/devices/ads1298"
	"telewave/storage"
)

// A 12-lead strip captured from a live board holds the last ten seconds of
// all twelve leads, read back from the sealed recording, and is queued for
// the EHR; as an ecg12 record its leads are in µV at the board's scale.
func TestCaptureStripFromLiveBoard(t *testing.T) {
	store, p := openStore(t)
	sim := &ads1298.Simulator{Speed: 1, Record: true}
	s, err := Simulate(context.Background(), ads1298.Protocol, sim, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	w, err := NewWorkstation(Config{Store: store, User: "admin", Patient: p,
		Devices: []DeviceSpec{{Slot: "ecg", Driver: ads1298.NewDriver(nil), Path: s.Path}}})
	if err != nil {
		t.Fatal(err)
	}
	w.Start(context.Background())
	defer w.Close()

	ctx := context.Background()
	if _, err := w.CaptureStrip(ctx, "nothing-here", time.Second); !errors.Is(err, ErrNoECG) {
		t.Fatalf("capture from an empty slot: %v, want ErrNoECG", err)
	}
	eventually(t, 10*time.Second, "the board streaming", func() bool { return streaming(w, "ecg") })
	streamed := time.Now()
	eventually(t, 15*time.Second, "2.5 s of ECG", func() bool { return time.Since(streamed) > 2500*time.Millisecond })
	before, err := store.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	st, err := w.CaptureStrip(ctx, "ecg", 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Leads) != 12 {
		t.Fatalf("strip has %d leads, want 12", len(st.Leads))
	}
	for _, l := range st.Leads {
		if len(l.Samples) != 2*ads1298.SampleRate {
			t.Fatalf("lead %s: %d samples, want %d", l.Signal.ID, len(l.Samples), 2*ads1298.SampleRate)
		}
		valid := 0
		for _, v := range l.Samples {
			if v != storage.GapSample {
				valid++
			}
		}
		// The last few milliseconds may still be in the board's burst.
		if valid < len(l.Samples)*9/10 {
			t.Fatalf("lead %s: only %d of %d samples recorded", l.Signal.ID, valid, len(l.Samples))
		}
	}
	after, err := store.OutboxStats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after.Pending != before.Pending+1 {
		t.Fatalf("outbox pending %d → %d, want one strip queued", before.Pending, after.Pending)
	}

	rec, gaps, err := StripRecord(st, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Leads) != 12 || rec.SampleRate != ads1298.SampleRate {
		t.Fatalf("record: %d leads at %g Hz", len(rec.Leads), rec.SampleRate)
	}
	if rec.Leads[1].Label != "II" || rec.Leads[3].Label != "aVR" {
		t.Fatalf("labels %q %q, want II and aVR", rec.Leads[1].Label, rec.Leads[3].Label)
	}
	if got := rec.Leads[0].Scale; got < ads1298.ScaleUV*0.999 || got > ads1298.ScaleUV*1.001 {
		t.Fatalf("lead I scale %g µV/count, want %g", got, ads1298.ScaleUV)
	}
	if gaps > len(st.Leads[0].Samples)*12/10 {
		t.Fatalf("%d gap samples", gaps)
	}
	// The recorded counts are the board's: some sample of lead II appears in
	// what the simulator sent.
	sent := sim.Sent()["II"]
	want := map[int32]bool{}
	for _, v := range sent {
		want[v] = true
	}
	hits := 0
	for _, v := range rec.Leads[1].Samples {
		if want[v] {
			hits++
		}
	}
	if hits < len(rec.Leads[1].Samples)*8/10 {
		t.Fatalf("only %d of %d lead II samples are ones the board sent", hits, len(rec.Leads[1].Samples))
	}
}
