package datex

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"reflect"
	"testing"

	"telewave/devices"
)

func hexBytes(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for _, f := range bytes.Fields([]byte(s)) {
		var b byte
		for _, c := range f {
			switch {
			case c >= '0' && c <= '9':
				b = b<<4 | (c - '0')
			case c >= 'A' && c <= 'F':
				b = b<<4 | (c - 'A' + 10)
			default:
				tb.Fatalf("bad hex %q", f)
			}
		}
		out = append(out, b)
	}
	return out
}

func decodeAll(tb testing.TB, b []byte) ([]Record, *Decoder) {
	tb.Helper()
	d := NewDecoder(bytes.NewReader(b))
	var rs []Record
	for {
		r, err := d.Next()
		if errors.Is(err, io.EOF) {
			return rs, d
		}
		if err != nil {
			tb.Fatal(err)
		}
		rs = append(rs, r)
	}
}

// The numerics request as the notes lay it out: 40-byte header with r_len
// 49, main type 0, sr[0] = {0, 0}, sr[1].type = FF, then type, interval,
// class bits and two reserved bytes.
func TestPHDBRequestBytes(t *testing.T) {
	wire := EncodePHDBRequest(PHDBRequest{Type: PHDBDisplayed, Interval: 5, Classes: ClassExt1})
	if wire[0] != Flag || wire[len(wire)-1] != Flag {
		t.Fatalf("not flagged: % X", wire)
	}
	want := make([]byte, 49)
	want[0] = 49 // r_len LE
	// sr[0] offset 0 type 0; sr[1] type FF at 18+3
	want[21] = 0xFF
	copy(want[40:], hexBytes(t, "01 05 00 02 00 00 00 00 00"))
	wantWire := append(append([]byte{Flag}, want...), Checksum(want), Flag)
	if !bytes.Equal(wire, wantWire) {
		t.Errorf("request\n got % X\nwant % X", wire, wantWire)
	}
	rs, _ := decodeAll(t, wire)
	if len(rs) != 1 {
		t.Fatalf("%d records", len(rs))
	}
	q, err := ParsePHDBRequest(rs[0])
	if err != nil || q != (PHDBRequest{Type: PHDBDisplayed, Interval: 5, Classes: ClassExt1}) {
		t.Errorf("parsed %+v, %v", q, err)
	}
}

func TestWaveRequestBytes(t *testing.T) {
	wire := EncodeWaveRequest(WaveStart, DefaultWaves)
	rs, d := decodeAll(t, wire)
	if len(rs) != 1 || d.Skipped() != 0 {
		t.Fatalf("%d records, %d skipped", len(rs), d.Skipped())
	}
	rec := MarshalRecord(rs[0])
	if len(rec) != 72 || rs[0].MainType != MainWave {
		t.Fatalf("record of %d bytes, main type %d", len(rec), rs[0].MainType)
	}
	if got := rec[40:52]; !bytes.Equal(got, hexBytes(t, "00 00 00 00 01 08 04 09 FF FF FF FF")) {
		t.Errorf("request data % X", got)
	}
	kind, waves, err := ParseWaveRequest(rs[0])
	if err != nil || kind != WaveStart || !reflect.DeepEqual(waves, DefaultWaves) {
		t.Errorf("parsed %d %v %v", kind, waves, err)
	}
	stop := MarshalRecord(mustOne(t, EncodeWaveRequest(WaveStop, nil)))
	if stop[40] != 1 || stop[44] != 0xFF {
		t.Errorf("stop request data % X", stop[40:52])
	}
}

func mustOne(tb testing.TB, wire []byte) Record {
	tb.Helper()
	rs, _ := decodeAll(tb, wire)
	if len(rs) != 1 {
		tb.Fatalf("%d records in % X", len(rs), wire)
	}
	return rs[0]
}

