package intellivue

import (
	"bytes"
	"errors"
	"io"
	"math"
	"reflect"
	"testing"
	"time"

	"telewave/devices"
)

func hexBytes(tb testing.TB, s string) []byte {
	tb.Helper()
	var out []byte
	for _, f := range bytes.Fields([]byte(s)) {
		if string(f) == "|" {
			continue
		}
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

func decodeAll(tb testing.TB, b []byte) (frames [][]byte, d *Decoder) {
	tb.Helper()
	d = NewDecoder(bytes.NewReader(b))
	for {
		ud, err := d.Next()
		if errors.Is(err, io.EOF) {
			return frames, d
		}
		if err != nil {
			tb.Fatal(err)
		}
		frames = append(frames, ud)
	}
}

func TestFCS(t *testing.T) {
	// PPP FCS-16 is CRC-16/X-25, whose check value is 0x906E.
	if got := FCS([]byte("123456789")); got != 0x906E {
		t.Errorf("FCS(123456789) = %#04x, want 0x906e", got)
	}
}

func TestEncodeFrameEscapes(t *testing.T) {
	ud := []byte{0xC0, 0x01, 0xC1, 0x7D}
	body := append([]byte{0x11, 0x01, 0x00, 0x04}, ud...)
	fcs := FCS(body)
	want := hexBytes(t, "C0 11 01 00 04 7D E0 01 7D E1 7D 5D")
	for _, c := range []byte{byte(fcs), byte(fcs >> 8)} {
		if c == 0xC0 || c == 0xC1 || c == 0x7D {
			want = append(want, 0x7D, c^0x20)
		} else {
			want = append(want, c)
		}
	}
	want = append(want, 0xC1)
	got := EncodeFrame(ud)
	if !bytes.Equal(got, want) {
		t.Fatalf("frame % X\nwant  % X", got, want)
	}
	frames, d := decodeAll(t, got)
	if len(frames) != 1 || !bytes.Equal(frames[0], ud) || d.Skipped() != 0 {
		t.Fatalf("decoded %X, skipped %d", frames, d.Skipped())
	}
}

// userDataWithFCSByte finds a user data whose FCS has b in it.
func userDataWithFCSByte(tb testing.TB, b byte) []byte {
	tb.Helper()
	for i := range 1 << 16 {
		ud := []byte{0xE1, 0x00, byte(i >> 8), byte(i)}
		fcs := FCS(append([]byte{0x11, 0x01, 0x00, 0x04}, ud...))
		if byte(fcs) == b || byte(fcs>>8) == b {
			return ud
		}
	}
	tb.Fatalf("no FCS with %02X", b)
	return nil
}

// Some hosts send the FCS unescaped; the decoder takes both.
func TestDecodeUnescapedFCS(t *testing.T) {
	for _, b := range []byte{0x7D, 0xC0, 0xC1, 0x20} {
		ud := userDataWithFCSByte(t, b)
		body := append([]byte{0x11, 0x01, 0x00, 0x04}, ud...)
		fcs := FCS(body)
		plain := append(append([]byte{0xC0}, body...), byte(fcs), byte(fcs>>8), 0xC1)
		escaped := EncodeFrame(ud)
		for name, wire := range map[string][]byte{"plain": plain, "escaped": escaped} {
			frames, d := decodeAll(t, append(append([]byte{}, wire...), EncodeFrame([]byte{1, 2, 3})...))
			if len(frames) != 2 || !bytes.Equal(frames[0], ud) || d.BadFrames() != 0 {
				t.Errorf("FCS byte %02X, %s: frames %X, bad %d", b, name, frames, d.BadFrames())
			}
		}
	}
}

func TestDecoderResync(t *testing.T) {
	good := EncodeFrame([]byte{0xE1, 0x00, 0x00, 0x02, 0x00, 0x01})
	other := EncodeFrame(EncodeReleaseRequest())
	badFCS := append([]byte(nil), good...)
	badFCS[len(badFCS)-2] ^= 0x01
	badHeader := EncodeFrame([]byte{1, 2})
	badHeader[1] = 0x12
	long := append([]byte(nil), good...)
	long[4] = 0x40 // length 64: runs into the next frame
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name               string
		wire               []byte
		frames, bad, skips int
	}{
		{"garbage before", cat([]byte{0x00, 0xFF, 0xC1, 0x7D}, good), 1, 0, 4},
		{"bad FCS then good", cat(badFCS, good), 1, 1, len(badFCS)},
		{"cut by the next frame", cat(good[:6], good), 1, 1, 6},
		{"bad header", cat(badHeader, other), 1, 1, len(badHeader)},
		{"length too long", cat(long, good, other), 2, 1, len(long)},
		{"truncated tail", cat(good, good[:5]), 1, 0, 5},
		{"two frames", cat(good, other), 2, 0, 0},
		{"empty", nil, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			frames, d := decodeAll(t, tt.wire)
			if len(frames) != tt.frames || d.BadFrames() != tt.bad || d.Skipped() != tt.skips {
				t.Fatalf("%d frames, %d bad, %d skipped; want %d, %d, %d", len(frames), d.BadFrames(), d.Skipped(), tt.frames, tt.bad, tt.skips)
			}
		})
	}
}

