package intellivue

import (
	"fmt"
	"math"
	"time"
	"unicode/utf16"
)

// AVA is one attribute: its id and its value bytes.
type AVA struct {
	ID    uint16
	Value []byte
}

func (w *wr) attrs(list []AVA) {
	var b wr
	for _, a := range list {
		b.u16(a.ID)
		b.sized(a.Value)
	}
	w.list(len(list), b.b)
}

func (r *rd) attrs() []AVA {
	n := r.u16()
	lr := &rd{b: r.sized()}
	var out []AVA
	for i := 0; i < int(n) && lr.err == nil; i++ {
		a := AVA{ID: lr.u16(), Value: lr.sized()}
		if lr.err == nil {
			out = append(out, a)
		}
	}
	if r.err == nil && lr.err != nil {
		r.err = fmt.Errorf("attribute list: %w", lr.err)
	}
	return out
}

// Float is the IntelliVue FLOAT-Type: a signed 8-bit exponent above a
// signed 24-bit mantissa, value = m·10^e.
type Float uint32

// FloatNaN is the "not a number" value (mantissa 0x7FFFFF, exponent 0).
const FloatNaN Float = 0x007FFFFF

// Special mantissas besides NaN: ±infinity and "not at this resolution".
const (
	floatPosInf = 0x7FFFFE
	floatNRes   = 0x800000
	floatNegInf = 0x800002
)

// MakeFloat returns m·10^e; m is cut to 24 bits.
func MakeFloat(m int32, e int8) Float {
	return Float(uint32(uint8(e))<<24 | uint32(m)&0xFFFFFF)
}

// FloatOf encodes v with the given number of decimals (e = -decimals).
func FloatOf(v float64, decimals int) Float {
	if math.IsNaN(v) {
		return FloatNaN
	}
	return MakeFloat(int32(math.Round(v*math.Pow10(decimals))), int8(-decimals))
}

// Parts returns the mantissa and exponent.
func (f Float) Parts() (m int32, e int8) {
	m = int32(f<<8) >> 8
	return m, int8(f >> 24)
}

// Valid reports whether f is a number (not NaN, NRes or ±infinity).
func (f Float) Valid() bool {
	m := uint32(f) & 0xFFFFFF
	return m != 0x7FFFFF && m != floatPosInf && m != floatNRes && m != floatNegInf && m != 0x800001
}

// Value returns m·10^e, or NaN when f is not a number. Negative exponents
// divide, so that 372·10^-1 is exactly the float64 nearest 37.2.
func (f Float) Value() float64 {
	if !f.Valid() {
		return math.NaN()
	}
	m, e := f.Parts()
	if e < 0 {
		return float64(m) / math.Pow10(-int(e))
	}
	return float64(m) * math.Pow10(int(e))
}

// RelTime is the monitor's relative time in 1/8 ms ticks.
type RelTime uint32

// RelTicksPerSecond is the resolution of RelTime.
const RelTicksPerSecond = 8000

// Duration converts ticks to a duration.
func (t RelTime) Duration() time.Duration { return time.Duration(t) * time.Second / RelTicksPerSecond }

// RelTimeOf converts a duration to ticks (rounded down).
func RelTimeOf(d time.Duration) RelTime { return RelTime(d * RelTicksPerSecond / time.Second) }

// AbsTime is the monitor's absolute time: century, year, month, day, hour,
// minute, second and hundredths, each one BCD byte. 0xFF bytes mean unset.
type AbsTime [8]byte

func bcd(v int) byte { return byte(v/10<<4 | v%10) }

func unbcd(b byte) (int, bool) {
	hi, lo := int(b>>4), int(b&0x0F)
	return hi*10 + lo, hi < 10 && lo < 10
}

// AbsTimeOf encodes t (in its own location) to the hundredth of a second.
func AbsTimeOf(t time.Time) AbsTime {
	return AbsTime{bcd(t.Year() / 100), bcd(t.Year() % 100), bcd(int(t.Month())), bcd(t.Day()),
		bcd(t.Hour()), bcd(t.Minute()), bcd(t.Second()), bcd(t.Nanosecond() / 1e7)}
}

// Time decodes a in loc; ok is false when a is unset or not valid BCD.
func (a AbsTime) Time(loc *time.Location) (time.Time, bool) {
	var v [8]int
	for i, b := range a {
		n, ok := unbcd(b)
		if !ok {
			return time.Time{}, false
		}
		v[i] = n
	}
	if v[2] < 1 || v[2] > 12 || v[3] < 1 || v[3] > 31 || v[4] > 23 || v[5] > 59 || v[6] > 60 {
		return time.Time{}, false
	}
	return time.Date(v[0]*100+v[1], time.Month(v[2]), v[3], v[4], v[5], v[6], v[7]*1e7, loc), true
}

// NuObs is a numeric observation (NU_VAL_OBS): physio id, measurement
// state, unit code and value.
type NuObs struct {
	Physio uint16
	State  uint16
	Unit   uint16
	Value  Float
}

