package sqlite

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
)

// claimOne claims every due unit and returns the one with id unit.
func claimOne(tb testing.TB, s *Store, unit int64) storage.OutboxUnit {
	tb.Helper()
	units, err := s.ClaimDue(context.Background(), s.now().Add(time.Hour), 100)
	if err != nil {
		tb.Fatal(err)
	}
	for _, u := range units {
		if u.ID == unit {
			return u
		}
	}
	tb.Fatalf("unit %d not claimed (got %d units)", unit, len(units))
	return storage.OutboxUnit{}
}

func rampSamples(n int, gapFrom, gapLen int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = int32(i%97) - 40
		if i >= gapFrom && i < gapFrom+gapLen {
			out[i] = storage.GapSample
		}
	}
	return out
}

func TestQueueStripWithSamples(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	st := storage.Strip{ID: chartID(7), PatientMRN: "MRN-1", Start: at, Device: monitor, Author: adminName,
		Leads: []storage.StripLead{
			{Signal: ecgII, Samples: rampSamples(3600, 100, 25)},
			{Signal: pleth, Samples: rampSamples(750, 0, 3)},
		}}

	bad := []struct {
		name  string
		strip storage.Strip
		want  error
	}{
		{"not a uuid", storage.Strip{ID: "s1", PatientMRN: "MRN-1", Start: at, Leads: st.Leads}, nil},
		{"no leads", storage.Strip{ID: chartID(8), PatientMRN: "MRN-1", Start: at}, nil},
		{"no start", storage.Strip{ID: chartID(8), PatientMRN: "MRN-1", Leads: st.Leads}, nil},
		{"no rate", storage.Strip{ID: chartID(8), PatientMRN: "MRN-1", Start: at,
			Leads: []storage.StripLead{{Signal: devices.Signal{ID: "x"}, Samples: []int32{1}}}}, nil},
		{"no samples and no recording", storage.Strip{ID: chartID(8), PatientMRN: "MRN-1", Start: at,
			Leads: []storage.StripLead{{Signal: ecgII}}}, nil},
		{"unknown patient", storage.Strip{ID: chartID(8), PatientMRN: "MRN-404", Start: at, Leads: st.Leads}, storage.ErrNotFound},
	}
	for _, b := range bad {
		t.Run(b.name, func(t *testing.T) {
			if _, err := s.QueueStrip(ctx, b.strip); err == nil || b.want != nil && !errors.Is(err, b.want) {
				t.Fatalf("err = %v, want %v", err, b.want)
			}
		})
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != 0 {
		t.Fatalf("%d outbox rows after refused strips", n)
	}

	unit, err := s.QueueStrip(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.QueueStrip(ctx, st); !errors.Is(err, storage.ErrExists) {
		t.Fatalf("queueing the strip again: %v, want ErrExists", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM audit WHERE action = 'strip'`); n != 1 {
		t.Errorf("%d strip audit rows, want 1", n)
	}
	u := claimOne(t, reopen(t, dir), unit)
	if u.Kind != KindStrip || u.Strip == nil {
		t.Fatalf("claimed %+v, want a strip", u)
	}
	got := *u.Strip
	if got.ID != st.ID || got.PatientMRN != "MRN-1" || !got.Start.Equal(at) || got.Device != monitor || got.Author != adminName {
		t.Errorf("strip %+v", got)
	}
	if want := at.Add(10 * time.Second); !got.End.Equal(want) {
		t.Errorf("end %v, want %v (3600 samples at 360 Hz)", got.End, want)
	}
	if len(got.Leads) != 2 {
		t.Fatalf("%d leads", len(got.Leads))
	}
	for i, l := range got.Leads {
		if l.Signal != st.Leads[i].Signal || !slices.Equal(l.Samples, st.Leads[i].Samples) {
			t.Errorf("lead %d does not round-trip (gaps included)", i)
		}
	}
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("ECG II")) || bytes.Contains(raw, []byte("MRN-1")) {
		t.Error("strip description stored in clear")
	}
}

func TestQueueStripFromRecording(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	_, rec := startRecording(t, s, ecgII)
	t0 := rec.Started
	// Seconds 0-4, then seconds 6-9 after a reconnect: second 5 is lost.
	var chunks []devices.Chunk
	for sec := uint64(0); sec < 10; sec++ {
		if sec == 5 {
			continue
		}
		var flags devices.ChunkFlags
		if sec == 6 {
			flags = devices.GapBefore
		}
		chunks = append(chunks, secondOf(ecgII, sec, t0, flags))
	}
	if err := s.AppendChunks(ctx, rec.ID, chunks); err != nil {
		t.Fatal(err)
	}
	from, to := t0.Add(2*time.Second), t0.Add(8*time.Second)
	unit, err := s.QueueStrip(ctx, storage.Strip{ID: chartID(9), PatientMRN: "MRN-REC", RecordingID: rec.ID,
		Start: from, End: to, Leads: []storage.StripLead{{Signal: devices.Signal{ID: ecgII.ID}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := claimOne(t, s, unit).Strip
	if len(got.Leads) != 1 || got.Leads[0].Signal != ecgII {
		t.Fatalf("leads %+v, want the recording's %s", got.Leads, ecgII.ID)
	}
	samples := got.Leads[0].Samples
	rate := int(ecgII.SampleRate)
	if len(samples) != 6*rate {
		t.Fatalf("%d samples, want %d", len(samples), 6*rate)
	}
	for sec := 2; sec < 8; sec++ {
		part := samples[(sec-2)*rate : (sec-1)*rate]
		if sec == 5 {
			for _, v := range part {
				if v != storage.GapSample {
					t.Fatalf("second 5 holds %d, want gap samples", v)
				}
			}
			continue
		}
		if want := secondOf(ecgII, uint64(sec), t0, 0).Samples; !slices.Equal(part, want) {
			t.Errorf("second %d differs from the recorded chunk", sec)
		}
	}
}

func TestQueueClip(t *testing.T) {
	ctx := context.Background()
	s, dir, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	wav, err := os.ReadFile("../../testdata/circor/69067_PV.wav")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	c := storage.Clip{ID: chartID(3), PatientMRN: "MRN-1", Time: at, Site: storage.SitePulmonic, WAV: wav,
		Device: monitor, Author: adminName, BinaryID: "ignored"}
	for name, bad := range map[string]storage.Clip{
		"not a uuid": {ID: "c", PatientMRN: "MRN-1", Time: at, WAV: wav},
		"no time":    {ID: chartID(4), PatientMRN: "MRN-1", WAV: wav},
		"not wave":   {ID: chartID(4), PatientMRN: "MRN-1", Time: at, WAV: []byte("ID3\x03 an mp3 file")},
	} {
		if _, err := s.QueueClip(ctx, bad); err == nil {
			t.Errorf("%s: queued", name)
		}
	}
	unit, err := s.QueueClip(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	got := claimOne(t, s, unit)
	if got.Kind != KindClip || got.Clip == nil || !bytes.Equal(got.Clip.WAV, wav) || got.Clip.BinaryID != "" ||
		got.Clip.Site != storage.SitePulmonic || !got.Clip.Time.Equal(at) {
		t.Fatalf("claimed %+v", got.Clip)
	}
	if err := s.SetClipBinary(ctx, c.ID, "bin-1"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetClipBinary(ctx, chartID(99), "bin-2"); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown clip: %v, want ErrNotFound", err)
	}
	if err := s.MarkRetry(ctx, unit, "503", at); err != nil {
		t.Fatal(err)
	}
	if again := claimOne(t, reopen(t, dir), unit); again.Clip.BinaryID != "bin-1" {
		t.Errorf("binary id %q after a retry, want bin-1", again.Clip.BinaryID)
	}
	raw, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, wav[44:1044]) {
		t.Error("clip audio stored in clear")
	}
}

func TestQueueReport(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	addPatient(t, s, "MRN-2", "Charles Babbage")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	lead := []storage.StripLead{{Signal: ecgII, Samples: rampSamples(3600, 0, 0)}}
	if _, err := s.QueueStrip(ctx, storage.Strip{ID: chartID(1), PatientMRN: "MRN-1", Start: at, Leads: lead}); err != nil {
		t.Fatal(err)
	}
	r := storage.Report{ID: chartID(2), PatientMRN: "MRN-1", Time: at, Text: "Sinus rhythm, 72/min.", Author: adminName,
		Strips: []string{chartID(1)}}
	for name, tc := range map[string]struct {
		r    storage.Report
		want error
	}{
		"no text":                 {storage.Report{ID: chartID(5), PatientMRN: "MRN-1", Time: at}, nil},
		"unknown strip":           {storage.Report{ID: chartID(5), PatientMRN: "MRN-1", Time: at, Text: "x", Strips: []string{chartID(6)}}, storage.ErrNotFound},
		"another patient's strip": {storage.Report{ID: chartID(5), PatientMRN: "MRN-2", Time: at, Text: "x", Strips: []string{chartID(1)}}, storage.ErrNotFound},
	} {
		if _, err := s.QueueReport(ctx, tc.r); err == nil || tc.want != nil && !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", name, err, tc.want)
		}
	}
	unit, err := s.QueueReport(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	got := claimOne(t, s, unit)
	if got.Kind != KindReport || got.Report == nil || got.Report.Text != r.Text || !slices.Equal(got.Report.Strips, r.Strips) {
		t.Fatalf("claimed %+v", got.Report)
	}
}

func TestClaimParksUnreadableStrip(t *testing.T) {
	ctx := context.Background()
	s, _, _ := newStore(t)
	addPatient(t, s, "MRN-1", "Ada Lovelace")
	at := time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)
	lead := []storage.StripLead{{Signal: ecgII, Samples: rampSamples(360, 0, 0)}}
	bad, err := s.QueueStrip(ctx, storage.Strip{ID: chartID(1), PatientMRN: "MRN-1", Start: at, Leads: lead})
	if err != nil {
		t.Fatal(err)
	}
	good, err := s.QueueStrip(ctx, storage.Strip{ID: chartID(2), PatientMRN: "MRN-1", Start: at, Leads: lead})
	if err != nil {
		t.Fatal(err)
	}
	// Swap the sealed blobs: each now opens against the wrong row.
	exec(t, s, `UPDATE strips SET sealed = (SELECT sealed FROM strips WHERE uuid = ?) WHERE uuid = ?`, chartID(2), chartID(1))
	units, err := s.ClaimDue(ctx, s.now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(units) != 1 || units[0].ID != good {
		t.Fatalf("claimed %d units, want only the intact %d", len(units), good)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox WHERE id = ? AND state = ? AND last_error LIKE ?`,
		bad, string(storage.Parked), "%"+seal.ErrTampered.Error()+"%"); n != 1 {
		t.Error("the tampered strip's unit is not parked with the reason")
	}
}