// stutter returns its bytes one at a time with (0, nil) reads in between,
// as a serial port with a short read timeout does.
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
	p[0] = s.b[0]
	s.b = s.b[1:]
	return 1, nil
}

func TestDecoderTimeoutReads(t *testing.T) {
	wire := EncodeFrame(EncodeAARE())
	d := NewDecoder(&stutter{b: wire})
	noData := 0
	for {
		ud, err := d.Next()
		if errors.Is(err, ErrNoData) {
			noData++
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ud, EncodeAARE()) {
			t.Fatalf("got % X", ud)
		}
		break
	}
	if noData != len(wire) {
		t.Errorf("%d ErrNoData, want one per byte (%d)", noData, len(wire))
	}
}

// The numerics poll of the reference notes, byte for byte.
func TestNumericsPollBytes(t *testing.T) {
	want := hexBytes(t, "E1 00 00 02 | 00 01 00 1C | 00 00 00 07 00 16 | 00 21 00 00 00 00 | 00 00 00 00 | 0C 16 | 00 08 | 00 01 | 00 01 00 06 | 00 00")
	act := Action{Object: MDS, Type: ActPollMDIBData, Body: PollRequest{Number: 1, Partition: PartObj, Code: ClassNumeric}.Encode(false)}
	got := EncodeData(RemoteOp{Type: ROIV, Invoke: 0, Command: CmdConfAction, Body: act.EncodeArgument()})
	if !bytes.Equal(got, want) {
		t.Fatalf("poll % X\nwant % X", got, want)
	}
	op, err := ParseData(got)
	if err != nil || op.Type != ROIV || op.Command != CmdConfAction {
		t.Fatalf("parse %+v %v", op, err)
	}
	a, err := ParseActionArgument(op.Body)
	if err != nil || a.Type != ActPollMDIBData || a.Object != MDS {
		t.Fatalf("action %+v %v", a, err)
	}
	// The extended wave poll's 600 s: 00 49 3E 00 in 1/8 ms.
	if got := EncodeU32(uint32(RelTimeOf(600 * time.Second))); !bytes.Equal(got, hexBytes(t, "00 49 3E 00")) {
		t.Errorf("600 s = % X", got)
	}
}

func TestSessionPDUs(t *testing.T) {
	if got := EncodeReleaseRequest(); !bytes.Equal(got[:4], hexBytes(t, "09 18 C1 16")) || len(got) != 2+0x18 {
		t.Errorf("release request % X", got)
	}
	// The MDS create result: E1 00 00 02, RORS of 20 bytes, invoke, 1, 14,
	// the object, the time, 0D 06, empty.
	res := EncodeData(RemoteOp{Type: RORS, Invoke: 7, Command: CmdConfEventReport, Body: EncodeEventResult(MDS, 0x00484700, NotiMDSCreate)})
	if want := hexBytes(t, "E1 00 00 02 00 02 00 14 00 07 00 01 00 0E 00 21 00 00 00 00 00 48 47 00 0D 06 00 00"); !bytes.Equal(res, want) {
		t.Errorf("create result % X\nwant % X", res, want)
	}
	tests := []struct {
		ud   []byte
		want byte
	}{
		{EncodeAARQ(), SPDUAssocRequest}, {EncodeAARE(), SPDUAssocAccept}, {EncodeRefuse(), SPDUAssocRefuse},
		{EncodeReleaseRequest(), SPDUReleaseReq}, {EncodeReleaseResponse(), SPDUReleaseResp}, {EncodeAbort(), SPDUAbort}, {res, SPDUData},
	}
	for _, tt := range tests {
		if got, err := SessionType(tt.ud); err != nil || got != tt.want {
			t.Errorf("SessionType(% X...) = %02X, %v; want %02X", tt.ud[:4], got, err, tt.want)
		}
	}
	aarq := EncodeAARQ()
	if aarq[1] != 0xFF && int(aarq[1]) != len(aarq)-2 || aarq[1] == 0xFF && int(aarq[2])<<8|int(aarq[3]) != len(aarq)-4 {
		t.Errorf("AARQ length indicator % X for %d bytes", aarq[:4], len(aarq))
	}
	if _, err := SessionType([]byte{0x0E, 0x20, 0x00}); !errors.Is(err, ErrShort) {
		t.Errorf("short AARE: %v", err)
	}
}