func TestCheckWaves(t *testing.T) {
	tests := []struct {
		name  string
		waves []WaveType
		err   error
	}{
		{"default 525/s", DefaultWaves, nil},
		{"two ECG 600/s", []WaveType{WaveECG1, WaveECG2}, nil},
		{"three ECG 900/s", []WaveType{WaveECG1, WaveECG2, WaveECG3}, ErrWaveBudget},
		{"nine slow waves", []WaveType{9, 10, 11, 12, 13, 14, 15, 23, 9}, ErrWaveBudget},
		{"unknown id", []WaveType{22}, ErrUnknownWave},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := CheckWaves(tt.waves); !errors.Is(err, tt.err) {
				t.Errorf("CheckWaves = %v, want %v", err, tt.err)
			}
		})
	}
}

// Escapes: 7E → 7D 5E and 7D → 7D 5D, in the record and in the checksum.
func TestFrameEscapes(t *testing.T) {
	rec := MarshalRecord(NewRecord(Header{MainType: MainWave, Time: 0x7E7D0000}, []byte{byte(WaveECG1)},
		[][]byte{EncodeWave(WaveData{Type: WaveECG1, Samples: []int16{0x7E7D, 0x007E}})}))
	wire := Frame(rec)
	inner := wire[1 : len(wire)-1]
	if bytes.IndexByte(inner, Flag) >= 0 {
		t.Fatalf("flag inside frame: % X", wire)
	}
	if !bytes.Contains(inner, hexBytes(t, "7D 5D 7D 5E")) {
		t.Errorf("time bytes not escaped: % X", inner)
	}
	r := mustOne(t, wire)
	ws, err := Waves(r)
	if err != nil || len(ws) != 1 || !reflect.DeepEqual(ws[0].Samples, []int16{0x7E7D, 0x007E}) || r.Time != 0x7E7D0000 {
		t.Errorf("round trip %+v %v", ws, err)
	}
	// A record whose checksum itself is 7E.
	for pad := byte(0); pad < 255; pad++ {
		rec[len(rec)-1] = pad
		if Checksum(rec) == Flag {
			break
		}
	}
	wire = Frame(rec)
	if !bytes.HasSuffix(wire, hexBytes(t, "7D 5E 7E")) {
		t.Errorf("checksum 7E not escaped: % X", wire[len(wire)-4:])
	}
	if got := mustOne(t, wire); !bytes.Equal(MarshalRecord(got), rec) {
		t.Error("record with 7E checksum does not round-trip")
	}
}

func TestBasicLayout(t *testing.T) {
	size := 0
	for _, g := range BasicGroups {
		if g.Header {
			size += 6
		}
		size += 2 * len(g.Fields)
	}
	if size+2 != ClassBlockSize { // two reserved bytes close the class
		t.Errorf("basic class is %d bytes + 2 reserved, want %d", size, ClassBlockSize)
	}
	if BasicGroups[GroupAA].Name != "aa" || BasicGroups[GroupP6].Name != "p6" || BasicGroups[GroupECGExtra].Header {
		t.Error("group indexes out of step with BasicGroups")
	}
	if RawCode(GroupAA, 2) != "basic.aa.mac" {
		t.Errorf("raw code %q", RawCode(GroupAA, 2))
	}
}

