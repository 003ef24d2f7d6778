package medibus

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"testing"
	"time"

	"telewave/devices"
)

func decodeAll(tb testing.TB, b []byte) ([]Item, *Decoder) {
	tb.Helper()
	d := NewDecoder(bytes.NewReader(b))
	var out []Item
	for {
		it, err := d.Next()
		if errors.Is(err, io.EOF) {
			return out, d
		}
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, it)
	}
}

// Known bytes: the checksum is the byte sum as two uppercase hex digits.
func TestFrameBytes(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want []byte
	}{
		{"ICC", Command(CmdICC, ""), []byte("\x1bQ6C\r")},                     // 1B+51 = 6C
		{"NOP", Command(CmdNOP, ""), []byte("\x1b04B\r")},                     // 1B+30 = 4B
		{"NOP answer", Response(CmdNOP, ""), []byte{SOH, 0x30, '3', '1', CR}}, // 01+30 = 31
		{"values request", Command(CmdDataCP1, ""), []byte("\x1b$3F\r")},
		{"configure", Command(CmdRTConfigure, "00010101"), []byte("\x1bT00010101" + "F2" + "\r")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !bytes.Equal(tt.got, tt.want) {
				t.Errorf("% X, want % X", tt.got, tt.want)
			}
			f, err := ParseFrame(tt.got)
			if err != nil || f.Encode() == nil || !bytes.Equal(f.Encode(), tt.got) {
				t.Errorf("round trip %+v %v", f, err)
			}
		})
	}
}

func TestRealtimeBytes(t *testing.T) {
	tests := []struct {
		name string
		rt   Realtime
		wire []byte
	}{
		{"two streams", Realtime{Mask: 0x3, Samples: []uint16{0xABC, 0x001}}, []byte{0xD3, 0x80 | 0x3C, 0x80 | 0x2A, 0x81, 0x80}},
		{"inspiration marker", Realtime{Mask: 0x1, Cycle: CycleInspiration, Samples: []uint16{0xFFF}}, []byte{0xD1, 0xC6, 0xC0, 0xBF, 0xBF}},
		{"expiration marker", Realtime{Mask: 0x1, Cycle: CycleExpiration, Samples: []uint16{0}}, []byte{0xD1, 0xC6, 0xC1, 0x80, 0x80}},
		{"stream 5", Realtime{Mask: 0x11, Samples: []uint16{1, 2}}, []byte{0xD1, 0xC4, 0xC1, 0x81, 0x80, 0x82, 0x80}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EncodeRealtime(tt.rt); !bytes.Equal(got, tt.wire) {
				t.Fatalf("% X, want % X", got, tt.wire)
			}
			items, d := decodeAll(t, tt.wire)
			if len(items) != 1 || d.BadRealtime() != 0 || !reflect.DeepEqual(items[0].Realtime, tt.rt) {
				t.Errorf("decoded %+v (bad %d)", items, d.BadRealtime())
			}
		})
	}
	// The host's switch-on sequence is two sync commands.
	items, _ := decodeAll(t, EnableRealtime(0x0F))
	want := []SyncCommand{{SyncEnable1, 0xCF}, {SyncEnd, 0xC0}}
	if !bytes.Equal(EnableRealtime(0x0F), []byte{0xD0, 0xC1, 0xCF, 0xC0, 0xC0}) || len(items) != 2 ||
		items[0].Sync != want[0] || items[1].Sync != want[1] {
		t.Errorf("enable: % X → %+v", EnableRealtime(0x0F), items)
	}
}

// An ASCII response cut into pieces by realtime sets comes out whole, and
// so do the sets.
func TestDecoderInterleave(t *testing.T) {
	resp := Response(CmdDataCP1, EncodeValues([]Value{{0xD6, "  15"}, {0x7D, "  20"}}))
	rt := EncodeRealtime(Realtime{Mask: 0x3, Cycle: CycleInspiration, Samples: []uint16{100, 200}})
	var wire []byte
	for i := 0; i < len(resp); i += 3 {
		wire = append(wire, resp[i:min(i+3, len(resp))]...)
		wire = append(wire, rt...)
	}
	items, d := decodeAll(t, wire)
	frames, sets := 0, 0
	for _, it := range items {
		switch it.Kind {
		case ItemFrame:
			frames++
			vs, err := ParseValues(it.Frame.Data)
			if err != nil || len(vs) != 2 || vs[0] != (Value{0xD6, "  15"}) {
				t.Errorf("values %+v %v", vs, err)
			}
		case ItemRealtime:
			sets++
			if !reflect.DeepEqual(it.Realtime.Samples, []uint16{100, 200}) {
				t.Errorf("set %+v", it.Realtime)
			}
		}
	}
	if frames != 1 || sets != (len(resp)+2)/3 || d.BadFrames() != 0 || d.BadRealtime() != 0 {
		t.Errorf("%d frames, %d sets, %d bad, %d bad sets", frames, sets, d.BadFrames(), d.BadRealtime())
	}
}

