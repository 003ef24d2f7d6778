package sqlite

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
)

var (
	ecgII = devices.Signal{ID: "ecg-2", Label: "ECG II", Kind: devices.KindECG, MDC: devices.MDCECGLeadII,
		Unit: "mV", SampleRate: 360, Scale: 0.005, Baseline: 1024, Min: 0, Max: 2047}
	pleth = devices.Signal{ID: "pleth", Label: "Pleth", Kind: devices.KindPleth, MDC: devices.MDCPulsOximPleth,
		Unit: "1", SampleRate: 75, Scale: 1, Max: 255}
	monitor = devices.DeviceInfo{Protocol: "contec", Model: "CMS50D", Serial: "SN-4242-XYZ", Port: "/dev/pts/3", VIDPID: "10c4:ea60"}
)

// secondOf makes one second of a signal: a ramp with a twist, so that every
// chunk differs.
func secondOf(sig devices.Signal, seq uint64, t0 time.Time, flags devices.ChunkFlags) devices.Chunk {
	n := int(sig.SampleRate)
	samples := make([]int32, n)
	for i := range samples {
		samples[i] = sig.Baseline + int32((i*7+int(seq)*13)%200) - 100
	}
	return devices.Chunk{Signal: sig.ID, Seq: seq, HostTime: t0.Add(time.Duration(seq) * time.Second), Samples: samples, Flags: flags}
}

func startRecording(tb testing.TB, s *Store, sigs ...devices.Signal) (storage.Patient, storage.Recording) {
	tb.Helper()
	ctx := context.Background()
	p := addPatient(tb, s, "MRN-REC", "Ada Lovelace")
	rec, err := s.StartRecording(ctx, p.ID, monitor, time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC))
	if err != nil {
		tb.Fatal(err)
	}
	for _, sig := range sigs {
		if err := s.AddSignal(ctx, rec.ID, sig); err != nil {
			tb.Fatal(err)
		}
	}
	return p, rec
}

func TestChunksRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	_, rec := startRecording(t, s, ecgII, pleth)
	// Adding a signal again is a no-op, even with another description.
	changed := ecgII
	changed.Label = "something else"
	if err := s.AddSignal(ctx, rec.ID, changed); err != nil {
		t.Fatal(err)
	}
	if sigs, err := s.Signals(ctx, rec.ID); err != nil || len(sigs) != 2 || sigs[0] != ecgII || sigs[1] != pleth {
		t.Fatalf("Signals = %+v, %v", sigs, err)
	}

	t0 := time.Date(2025, 3, 1, 8, 0, 0, 123456789, time.UTC)
	withDevice := secondOf(ecgII, 2, t0, devices.GapBefore|devices.LeadOff)
	withDevice.DeviceTime = time.Date(2025, 3, 1, 7, 59, 58, 1000, time.UTC)
	extremes := devices.Chunk{Signal: ecgII.ID, Seq: 3, HostTime: t0.Add(3 * time.Second),
		Samples: []int32{math.MinInt32, math.MaxInt32, 0, -1}, Flags: devices.Questionable}
	empty := devices.Chunk{Signal: pleth.ID, Seq: 0, HostTime: t0}
	batch := []devices.Chunk{
		secondOf(ecgII, 1, t0, 0), // out of order on purpose: reads come back by seq
		secondOf(ecgII, 0, t0, 0),
		withDevice,
		extremes,
		empty,
		secondOf(pleth, 1, t0, devices.LeadOff),
	}
	if err := s.AppendChunks(ctx, rec.ID, batch); err != nil {
		t.Fatal(err)
	}

	want := map[string][]devices.Chunk{
		ecgII.ID: {batch[1], batch[0], withDevice, extremes},
		pleth.ID: {empty, batch[5]},
	}
	for sig, w := range want {
		t.Run(sig, func(t *testing.T) {
			got, err := s.Chunks(ctx, rec.ID, sig)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(w) {
				t.Fatalf("%d chunks, want %d", len(got), len(w))
			}
			for i := range w {
				g, x := got[i], w[i]
				if g.Signal != x.Signal || g.Seq != x.Seq || g.Flags != x.Flags || !g.HostTime.Equal(x.HostTime) ||
					!g.DeviceTime.Equal(x.DeviceTime) || !slices.Equal(g.Samples, x.Samples) {
					t.Fatalf("chunk %d:\n got %+v\nwant %+v", i, g, x)
				}
			}
		})
	}

	t.Run("batch is all or nothing", func(t *testing.T) {
		bad := []devices.Chunk{secondOf(ecgII, 10, t0, 0), {Signal: "unknown", Seq: 0, HostTime: t0}}
		if err := s.AppendChunks(ctx, rec.ID, bad); !errors.Is(err, storage.ErrNotFound) {
			t.Fatalf("unknown signal: err = %v", err)
		}
		dup := []devices.Chunk{secondOf(ecgII, 11, t0, 0), secondOf(ecgII, 0, t0, 0)}
		if err := s.AppendChunks(ctx, rec.ID, dup); err == nil {
			t.Fatal("duplicate seq accepted")
		}
		if n := count(t, s, `SELECT COUNT(*) FROM chunks WHERE seq >= 10`); n != 0 {
			t.Fatalf("%d chunks of failed batches were kept", n)
		}
	})

	t.Run("chunk payload moved to another seq", func(t *testing.T) {
		exec(t, s, `UPDATE chunks SET payload = (SELECT payload FROM chunks c2 WHERE c2.signal_id = chunks.signal_id AND c2.seq = 0)
			WHERE seq = 1 AND signal_id = (SELECT id FROM signals WHERE signal_key = ?)`, ecgII.ID)
		if _, err := s.Chunks(ctx, rec.ID, ecgII.ID); !errors.Is(err, seal.ErrTampered) {
			t.Fatalf("err = %v, want ErrTampered", err)
		}
	})

	if _, err := s.Chunks(ctx, rec.ID, "nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("unknown signal: err = %v", err)
	}
	stopped := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	if err := s.StopRecording(ctx, rec.ID, stopped); err != nil {
		t.Fatal(err)
	}
	if err := s.StopRecording(ctx, 999, stopped); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("stop unknown recording: err = %v", err)
	}
	got, err := s.Recording(ctx, rec.ID)
	if err != nil || got.Device != monitor || !got.Stopped.Equal(stopped) || !got.Started.Equal(rec.Started) {
		t.Fatalf("Recording = %+v, %v", got, err)
	}
	if _, err := s.StartRecording(ctx, 999, monitor, stopped); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("recording for unknown patient: err = %v", err)
	}
	if err := s.AddSignal(ctx, 999, ecgII); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("signal for unknown recording: err = %v", err)
	}
}

// TestNoClearTextOnDisk greps the raw files for what identifies the patient.
func TestNoClearTextOnDisk(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	const mrn, name = "QX-778899", "Zebediah Quixotic"
	p, err := s.AddPatient(ctx, storage.Patient{MRN: mrn, Name: name, Birth: "1931-07-04", Sex: "male"})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := s.StartRecording(ctx, p.ID, monitor, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSignal(ctx, rec.ID, ecgII); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendChunks(ctx, rec.ID, []devices.Chunk{secondOf(ecgII, 0, time.Now(), 0)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ChartVitals(ctx, chartFor(mrn, "3f1c1d6e-5a7b-4c9d-8e2f-0a1b2c3d4e5f", time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Audit(ctx, "view", "viewed "+name); err != nil {
		t.Fatal(err)
	}
	secrets := []string{mrn, name, "Zebediah", "1931-07-04", "Quixotic", monitor.Serial, "ECG II", adminPass}
	check := func(when string) {
		t.Helper()
		sawPlain := false // a control: plain columns must be visible, or the grep proves nothing
		for _, suffix := range []string{"", "-wal", "-shm"} {
			b, err := os.ReadFile(filepath.Join(dir, FileName+suffix))
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			sawPlain = sawPlain || bytes.Contains(b, []byte(ecgII.ID))
			for _, sec := range secrets {
				for _, form := range []string{sec, string(bytes.ToUpper([]byte(sec))), string(bytes.ToLower([]byte(sec)))} {
					if bytes.Contains(b, []byte(form)) {
						t.Errorf("%s: %s%s contains %q", when, FileName, suffix, form)
					}
				}
			}
		}
		if !sawPlain {
			t.Errorf("%s: plain signal key %q not found in any file", when, ecgII.ID)
		}
	}
	check("open")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	check("closed")
}