func TestPHDBRoundTripAndNumerics(t *testing.T) {
	p := newPHDB()
	DefaultValues(0, &p)
	p.Time = 1_700_000_000
	p.Groups[GroupCO2].Values[0] = FlagOverRange
	p.Groups[GroupT1].Values[0] = FlagDiscontinuity
	b := EncodePHDB(p)
	if len(b) != PHDBSize {
		t.Fatalf("%d bytes", len(b))
	}
	// ECG group first: status 3, label 0, then hr 72 at offset 4+6.
	if got := binary.LittleEndian.Uint32(b[4:]); got != GroupExists|GroupActive {
		t.Errorf("ecg status %d", got)
	}
	if got := int16(binary.LittleEndian.Uint16(b[10:])); got != 72 {
		t.Errorf("hr %d", got)
	}
	q, err := ParsePHDB(b)
	if err != nil || !reflect.DeepEqual(q, p) {
		t.Fatalf("round trip: %v\n got %+v\nwant %+v", err, q, p)
	}
	ns := Numerics(q)
	byCode := map[string]devices.Numeric{}
	for _, n := range ns {
		byCode[n.RawCode] = n
	}
	tests := []struct {
		code   string
		mdc    uint32
		value  float64
		unit   string
		status devices.NumericStatus
	}{
		{"basic.ecg.hr", devices.MDCECGHeartRate, 72, "/min", devices.Valid},
		{"basic.p1.sys", mdcPressBldSys, 120, "mm[Hg]", devices.Valid},
		{"basic.nibp.mean", mdcNIBPMean, 90, "mm[Hg]", devices.Valid},
		{"basic.t1.temp", mdcTemp, 0, "Cel", devices.QuestionableValue},
		{"basic.spo2.spo2", devices.MDCPulsOximSatO2, 97, "%", devices.Valid},
		{"basic.spo2.svo2", 0, 0, "%", devices.Unavailable},
		{"basic.co2.et", mdcConcAwayCO2ET, 0, "%", devices.Unavailable},
		{"basic.co2.rr", mdcCO2RespRate, 12, "/min", devices.Valid},
		{"basic.aa.mac", 0, 1.05, "1", devices.Valid},
		{"basic.ecg_extra.hr_max", 0, 80, "/min", devices.Valid},
	}
	for _, tt := range tests {
		n, ok := byCode[tt.code]
		if !ok {
			t.Errorf("%s missing", tt.code)
			continue
		}
		if n.Code != tt.mdc || n.Unit != tt.unit || n.Status != tt.status || !near(n.Value, tt.value) {
			t.Errorf("%s = %+v, want mdc %d %g %s %v", tt.code, n, tt.mdc, tt.value, tt.unit, tt.status)
		}
	}
	if _, ok := byCode["basic.o2.fi"]; ok {
		t.Error("value of an absent group emitted")
	}
	if len(ns) != 5+4+4+1+4+4+3+3 {
		t.Errorf("%d numerics", len(ns))
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestFlagStatus(t *testing.T) {
	tests := []struct {
		v      int16
		status devices.NumericStatus
		event  string
	}{
		{0, devices.Valid, ""},
		{-32001 + 1, devices.Valid, ""},
		{FlagInvalid, devices.Unavailable, ""},
		{FlagNotUpdated, devices.Unavailable, ""},
		{FlagDiscontinuity, devices.QuestionableValue, ""},
		{FlagUnderRange, devices.Unavailable, EventUnderRange},
		{FlagOverRange, devices.Unavailable, EventOverRange},
		{FlagNotCalibrated, devices.Unavailable, EventNotCalibrated},
		{-32100, devices.Unavailable, ""},
	}
	for _, tt := range tests {
		st, ev := FlagStatus(tt.v)
		if st != tt.status || ev != tt.event {
			t.Errorf("FlagStatus(%d) = %v %q, want %v %q", tt.v, st, ev, tt.status, tt.event)
		}
	}
}

func TestDecoderResync(t *testing.T) {
	good := EncodePHDBRequest(PHDBRequest{Type: 1, Interval: 5})
	badSum := bytes.Clone(good)
	badSum[len(badSum)-2] ^= 0x01
	badLen := Frame(func() []byte { b := MarshalRecord(mustOne(t, good)); b[0]++; return b }())
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name     string
		wire     []byte
		records  int
		bad      int
		skipped  int
		firstErr error
	}{
		{"clean", cat(good, good), 2, 0, 0, nil},
		{"leading garbage", cat([]byte{1, 2, 3, 0x7D}, good), 1, 0, 4, nil},
		{"bad checksum", cat(badSum, good), 1, 1, 50, ErrChecksum},
		{"bad r_len", cat(badLen, good), 1, 1, 50, ErrLength},
		{"truncated frame", cat(good[:20], good), 1, 1, 19, ErrShortRecord},
		{"truncated tail", cat(good, good[:30]), 1, 0, 29, nil},
		{"shared flags", cat(good[:len(good)-1], good), 2, 0, 0, nil},
		{"escape before flag", cat([]byte{Flag, 1, Escape, Flag}, good[1:]), 1, 1, 1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs, d := decodeAll(t, tt.wire)
			if len(rs) != tt.records || d.BadFrames() != tt.bad || d.Skipped() != tt.skipped {
				t.Errorf("%d records, %d bad, %d skipped; want %d, %d, %d", len(rs), d.BadFrames(), d.Skipped(), tt.records, tt.bad, tt.skipped)
			}
			if tt.firstErr != nil && !errors.Is(d.LastError(), tt.firstErr) {
				t.Errorf("last error %v, want %v", d.LastError(), tt.firstErr)
			}
			for _, r := range rs {
				if q, err := ParsePHDBRequest(r); err != nil || q.Interval != 5 {
					t.Errorf("record %+v %v", q, err)
				}
			}
		})
	}
}

