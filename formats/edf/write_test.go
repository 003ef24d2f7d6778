package edf

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

// sampleRecording is two signals at 256 and 128 Hz for 4 s with
// annotations, one outside the recording.
func sampleRecording() Recording {
	rec := Recording{
		Patient:     "MCH-0234567 F 02-MAY-1951 Haagse_Harry",
		RecordingID: "ward 3 bed 2",
		Start:       time.Date(2024, 3, 9, 14, 5, 7, 0, time.UTC),
		Signals: []Signal{
			{Label: "II", Unit: "mV", Transducer: "AgAgCl electrode", Prefilter: "HP:0.05Hz LP:150Hz",
				PhysMin: -5, PhysMax: 5, DigMin: -2048, DigMax: 2047, SampleRate: 256},
			{Label: "Pleth", Unit: "%", PhysMin: 0, PhysMax: 100, DigMin: 0, DigMax: 1000, SampleRate: 128},
		},
		Annotations: []Annotation{
			{Onset: 0, Text: "start"},
			{Onset: 1500 * time.Millisecond, Duration: 250 * time.Millisecond, Text: "PVC"},
			{Onset: 3999 * time.Millisecond, Text: "µ-alarm ✓"},
			{Onset: 10 * time.Second, Text: "after the end"},
		},
	}
	for i := 0; i < 4*256; i++ {
		rec.Signals[0].Samples = append(rec.Signals[0].Samples, int32(i*37%4096-2048))
	}
	for i := 0; i < 4*128; i++ {
		rec.Signals[1].Samples = append(rec.Signals[1].Samples, int32(i*7%1001))
	}
	return rec
}

func roundTrip(t *testing.T, in Recording, opt WriteOptions) *Recording {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteWith(&buf, in, opt); err != nil {
		t.Fatal(err)
	}
	out, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteRoundTrip(t *testing.T) {
	in := sampleRecording()
	out := roundTrip(t, in, WriteOptions{})
	if out.Format != "EDF+C" || !out.Start.Equal(in.Start) || out.Patient != in.Patient {
		t.Errorf("format %q start %v patient %q", out.Format, out.Start, out.Patient)
	}
	if out.RecordingID != "Startdate 09-MAR-2024 X X ward_3_bed_2" {
		t.Errorf("recording field %q", out.RecordingID)
	}
	if len(out.Signals) != len(in.Signals) {
		t.Fatalf("%d signals", len(out.Signals))
	}
	for i, s := range in.Signals {
		o := out.Signals[i]
		if o.Label != s.Label || o.Unit != s.Unit || o.Transducer != s.Transducer || o.Prefilter != s.Prefilter ||
			o.SampleRate != s.SampleRate || o.PhysMin != s.PhysMin || o.PhysMax != s.PhysMax || o.DigMin != s.DigMin || o.DigMax != s.DigMax {
			t.Errorf("signal %d = %+v", i, o)
		}
		if !equalCounts(o.Samples, s.Samples) {
			t.Errorf("signal %d counts differ", i)
		}
	}
	if len(out.Annotations) != len(in.Annotations) {
		t.Fatalf("annotations %+v", out.Annotations)
	}
	for i := range in.Annotations {
		if out.Annotations[i] != in.Annotations[i] {
			t.Errorf("annotation %d = %+v, want %+v", i, out.Annotations[i], in.Annotations[i])
		}
	}
	// Written again, the recording read back gives the same file.
	var a, b bytes.Buffer
	if err := Write(&a, *out); err != nil {
		t.Fatal(err)
	}
	again, _ := Read(bytes.NewReader(a.Bytes()), int64(a.Len()))
	if err := Write(&b, *again); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Errorf("rewriting is not stable: %v", err)
	}
}