func TestDecoderResync(t *testing.T) {
	good := Response(CmdNOP, "")
	badSum := bytes.Clone(good)
	badSum[2] = 'F'
	rt := EncodeRealtime(Realtime{Mask: 0x1, Samples: []uint16{7}})
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name         string
		wire         []byte
		frames, sets int
		bad, badRT   int
		skipped      int
		lastErr      error
	}{
		{"garbage first", cat([]byte("xyz\r"), good), 1, 0, 0, 0, 4, nil},
		{"bad checksum", cat(badSum, good), 1, 0, 1, 0, 5, ErrChecksum},
		{"cut by a new start", cat(good[:3], good), 1, 0, 1, 0, 3, ErrCut},
		{"too short", cat([]byte{SOH, 0x30, CR}, good), 1, 0, 1, 0, 3, ErrShort},
		{"realtime set cut by a sync byte", cat(rt[:2], rt), 0, 1, 0, 1, 0, ErrRealtime},
		{"sample bytes without sync", cat([]byte{0x81, 0x82}, rt), 0, 1, 0, 2, 0, nil},
		{"overlong frame", cat([]byte{SOH}, bytes.Repeat([]byte("A"), MaxFrame+5), []byte{CR}, good), 1, 0, 1, 0, MaxFrame + 5 + 2, ErrTooLong},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			items, d := decodeAll(t, tt.wire)
			frames, sets := 0, 0
			for _, it := range items {
				switch it.Kind {
				case ItemFrame:
					frames++
				case ItemRealtime:
					sets++
				}
			}
			if frames != tt.frames || sets != tt.sets || d.BadFrames() != tt.bad || d.BadRealtime() != tt.badRT || d.Skipped() != tt.skipped {
				t.Errorf("frames %d sets %d bad %d badRT %d skipped %d; want %d %d %d %d %d",
					frames, sets, d.BadFrames(), d.BadRealtime(), d.Skipped(), tt.frames, tt.sets, tt.bad, tt.badRT, tt.skipped)
			}
			if tt.lastErr != nil && !errors.Is(d.LastError(), tt.lastErr) {
				t.Errorf("last error %v, want %v", d.LastError(), tt.lastErr)
			}
		})
	}
}

func TestRecords(t *testing.T) {
	cfg := DefaultCurves
	data := EncodeRTConfig(cfg)
	if len(data) != 23*len(cfg) || data[:23] != "0000016000  -20  100FF0" {
		t.Fatalf("config data %q", data)
	}
	got, err := ParseRTConfig([]byte(data))
	if err != nil || !reflect.DeepEqual(got, cfg) {
		t.Errorf("config round trip %+v %v", got, err)
	}
	if _, err := ParseRTConfig([]byte(data + "00")); err == nil {
		t.Error("trailing bytes accepted")
	}
	codes, err := ParseConfigureArgs([]byte(ConfigureArgs([]byte{0x00, 0x01})))
	if err != nil || !bytes.Equal(codes, []byte{0, 1}) || ConfigureArgs([]byte{0, 1}) != "00010101" {
		t.Errorf("configure args %v %v", codes, err)
	}
	id := DeviceID{ID: "0161", Name: "Evita4", Revision: "04.05"}
	if id.Encode() != "0161'Evita4'04.05" || ParseDeviceID([]byte(id.Encode())) != id {
		t.Errorf("device id %q", id.Encode())
	}
	// Signal scale from the range: 120 mbar over 4080 counts, zero at 680.
	sig := cfg[0].Signal()
	if sig.ID != "paw" || sig.Baseline != 680 || sig.SampleRate != 62.5 || sig.Max != 0xFF0 || sig.Unit != "mbar" {
		t.Errorf("paw signal %+v", sig)
	}
	for _, x := range []float64{-20, 0, 5, 20, 100} {
		if p := sig.Physical(int32(cfg[0].Count(x))); p-x > sig.Scale/2 || x-p > sig.Scale/2 {
			t.Errorf("%g mbar reads back %g", x, p)
		}
	}
}

