package masimo

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"telewave/devices"
)

// The reference line (§5), as a Radical-7 writes it.
const refLine = "02/22/16 22:47:45 SN=0000056661 SPO2=098% BPM=097 PI=03.60% SPCO=--.-% SPMET=--.-% DESAT=-- PIDELTA=+-- ALARM=0000 EXC=000800\r\n"

func decodeAll(tb testing.TB, s string) ([]Line, int, int) {
	tb.Helper()
	d := NewDecoder(strings.NewReader(s), time.UTC)
	var out []Line
	for {
		l, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out, d.Skipped(), d.BadLines()
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, l)
	}
}

func TestReferenceLine(t *testing.T) {
	ls, skipped, _ := decodeAll(t, refLine)
	if len(ls) != 1 || skipped != 0 {
		t.Fatalf("%d lines, %d skipped", len(ls), skipped)
	}
	l := ls[0]
	if want := time.Date(2016, 2, 22, 22, 47, 45, 0, time.UTC); !l.Time.Equal(want) {
		t.Errorf("time %v, want %v", l.Time, want)
	}
	if sn, _ := l.Get("SN"); sn != "0000056661" || l.Hex("EXC") != 0x800 || l.Hex("ALARM") != 0 {
		t.Errorf("SN %q EXC %X ALARM %X", sn, l.Hex("EXC"), l.Hex("ALARM"))
	}
	if got := Format(l); got != refLine {
		t.Errorf("Format gives %q", got)
	}
	type num struct {
		code   uint32
		label  string
		value  float64
		unit   string
		status devices.NumericStatus
	}
	want := []num{
		{devices.MDCPulsOximSatO2, "SpO2", 98, "%", devices.Valid},
		{devices.MDCPulsOximPulsRt, "PR", 97, "/min", devices.Valid},
		{devices.MDCPulsOximPerfRel, "PI", 3.6, "%", devices.Valid},
		{0, "SpCO", 0, "%", devices.Unavailable},
		{0, "SpMet", 0, "%", devices.Unavailable},
		{0, "Desat", 0, "%", devices.Unavailable},
		{0, "PI delta", 0, "%", devices.Unavailable},
	}
	ns := LineNumerics(l)
	if len(ns) != len(want) {
		t.Fatalf("%d numerics: %+v", len(ns), ns)
	}
	for i, n := range ns {
		if g := (num{n.Code, n.Label, n.Value, n.Unit, n.Status}); g != want[i] {
			t.Errorf("numeric %d: %+v, want %+v", i, g, want[i])
		}
		if n.RawCode == "" {
			t.Errorf("numeric %s without raw code", n.Label)
		}
	}
}