func (w *wr) nuObs(n NuObs) { w.u16(n.Physio); w.u16(n.State); w.u16(n.Unit); w.u32(uint32(n.Value)) }

func (r *rd) nuObs() NuObs {
	return NuObs{Physio: r.u16(), State: r.u16(), Unit: r.u16(), Value: Float(r.u32())}
}

// EncodeNuObs returns an NU_VAL_OBS value.
func EncodeNuObs(n NuObs) []byte {
	var w wr
	w.nuObs(n)
	return w.b
}

// ParseNuObs reads an NU_VAL_OBS value.
func ParseNuObs(b []byte) (NuObs, error) {
	r := &rd{b: b}
	n := r.nuObs()
	if r.err != nil {
		return NuObs{}, fmt.Errorf("numeric observation: %w", r.err)
	}
	return n, nil
}

// EncodeNuCmpd returns an NU_CMPD_VAL_OBS value: a list of observations.
func EncodeNuCmpd(list []NuObs) []byte {
	var b wr
	for _, n := range list {
		b.nuObs(n)
	}
	var w wr
	w.list(len(list), b.b)
	return w.b
}

// ParseNuCmpd reads an NU_CMPD_VAL_OBS value.
func ParseNuCmpd(b []byte) ([]NuObs, error) {
	r := &rd{b: b}
	n := r.u16()
	lr := &rd{b: r.sized()}
	var out []NuObs
	for i := 0; i < int(n) && lr.err == nil; i++ {
		if o := lr.nuObs(); lr.err == nil {
			out = append(out, o)
		}
	}
	if err := firstErr(r.err, lr.err); err != nil {
		return nil, fmt.Errorf("compound numeric observation: %w", err)
	}
	return out, nil
}

// SaObs is a sample array observation (SA_VAL_OBS): physio id, state and
// the raw sample bytes.
type SaObs struct {
	Physio uint16
	State  uint16
	Data   []byte
}

func (w *wr) saObs(s SaObs) { w.u16(s.Physio); w.u16(s.State); w.sized(s.Data) }

func (r *rd) saObs() SaObs { return SaObs{Physio: r.u16(), State: r.u16(), Data: r.sized()} }

// EncodeSaObs returns an SA_VAL_OBS value.
func EncodeSaObs(s SaObs) []byte {
	var w wr
	w.saObs(s)
	return w.b
}

// ParseSaObs reads an SA_VAL_OBS value.
func ParseSaObs(b []byte) (SaObs, error) {
	r := &rd{b: b}
	s := r.saObs()
	if r.err != nil {
		return SaObs{}, fmt.Errorf("sample array observation: %w", r.err)
	}
	return s, nil
}

// EncodeSaCmpd returns an SA_CMPD_VAL_OBS value.
func EncodeSaCmpd(list []SaObs) []byte {
	var b wr
	for _, s := range list {
		b.saObs(s)
	}
	var w wr
	w.list(len(list), b.b)
	return w.b
}

// ParseSaCmpd reads an SA_CMPD_VAL_OBS value.
func ParseSaCmpd(b []byte) ([]SaObs, error) {
	r := &rd{b: b}
	n := r.u16()
	lr := &rd{b: r.sized()}
	var out []SaObs
	for i := 0; i < int(n) && lr.err == nil; i++ {
		if s := lr.saObs(); lr.err == nil {
			out = append(out, s)
		}
	}
	if err := firstErr(r.err, lr.err); err != nil {
		return nil, fmt.Errorf("compound sample array observation: %w", err)
	}
	return out, nil
}

// SaSpec is SA_SPECN: samples per array, bits per sample, significant bits
// and flags.
type SaSpec struct {
	ArraySize  uint16
	SampleSize uint8 // bits
	SigBits    uint8
	Flags      uint16
}

// EncodeSaSpec returns an SA_SPECN value.
func EncodeSaSpec(s SaSpec) []byte {
	var w wr
	w.u16(s.ArraySize)
	w.u8(s.SampleSize)
	w.u8(s.SigBits)
	w.u16(s.Flags)
	return w.b
}

// ParseSaSpec reads an SA_SPECN value and checks its sample size.
func ParseSaSpec(b []byte) (SaSpec, error) {
	r := &rd{b: b}
	s := SaSpec{ArraySize: r.u16(), SampleSize: r.u8(), SigBits: r.u8(), Flags: r.u16()}
	if r.err != nil {
		return SaSpec{}, fmt.Errorf("sample array specification: %w", r.err)
	}
	if s.SampleSize != 8 && s.SampleSize != 16 {
		return SaSpec{}, fmt.Errorf("sample array specification: %d-bit samples not supported", s.SampleSize)
	}
	if s.SigBits == 0 || s.SigBits > s.SampleSize {
		s.SigBits = s.SampleSize
	}
	return s, nil
}

