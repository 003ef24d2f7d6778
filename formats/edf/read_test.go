package edf

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// The repository's copy of wfdb-python's test_edfann.edf (annotations only).
func TestReadAnnotationOnlyFile(t *testing.T) {
	rec, err := ReadFile("../../testdata/edf/test_edfann.edf")
	if err != nil {
		t.Fatal(err)
	}
	if len(rec.Signals) != 0 || rec.Patient != "SN001 X X X" || rec.RecordDuration != 0 {
		t.Fatalf("recording %+v", rec)
	}
	stages := map[string]int{}
	for i, a := range rec.Annotations {
		if i > 0 && a.Onset < rec.Annotations[i-1].Onset {
			t.Errorf("annotation %d onset %v before the previous one", i, a.Onset)
		}
		stages[a.Text]++
	}
	if stages["Sleep stage W"] == 0 || stages["Sleep stage N2"] == 0 || stages["Lights off@@EEG F4-A1"] != 1 {
		t.Errorf("annotation texts %v", stages)
	}
}

func TestParseTALs(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		onset   time.Duration
		want    []Annotation
		wantErr string
	}{
		{"timekeeping only", "+12\x14\x14\x00\x00\x00", 12 * time.Second, nil, ""},
		{"fractional and negative", "+0.5\x14\x14\x00-2.25\x151.125\x14a\x14b\x14\x00", 500 * time.Millisecond,
			[]Annotation{{-2250 * time.Millisecond, 1125 * time.Millisecond, "a"}, {-2250 * time.Millisecond, 1125 * time.Millisecond, "b"}}, ""},
		{"text in the timekeeping TAL", "+3\x14\x14note\x14\x00", 3 * time.Second, []Annotation{{3 * time.Second, 0, "note"}}, ""},
		{"digits beyond nanoseconds dropped", "+0\x14\x14\x00+1.1234567891\x14x\x14\x00", 0, []Annotation{{1123456789, 0, "x"}}, ""},
		{"missing sign", "12\x14\x14\x00", 0, nil, "does not start with + or -"},
		{"not timekeeping", "+1\x14text\x14\x00", 0, nil, "not a timekeeping"},
		{"unterminated", "+1\x14\x14", 0, nil, "not ended"},
		{"bad duration", "+0\x14\x14\x00+1\x15x\x14a\x14\x00", 0, nil, "duration"},
		{"huge onset", "+0\x14\x14\x00+99999999999999\x14a\x14\x00", 0, nil, "too large"},
		{"empty", "\x00\x00", 0, nil, "no timekeeping"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			onset, anns, err := parseTALs([]byte(tc.in), true)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || onset != tc.onset || len(anns) != len(tc.want) {
				t.Fatalf("parseTALs = %v %+v %v", onset, anns, err)
			}
			for i := range anns {
				if anns[i] != tc.want[i] {
					t.Errorf("annotation %d = %+v, want %+v", i, anns[i], tc.want[i])
				}
			}
		})
	}
}

// smallFile is a valid two-signal EDF+C file written by Write.
func smallFile(tb testing.TB) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, sampleRecording()); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// setField overwrites a fixed header field.
func setField(b []byte, off, width int, v string) []byte {
	out := bytes.Clone(b)
	copy(out[off:off+width], []byte(v+strings.Repeat(" ", width-len(v))))
	return out
}