func TestFloat(t *testing.T) {
	tests := []struct {
		f    Float
		want float64
	}{
		{0x00000078, 120},
		{0xFF000174, 37.2},
		{0xFEFFF000, -40.96},
		{0x02000003, 300},
		{FloatNaN, math.NaN()},
		{0x00800000, math.NaN()}, // NRes
		{0x007FFFFE, math.NaN()}, // +inf
	}
	for _, tt := range tests {
		got := tt.f.Value()
		if got != tt.want && !(math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%#08x = %v, want %v", uint32(tt.f), got, tt.want)
		}
	}
	if f := FloatOf(37.2, 1); f != 0xFF000174 {
		t.Errorf("FloatOf(37.2, 1) = %#08x", uint32(f))
	}
	if f := FloatOf(math.NaN(), 0); f != FloatNaN {
		t.Errorf("FloatOf(NaN) = %#08x", uint32(f))
	}
}

func TestAbsTime(t *testing.T) {
	a := AbsTime(hexBytes(t, "20 24 03 15 13 45 30 50"))
	got, ok := a.Time(time.UTC)
	if want := time.Date(2024, 3, 15, 13, 45, 30, 500e6, time.UTC); !ok || !got.Equal(want) {
		t.Errorf("abs time %v %v, want %v", got, ok, want)
	}
	if AbsTimeOf(got) != a {
		t.Errorf("round trip % X", AbsTimeOf(got))
	}
	for _, bad := range []string{"FF FF FF FF FF FF FF FF", "20 24 13 15 13 45 30 50", "20 24 03 15 1A 45 30 50"} {
		if _, ok := AbsTime(hexBytes(t, bad)).Time(time.UTC); ok {
			t.Errorf("%s read as a time", bad)
		}
	}
	if d := RelTime(2048).Duration(); d != 256*time.Millisecond {
		t.Errorf("2048 ticks = %v", d)
	}
}

func TestPollReplyRoundTrip(t *testing.T) {
	r := PollReply{Number: 3, Seq: 9, RelTime: 123456, AbsTime: AbsTimeOf(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)),
		Partition: PartObj, Code: ClassNumeric, Contexts: []ContextPoll{{Context: 0, Objects: []ObservationPoll{
			{Handle: 1, Attrs: []AVA{{ID: AttrNuValObs, Value: EncodeNuObs(NuObs{PhysioHR, StateQuestionable, DimBPM, FloatOf(72, 0)})}}},
			{Handle: 2, Attrs: []AVA{{ID: AttrNuCmpdValObs, Value: EncodeNuCmpd([]NuObs{{PhysioNIBPSys, 0, DimMMHg, FloatOf(120, 0)}, {PhysioNIBPDia, 0, DimMMHg, FloatOf(80, 0)}})},
				{ID: AttrIDLabelString, Value: EncodeString("NBP")}}},
		}}}}
	for _, ext := range []bool{false, true} {
		got, err := ParsePollReply(r.Encode(ext), ext)
		want := r
		if !ext {
			want.Seq = 0
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("ext %v: %+v, %v", ext, got, err)
		}
	}
	o := readAttrs(r.Contexts[0].Objects[1].Attrs)
	if len(o.nu) != 2 || o.labelStr != "NBP" || o.nu[1].Value.Value() != 80 {
		t.Errorf("compound read %+v", o)
	}
	// A list that claims more than it holds is an error, not a panic.
	b := r.Encode(true)
	if _, err := ParsePollReply(b[:len(b)-3], true); !errors.Is(err, ErrShort) {
		t.Errorf("truncated reply: %v", err)
	}
}

func TestScaleLinear(t *testing.T) {
	tests := []struct {
		spec  ScaleSpec
		scale float64
		base  int32
	}{
		{ecgSpec.scale, 0.005, 8192},
		{abpSpec.scale, 0.05, 800},
		{plethSpec.scale, 1.0 / 4095, 0},
	}
	for _, tt := range tests {
		s, b, ok := tt.spec.Linear()
		if !ok || math.Abs(s-tt.scale) > 1e-12 || b != tt.base {
			t.Errorf("%+v: scale %v base %d ok %v; want %v %d", tt.spec, s, b, ok, tt.scale, tt.base)
		}
	}
	if _, _, ok := (ScaleSpec{LowerAbs: FloatNaN, UpperAbs: 1, UpperScaled: 10}).Linear(); ok {
		t.Error("NaN range accepted")
	}
}