func TestValueNumerics(t *testing.T) {
	at := time.Unix(1_700_000_000, 0)
	tests := []struct {
		v      Value
		code   uint32
		label  string
		value  float64
		unit   string
		status devices.NumericStatus
	}{
		{Value{0xD6, "  15"}, mdcRespRate, "RR", 15, "/min", devices.Valid},
		{Value{0xF0, "  40"}, mdcAwayO2Insp, "FiO2", 40, "%", devices.Valid},
		{Value{0xB9, " 7.5"}, 0, "MV", 7.5, "L/min", devices.Valid},
		{Value{0x88, " 500"}, 0, "VT", 500, "mL", devices.Valid},
		{Value{0x7D, "  20"}, 0, "Ppeak", 20, "mbar", devices.Valid},
		{Value{0x7D, "----"}, 0, "Ppeak", 0, "mbar", devices.Unavailable},
		{Value{0x09, " 180"}, 0, "Medibus 09", 180, "1", devices.Valid},
		{Value{0xEB, "  NaN"[:4]}, devices.MDCPulsOximSatO2, "SpO2", 0, "%", devices.Unavailable},
	}
	for _, tt := range tests {
		n := tt.v.Numeric(at)
		if n.Code != tt.code || n.Label != tt.label || n.Value != tt.value || n.Unit != tt.unit || n.Status != tt.status || n.Time != at {
			t.Errorf("%+v → %+v", tt.v, n)
		}
		if want := "cp1:" + EncodeValues([]Value{tt.v})[:2]; n.RawCode != want {
			t.Errorf("raw code %q, want %q", n.RawCode, want)
		}
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(Response(CmdDataCP1, EncodeValues(DefaultValues(0))))
	f.Add(append(EncodeRealtime(Realtime{Mask: 0x13, Cycle: CycleExpiration, Samples: []uint16{1, 2, 3}}), Command(CmdICC, "")...))
	f.Add(append(EnableRealtime(3), []byte("\x01\x53garbage\r\xd1\x80")...))
	good := Response(CmdNOP, "")
	f.Fuzz(func(t *testing.T, b []byte) {
		items, d := decodeAll(t, b)
		for _, it := range items {
			switch it.Kind {
			case ItemFrame:
				if !bytes.Equal(it.Frame.Encode(), mustParse(t, it.Frame.Encode()).Encode()) {
					t.Fatal("frame does not round-trip")
				}
				_, _ = ParseValues(it.Frame.Data)
				_, _ = ParseRTConfig(it.Frame.Data)
			case ItemRealtime:
				for _, v := range it.Realtime.Samples {
					if v > 0xFFF {
						t.Fatalf("sample %d beyond 12 bits", v)
					}
				}
			}
		}
		if d.Skipped() > len(b) {
			t.Fatalf("skipped %d of %d", d.Skipped(), len(b))
		}
		// A valid frame after the input still decodes.
		again, _ := decodeAll(t, append(bytes.Clone(b), good...))
		last := again[len(again)-1]
		if len(again) == 0 || last.Kind != ItemFrame || !last.Frame.Response || last.Frame.Cmd != CmdNOP {
			t.Fatalf("valid frame after garbage lost: %+v", again)
		}
	})
}

func mustParse(tb testing.TB, b []byte) Frame {
	tb.Helper()
	f, err := ParseFrame(b)
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

func BenchmarkDecoder(b *testing.B) {
	var wire []byte
	resp := Response(CmdDataCP1, EncodeValues(DefaultValues(0)))
	for i := range 625 {
		wire = append(wire, EncodeRealtime(Realtime{Mask: 3, Samples: []uint16{uint16(i), uint16(2 * i)}})...)
		if i%6 == 0 && len(resp) > 0 {
			k := min(6, len(resp))
			wire = append(wire, resp[:k]...)
			resp = resp[k:]
		}
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