func equalCounts(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWriteChoosesRecordDuration(t *testing.T) {
	sig := func(rate float64, n int) Signal {
		return Signal{Label: "x", PhysMin: -1, PhysMax: 1, DigMin: -100, DigMax: 100, SampleRate: rate, Samples: make([]int32, n)}
	}
	tests := []struct {
		name    string
		sigs    []Signal
		given   time.Duration
		pad     bool
		want    time.Duration
		wantErr string
	}{
		{"whole seconds", []Signal{sig(500, 5000), sig(250, 2500)}, 0, false, time.Second, ""},
		{"half seconds", []Signal{sig(500, 5250)}, 0, false, 500 * time.Millisecond, ""},
		{"fractional rate", []Signal{sig(62.5, 250)}, 0, false, 2 * time.Second, ""},
		{"800 Hz in 1.25 ms", []Signal{sig(800, 7)}, 1250 * time.Microsecond, false, 1250 * time.Microsecond, ""},
		{"big records split", []Signal{sig(8000, 80000), sig(8000, 80000), sig(8000, 80000), sig(8000, 80000)}, 0, false, 500 * time.Millisecond, ""},
		{"MIT-BIH length needs padding", []Signal{sig(360, 650000)}, 0, false, 0, "Pad"},
		{"MIT-BIH length padded", []Signal{sig(360, 650000)}, 0, true, time.Second, ""},
		{"given duration not whole", []Signal{sig(360, 720)}, 300 * time.Millisecond, false, 0, "whole number"},
		{"unequal lengths", []Signal{sig(100, 100), sig(100, 200)}, 0, false, 0, "Pad"},
		{"zero rate", []Signal{sig(0, 10)}, 0, false, 0, "sample rate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Recording{Start: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), Signals: tc.sigs, RecordDuration: tc.given}
			var buf bytes.Buffer
			err := WriteWith(&buf, in, WriteOptions{Pad: tc.pad})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || !errors.Is(err, ErrFormat) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
			if err != nil {
				t.Fatal(err)
			}
			if out.RecordDuration != tc.want {
				t.Errorf("record duration %v, want %v", out.RecordDuration, tc.want)
			}
			for i, s := range out.Signals {
				n := len(tc.sigs[i].Samples)
				if s.SampleRate != tc.sigs[i].SampleRate || len(s.Samples) < n || (!tc.pad && len(s.Samples) != n) {
					t.Errorf("signal %d: %v Hz, %d samples", i, s.SampleRate, len(s.Samples))
				}
			}
		})
	}
}

func TestWritePadRepeatsLastSample(t *testing.T) {
	in := sampleRecording()
	in.Signals[0].Samples = in.Signals[0].Samples[:1000]
	out := roundTrip(t, in, WriteOptions{Pad: true})
	s := out.Signals[0].Samples
	if len(s) != 1024 || !equalCounts(s[:1000], in.Signals[0].Samples) || s[1023] != in.Signals[0].Samples[999] {
		t.Errorf("padded signal: %d samples", len(s))
	}
}

// A start with a fraction of a second keeps absolute times: the header
// holds whole seconds, the record and annotation onsets the fraction.
func TestWriteSubSecondStart(t *testing.T) {
	in := sampleRecording()
	in.Start = in.Start.Add(250 * time.Millisecond)
	out := roundTrip(t, in, WriteOptions{})
	if !out.Start.Equal(in.Start.Truncate(time.Second)) || out.RecordOnsets[0] != 250*time.Millisecond {
		t.Fatalf("start %v, first record at %v", out.Start, out.RecordOnsets[0])
	}
	for i, a := range out.Annotations {
		if !out.Start.Add(a.Onset).Equal(in.Start.Add(in.Annotations[i].Onset)) {
			t.Errorf("annotation %d at %v", i, out.Start.Add(a.Onset))
		}
	}
	if got := out.Start.Add(out.SampleTime(0, 256)); !got.Equal(in.Start.Add(time.Second)) {
		t.Errorf("sample 256 at %v", got)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Recording)
		msg  string
	}{
		{"count outside range", func(r *Recording) { r.Signals[1].Samples[7] = 1001 }, "signal 1 (Pleth): sample 7: count 1001"},
		{"label too long", func(r *Recording) { r.Signals[0].Label = "a label far too long" }, "label of signal 0"},
		{"patient not Latin-1", func(r *Recording) { r.Patient = "Zoë 王" }, "local patient identification"},
		{"reserved label", func(r *Recording) { r.Signals[0].Label = annotationLabel }, "reserved"},
		{"control in annotation", func(r *Recording) { r.Annotations[0].Text = "a\x14b" }, "annotation 0"},
		{"year out of range", func(r *Recording) { r.Start = time.Date(2090, 1, 1, 0, 0, 0, 0, time.UTC) }, "year 2090"},
		{"no records for annotations", func(r *Recording) {
			r.Signals[0].Samples, r.Signals[1].Samples = nil, nil
		}, "at least one data record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := sampleRecording()
			tc.edit(&rec)
			err := Write(&bytes.Buffer{}, rec)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
		})
	}
}

func TestWriteAnnotationsOnly(t *testing.T) {
	in := Recording{Start: time.Date(2001, 1, 1, 23, 59, 30, 0, time.UTC),
		Annotations: []Annotation{{0, 30 * time.Second, "Sleep stage W"}, {33400 * time.Millisecond, 0, "Lights off"}}}
	out := roundTrip(t, in, WriteOptions{})
	if len(out.Signals) != 0 || len(out.Annotations) != 2 || out.Annotations[1] != in.Annotations[1] {
		t.Errorf("read back %+v", out)
	}
}