func TestDecoderOversizedFrame(t *testing.T) {
	huge := append([]byte{Flag}, bytes.Repeat([]byte{0x11}, 3000)...)
	good := EncodePHDBRequest(PHDBRequest{Type: 1, Interval: 5})
	rs, d := decodeAll(t, append(huge, good...))
	if len(rs) != 1 || d.BadFrames() != 1 {
		t.Errorf("%d records, %d bad", len(rs), d.BadFrames())
	}
}

func FuzzDecoder(f *testing.F) {
	good := EncodePHDBRequest(PHDBRequest{Type: 1, Interval: 5})
	p := newPHDB()
	DefaultValues(0, &p)
	f.Add(good)
	f.Add(EncodeWaveRequest(WaveStart, DefaultWaves))
	f.Add(Encode(NewRecord(Header{MainType: MainPHDB}, []byte{1}, [][]byte{EncodePHDB(p)})))
	f.Add(append([]byte{0x7D, 0x7E, 0x7E, 0x00}, good...))
	f.Fuzz(func(t *testing.T, b []byte) {
		rs, d := decodeAll(t, b)
		for _, r := range rs {
			if len(MarshalRecord(r)) > MaxRecordSize {
				t.Fatalf("record of %d bytes", len(MarshalRecord(r)))
			}
			// Whatever decodes parses without panicking.
			_, _ = Waves(r)
			_, _, _ = PHDBs(r)
		}
		if d.Skipped() > len(b) {
			t.Fatalf("skipped %d of %d bytes", d.Skipped(), len(b))
		}
		// A valid frame after the fuzz input still decodes (a flag first
		// ends whatever frame the input left open).
		again, _ := decodeAll(t, append(append(bytes.Clone(b), Flag), good...))
		if len(again) < 1 {
			t.Fatal("valid frame after garbage lost")
		}
		if q, err := ParsePHDBRequest(again[len(again)-1]); err != nil || q.Interval != 5 {
			t.Fatalf("last record %+v %v", q, err)
		}
	})
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	for range 100 {
		rec := NewRecord(Header{MainType: MainWave}, []byte{1, 8}, [][]byte{
			EncodeWave(WaveData{Samples: make([]int16, 30)}), EncodeWave(WaveData{Samples: make([]int16, 10)})})
		wire = append(wire, Encode(rec)...)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(wire)))
	r := bytes.NewReader(wire)
	for b.Loop() {
		r.Reset(wire)
		d := NewDecoder(r)
		for {
			if _, err := d.Next(); err != nil {
				break
			}
		}
	}
}