// Samples splits raw sample bytes into counts, keeping the significant
// bits (the bits above them carry markers, not signal).
func (s SaSpec) Samples(data []byte) []int32 {
	mask := int32(1)<<s.SigBits - 1
	if s.SampleSize == 8 {
		out := make([]int32, len(data))
		for i, b := range data {
			out[i] = int32(b) & mask
		}
		return out
	}
	out := make([]int32, len(data)/2)
	for i := range out {
		out[i] = (int32(data[2*i])<<8 | int32(data[2*i+1])) & mask
	}
	return out
}

// ScaleSpec is SCALE_SPECN_I16: the physical values of two counts, mapped
// linearly.
type ScaleSpec struct {
	LowerAbs, UpperAbs       Float
	LowerScaled, UpperScaled uint16
}

// EncodeScaleSpec returns a SCALE_SPECN_I16 value.
func EncodeScaleSpec(s ScaleSpec) []byte {
	var w wr
	w.u32(uint32(s.LowerAbs))
	w.u32(uint32(s.UpperAbs))
	w.u16(s.LowerScaled)
	w.u16(s.UpperScaled)
	return w.b
}

// ParseScaleSpec reads a SCALE_SPECN_I16 value.
func ParseScaleSpec(b []byte) (ScaleSpec, error) {
	r := &rd{b: b}
	s := ScaleSpec{LowerAbs: Float(r.u32()), UpperAbs: Float(r.u32()), LowerScaled: r.u16(), UpperScaled: r.u16()}
	if r.err != nil {
		return ScaleSpec{}, fmt.Errorf("scale specification: %w", r.err)
	}
	return s, nil
}

// Linear returns the scale (unit per count) and the count that means zero,
// ok false when the range is empty or not numeric.
func (s ScaleSpec) Linear() (scale float64, baseline int32, ok bool) {
	la, ua := s.LowerAbs.Value(), s.UpperAbs.Value()
	if math.IsNaN(la) || math.IsNaN(ua) || s.UpperScaled == s.LowerScaled || la == ua {
		return 0, 0, false
	}
	scale = (ua - la) / float64(int(s.UpperScaled)-int(s.LowerScaled))
	return scale, int32(math.Round(float64(s.LowerScaled) - la/scale)), true
}

// EncodeU32 returns a 4-byte value (TIME_PD_SAMP, ID_LABEL).
func EncodeU32(v uint32) []byte {
	var w wr
	w.u32(v)
	return w.b
}

// ParseU32 reads a 4-byte value.
func ParseU32(b []byte) (uint32, error) {
	r := &rd{b: b}
	v := r.u32()
	if r.err != nil {
		return 0, r.err
	}
	return v, nil
}

// EncodeTextIDList returns a TextIdList (the wave priority list).
func EncodeTextIDList(ids []uint32) []byte {
	var b wr
	for _, id := range ids {
		b.u32(id)
	}
	var w wr
	w.list(len(ids), b.b)
	return w.b
}

// ParseTextIDList reads a TextIdList.
func ParseTextIDList(b []byte) ([]uint32, error) {
	r := &rd{b: b}
	n := r.u16()
	lr := &rd{b: r.sized()}
	var out []uint32
	for i := 0; i < int(n) && lr.err == nil; i++ {
		if v := lr.u32(); lr.err == nil {
			out = append(out, v)
		}
	}
	if err := firstErr(r.err, lr.err); err != nil {
		return nil, fmt.Errorf("text id list: %w", err)
	}
	return out, nil
}

// EncodeString returns a String attribute (ID_LABEL_STRING): byte length and
// UTF-16BE text.
func EncodeString(s string) []byte {
	var b wr
	for _, u := range utf16.Encode([]rune(s)) {
		b.u16(u)
	}
	var w wr
	w.sized(b.b)
	return w.b
}

// ParseString reads a String attribute; a trailing NUL ends the text.
func ParseString(b []byte) (string, error) {
	r := &rd{b: b}
	raw := r.sized()
	if r.err != nil {
		return "", fmt.Errorf("string: %w", r.err)
	}
	u := make([]uint16, 0, len(raw)/2)
	for i := 0; i+1 < len(raw); i += 2 {
		c := uint16(raw[i])<<8 | uint16(raw[i+1])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u)), nil
}

// EncodeSystemModel returns ID_MODEL: manufacturer and model as two
// variable labels.
func EncodeSystemModel(manufacturer, model string) []byte {
	var w wr
	w.sized([]byte(manufacturer))
	w.sized([]byte(model))
	return w.b
}

// ParseSystemModel reads ID_MODEL.
func ParseSystemModel(b []byte) (manufacturer, model string, err error) {
	r := &rd{b: b}
	ma, mo := r.sized(), r.sized()
	if r.err != nil {
		return "", "", fmt.Errorf("system model: %w", r.err)
	}
	return trimLabel(ma), trimLabel(mo), nil
}

// trimLabel drops the NUL padding of a variable label.
func trimLabel(b []byte) string {
	for len(b) > 0 && (b[len(b)-1] == 0 || b[len(b)-1] == ' ') {
		b = b[:len(b)-1]
	}
	return string(b)
}