func TestSamples(t *testing.T) {
	spec := SaSpec{SampleSize: 16, SigBits: 12}
	// The bits above the significant ones are markers and are dropped.
	got := spec.Samples([]byte{0x0F, 0xFF, 0xF0, 0x01, 0x08, 0x00})
	if want := []int32{4095, 1, 2048}; !reflect.DeepEqual(got, want) {
		t.Errorf("samples %v, want %v", got, want)
	}
	if _, err := ParseSaSpec(EncodeSaSpec(SaSpec{ArraySize: 4, SampleSize: 12})); err == nil {
		t.Error("12-bit samples accepted")
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(EncodeFrame(EncodeAARE()))
	f.Add([]byte{0xC0, 0x11, 0x01, 0x00, 0x02, 0x7D})
	f.Add([]byte{0xC0, 0x11, 0x01, 0x00, 0x00, 0x12, 0xC1, 0xC1})
	f.Add(hexBytes(f, "C0 11 01 FF FF 00"))
	good := EncodeFrame(EncodeReleaseResponse())
	f.Fuzz(func(t *testing.T, b []byte) {
		frames, d := decodeAll(t, append(append([]byte(nil), b...), good...))
		if len(frames) == 0 || !bytes.Equal(frames[len(frames)-1], EncodeReleaseResponse()) {
			t.Fatalf("the good frame after % X was lost (skipped %d)", b, d.Skipped())
		}
		for _, ud := range frames {
			// What decodes, re-encodes and decodes the same.
			again, _ := decodeAll(t, EncodeFrame(ud))
			if len(again) != 1 || !bytes.Equal(again[0], ud) {
				t.Fatalf("round trip of % X", ud)
			}
		}
	})
}

// FuzzParse feeds arbitrary user data through every parser the driver
// uses: errors are fine, panics are not.
func FuzzParse(f *testing.F) {
	r := PollReply{Contexts: []ContextPoll{{Objects: []ObservationPoll{{Handle: 1, Attrs: []AVA{
		{ID: AttrSaValObs, Value: EncodeSaObs(SaObs{Physio: PhysioPleth, Data: []byte{0, 1, 0, 2}})},
		{ID: AttrSaSpecn, Value: EncodeSaSpec(SaSpec{ArraySize: 2, SampleSize: 16, SigBits: 12})},
		{ID: AttrTimePdSamp, Value: EncodeU32(64)},
	}}}}}}
	act := Action{Object: MDS, Type: ActPollMDIBDataExt, Body: r.Encode(true)}
	f.Add(EncodeData(RemoteOp{Type: ROLRS, LinkedState: LinkedFirst, Command: CmdConfAction, Body: act.EncodeResult()}))
	f.Add(EncodeData(RemoteOp{Type: ROIV, Command: CmdConfEventReport, Body: EventReport{Object: MDS, Type: NotiMDSCreate}.Encode()}))
	f.Add(EncodeAARQ())
	f.Fuzz(func(t *testing.T, ud []byte) {
		var got []any
		s := newSession(func(m devices.Message) { got = append(got, m) }, time.UTC, time.Now)
		c := &conn{port: io.Discard}
		_ = s.handle(c, arrival{ud: ud, at: time.Unix(1, 0)})
		_, _ = ParseMDSCreate(ud)
		_, _ = ParseSetArgument(ud)
		_, _ = ParsePollRequest(ud, true)
		_ = parseMDS(ud)
		o := readAttrs([]AVA{{ID: AttrNuCmpdValObs, Value: ud}, {ID: AttrSaCmpdValObs, Value: ud}, {ID: AttrScaleSpecnI16, Value: ud},
			{ID: AttrIDLabelString, Value: ud}, {ID: AttrSaSpecn, Value: ud}})
		_ = o
		_, _ = ParseTextIDList(ud)
	})
}

// BenchmarkDecodeWaveReply decodes and converts one 256 ms reply of four
// waves, as the driver does about four times a second.
func BenchmarkDecodeWaveReply(b *testing.B) {
	m := newMonitor(&Simulator{})
	m.prio, m.staticPending = DefaultWaves, true
	m.state = simAssociated
	fs, err := m.waveBlock()
	if err != nil || len(fs) != 1 {
		b.Fatalf("%d frames, %v", len(fs), err)
	}
	wire := fs[0].wire
	s := newSession(func(devices.Message) {}, time.UTC, time.Now)
	c := &conn{port: io.Discard}
	b.SetBytes(int64(len(wire)))
	b.ReportAllocs()
	for b.Loop() {
		ud, err := NewDecoder(bytes.NewReader(wire)).Next()
		if err != nil {
			b.Fatal(err)
		}
		_ = s.handle(c, arrival{ud: ud, at: time.Unix(1, 0)})
	}
}