func TestReadErrors(t *testing.T) {
	good := smallFile(t)
	ns := 3 // two signals and the annotation signal
	tests := []struct {
		name      string
		data      []byte
		truncated bool
		msg       string
	}{
		{"empty", nil, true, "edf: header truncated"},
		{"half a header", good[:200], true, "edf: header truncated"},
		{"signal headers cut", good[:600], true, "edf: header truncated"},
		{"last record cut", good[:len(good)-1], true, "edf: data record 3 truncated"},
		{"records missing", good[:len(good)-500], true, "truncated"},
		{"forged record count", setField(good, 236, 8, "99999999"), true, "truncated"},
		{"bad version", setField(good, 0, 8, "1"), false, "header field 'version'"},
		{"bad signal count", setField(good, 252, 4, "x"), false, "header field 'number of signals': \"x\" is not an integer"},
		{"signal count against header bytes", setField(good, 252, 4, "9999"), false, "header field 'number of bytes in header'"},
		{"bad date", setField(good, 168, 8, "31.02.20"), false, "header field 'startdate of recording'"},
		{"bad duration", setField(good, 244, 8, "-1"), false, "header field 'duration of a data record'"},
		{"forged samples per record", setField(good, 256+ns*(16+80+8*5+80), 8, "99999999"), true, "truncated"},
		{"bad digital range", setField(good, 256+ns*(16+80+8*3), 8, "40000"), false, "signal 0 (II): digital"},
		{"broken annotations", setField(good, bytes.LastIndex(good, []byte("+3\x14\x14")), 2, "x"), false, "edf: data record 3, signal 2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := Read(bytes.NewReader(tc.data), int64(len(tc.data)))
			if err == nil {
				t.Fatalf("read a recording %+v", rec)
			}
			if rec != nil {
				t.Errorf("a recording came back with the error")
			}
			if errors.Is(err, ErrTruncated) != tc.truncated || !errors.Is(err, ErrTruncated) && !errors.Is(err, ErrFormat) {
				t.Errorf("err = %v, truncated %v", err, tc.truncated)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("err = %q, want it to say %q", err, tc.msg)
			}
		})
	}
}

func TestReadUnknownRecordCount(t *testing.T) {
	good := smallFile(t)
	rec, err := Read(bytes.NewReader(setField(good, 236, 8, "-1")), int64(len(good)))
	if err != nil || len(rec.RecordOnsets) != 4 {
		t.Fatalf("records %v, %v", rec, err)
	}
}

func FuzzRead(f *testing.F) {
	f.Add(smallFile(f))
	if b, err := os.ReadFile("../../testdata/edf/test_edfann.edf"); err == nil {
		f.Add(b[:2048])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rec, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			if rec != nil || !errors.Is(err, ErrFormat) && !errors.Is(err, ErrTruncated) {
				t.Fatalf("error %v with recording %v", err, rec != nil)
			}
			return
		}
		total := 0
		for _, s := range rec.Signals {
			total += len(s.Samples)
		}
		if 2*total > len(data) {
			t.Fatalf("%d samples from %d bytes", total, len(data))
		}
	})
}

func TestParseStartYears(t *testing.T) {
	tests := []struct {
		date, clock, recording string
		want                   time.Time
	}{
		{"16.11.20", "21.44.39", "", time.Date(2020, 11, 16, 21, 44, 39, 0, time.UTC)},
		{"31.12.84", "23.59.59", "", time.Date(2084, 12, 31, 23, 59, 59, 0, time.UTC)},
		{"01.01.85", "00.00.00", "", time.Date(1985, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"01.01.99", "00.00.00", "Startdate X X X X", time.Date(1999, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"02.03.90", "04.05.06", "Startdate 02-MAR-2090 X X X", time.Date(2090, 3, 2, 4, 5, 6, 0, time.UTC)},
		{"02.03.90", "04.05.06", "Startdate 03-MAR-2090 X X X", time.Date(1990, 3, 2, 4, 5, 6, 0, time.UTC)}, // another day: ignored
	}
	for _, tc := range tests {
		got, err := parseStart(tc.date, tc.clock, tc.recording)
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("parseStart(%q, %q, %q) = %v, %v; want %v", tc.date, tc.clock, tc.recording, got, err, tc.want)
		}
	}
}

// An EDF+D file's records carry their own onsets; samples map to them.
func TestReadDiscontinuous(t *testing.T) {
	b := setField(smallFile(t), 192, 44, "EDF+D")
	i := bytes.Index(b, []byte("+2\x14\x14\x00"))
	b[i+1] = '9'
	rec, err := Read(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Duration{0, time.Second, 9 * time.Second, 3 * time.Second}
	if rec.Format != "EDF+D" || len(rec.RecordOnsets) != 4 {
		t.Fatalf("format %q, onsets %v", rec.Format, rec.RecordOnsets)
	}
	for k := range want {
		if rec.RecordOnsets[k] != want[k] {
			t.Errorf("record %d onset %v, want %v", k, rec.RecordOnsets[k], want[k])
		}
	}
	if got := rec.SampleTime(0, 2*256+128); got != 9500*time.Millisecond {
		t.Errorf("sample 640 of II at %v, want 9.5s", got)
	}
}