func TestParseValue(t *testing.T) {
	tests := []struct {
		raw  string
		want Value
		ok   bool
	}{
		{"098%", Value{V: 98, Percent: true}, true},
		{"03.60%", Value{V: 3.6, Percent: true}, true},
		{"+05", Value{V: 5}, true},
		{"-12", Value{V: -12}, true},
		{"13.4", Value{V: 13.4}, true},
		{"--.-%", Value{Percent: true, Invalid: true}, true},
		{"+--", Value{Invalid: true}, true},
		{"---", Value{Invalid: true}, true},
		{"0000056661", Value{V: 56661}, true},
		{"", Value{}, false},
		{"%", Value{Percent: true}, false},
		{"abc", Value{}, false},
		{"+.", Value{}, false},
	}
	for _, tt := range tests {
		got, ok := ParseValue(tt.raw)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("ParseValue(%q) = %+v, %v; want %+v, %v", tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

func TestLineNumericsVariants(t *testing.T) {
	tests := []struct {
		name   string
		line   string
		labels []string
		status []devices.NumericStatus
		raw    []string
	}{
		{"Radical-7 with PVI, newer keys, unknown key",
			"01/05/24 08:00:01 SN=1 SPO2=095% BPM=180 PI=01.20% PVI=014 SPHB=13.4 SPOC=18.2 RESVD=042 NEWKEY=7.5% EXC=000800 EXC1=000000",
			[]string{"SpO2", "PR", "PI", "PVI", "SpHb", "SpOC", "RESVD", "NEWKEY"},
			[]devices.NumericStatus{0, 0, 0, 0, 0, 0, 0, 0},
			[]string{"SPO2", "BPM", "PI", "PVI", "SPHB", "SPOC", "RESVD", "NEWKEY"}},
		{"sensor off", "01/05/24 08:00:02 SPO2=---% BPM=--- EXC=000020",
			[]string{"SpO2", "PR"}, []devices.NumericStatus{devices.Unavailable, devices.Unavailable}, []string{"SPO2", "BPM"}},
		{"low perfusion makes values questionable", "01/05/24 08:00:03 SPO2=090% BPM=060 EXC=000004",
			[]string{"SpO2", "PR"}, []devices.NumericStatus{devices.QuestionableValue, devices.QuestionableValue}, []string{"SPO2", "BPM"}},
		{"non-numeric unknown value is no numeric", "01/05/24 08:00:04 MODE=ADULT SPO2=099%",
			[]string{"SpO2"}, []devices.NumericStatus{devices.Valid}, []string{"SPO2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := ParseLine(tt.line, time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			ns := LineNumerics(l)
			if len(ns) != len(tt.labels) {
				t.Fatalf("numerics %+v", ns)
			}
			for i, n := range ns {
				if n.Label != tt.labels[i] || n.Status != tt.status[i] || n.RawCode != tt.raw[i] {
					t.Errorf("numeric %d: %+v, want %s %v %s", i, n, tt.labels[i], tt.status[i], tt.raw[i])
				}
				if _, isKnown := known[n.RawCode]; !isKnown && (n.Code != 0 || n.Label != n.RawCode) {
					t.Errorf("unknown key %s not passed through: %+v", n.RawCode, n)
				}
			}
			if tt.labels[len(tt.labels)-1] == "NEWKEY" && (ns[7].Unit != "%" || ns[7].Value != 7.5 || ns[6].Unit != "1") {
				t.Errorf("unknown keys %+v %+v", ns[6], ns[7])
			}
		})
	}
}

func TestDecoderResync(t *testing.T) {
	good := refLine
	tests := []struct {
		name     string
		wire     string
		lines    int
		badLines int
	}{
		{"cut first line", good[20:] + good, 1, 1},
		{"binary noise", "\x81\x02\xff\r\n" + good, 1, 1},
		{"noise inside a line", good[:30] + "\x00" + good[30:] + good, 1, 1},
		{"bad date", "13/45/16 22:47:45 SPO2=098%\r\n" + good, 1, 1},
		{"token without =", "02/22/16 22:47:45 SPO2 098%\r\n" + good, 1, 1},
		{"over-long line", strings.Repeat("A", 3*MaxLine) + "\r\n" + good, 1, 1},
		{"blank lines", "\r\n\n" + good + "\r\n" + good, 2, 0},
		{"truncated tail", good + good[:40], 1, 1},
		{"LF only", strings.TrimSuffix(good, "\r\n") + "\n", 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ls, _, bad := decodeAll(t, tt.wire)
			if len(ls) != tt.lines || bad != tt.badLines {
				t.Fatalf("%d lines, %d bad; want %d, %d", len(ls), bad, tt.lines, tt.badLines)
			}
			for _, l := range ls {
				if v, _ := l.Get("SPO2"); v != "098%" {
					t.Errorf("line %+v", l)
				}
			}
		})
	}
}

type stutter struct {
	b    []byte
	idle bool
}

func (s *stutter) Read(p []byte) (int, error) {
	s.idle = !s.idle
	if s.idle {
		return 0, nil
	}
	if len(s.b) == 0 {
		return 0, io.EOF
	}
	p[0], s.b = s.b[0], s.b[1:]
	return 1, nil
}

func TestDecoderTimeoutReads(t *testing.T) {
	d := NewDecoder(&stutter{b: []byte(refLine)}, time.UTC)
	noData := 0
	for {
		l, err := d.Next()
		if errors.Is(err, ErrNoData) {
			noData++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if v, _ := l.Get("BPM"); v != "097" {
			t.Fatalf("line %+v", l)
		}
		break
	}
	if noData != len(refLine) {
		t.Errorf("%d ErrNoData, want %d", noData, len(refLine))
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte(refLine))
	f.Add([]byte("01/05/24 08:00:01 A=1 B=--%\n\x00\xff=\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		ls, skipped, _ := decodeAll(t, string(b))
		for _, l := range ls {
			_ = LineNumerics(l)
			if len(l.Fields) > MaxLine/2 {
				t.Fatalf("%d fields from one bounded line", len(l.Fields))
			}
		}
		if skipped > len(b) {
			t.Fatalf("skipped %d of %d bytes", skipped, len(b))
		}
		// A good line after any garbage and a line break still decodes.
		ls, _, _ = decodeAll(t, string(b)+"\r\n"+refLine)
		if len(ls) == 0 || Format(ls[len(ls)-1]) != refLine {
			t.Fatalf("good line after garbage not decoded")
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	wire := bytes.Repeat([]byte(refLine), 600)
	b.SetBytes(int64(len(wire)))
	for b.Loop() {
		d := NewDecoder(bytes.NewReader(wire), time.UTC)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
