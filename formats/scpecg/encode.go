package scpecg

import (
	"fmt"
	"math"
	"time"

	"telewave/formats/ecg12"
)

// encodeVersion is the protocol version Encode writes: SCP-ECG 2.0.
const encodeVersion = 20

// Encode writes rec as an SCP-ECG 2.0 file: patient, device and acquisition
// time (section 1), the stored leads (derived ones are left out, as carts
// do) as second differences coded with the default Huffman table
// (sections 2, 3, 6), the median beat when rec has one (sections 4 and 5,
// without QRS locations), the global measurements it knows by name
// (section 7) and the statements as full text (section 8).
//
// SCP-ECG has one amplitude multiplier per section in whole nV, whole-µs
// sample intervals and 16-bit samples, so every lead must share one scale,
// (count − baseline) must fit in 16 bits, and scale and rate must be whole
// nV and µs to within 1 part in 10⁴.
func Encode(rec *ecg12.Record) ([]byte, error) {
	if err := rec.Validate(); err != nil {
		return nil, fmt.Errorf("scp-ecg encode: %w", err)
	}
	var leads []ecg12.Lead
	for _, l := range rec.Leads {
		if !l.Derived {
			leads = append(leads, l)
		}
	}
	if len(leads) > 255 {
		return nil, fmt.Errorf("scp-ecg encode: %d leads, at most 255", len(leads))
	}
	secs := map[int][]byte{1: patientSection(rec), 2: {0x1F, 0x4E}} // 19999: the default table
	s3 := body{}
	s3.u8(uint8(len(leads)))
	s3.u8(4 | uint8(min(len(leads), 31))<<3) // all leads simultaneous
	n := len(leads[0].Samples)
	for _, l := range leads {
		id := leadID(l.Label)
		if id == 0 {
			return nil, fmt.Errorf("scp-ecg encode: lead %q has no SCP-ECG identifier", l.Label)
		}
		s3.u32(1)
		s3.u32(uint32(n))
		s3.u8(uint8(id))
	}
	secs[3] = s3
	var err error
	if secs[6], err = samplesSection(leads, rec.SampleRate, 6); err != nil {
		return nil, fmt.Errorf("scp-ecg encode: rhythm: %w", err)
	}
	if median, ok := medianLeads(rec, leads); ok {
		if secs[5], err = samplesSection(median, rec.MedianRate, 5); err != nil {
			return nil, fmt.Errorf("scp-ecg encode: median beat: %w", err)
		}
		s4 := body{}
		s4.u16(uint16(min(math.Ceil(float64(len(median[0].Samples))*1000/rec.MedianRate), 65535)))
		s4.u16(0) // fiducial not known
		s4.u16(0) // no QRS locations
		secs[4] = s4
	}
	if len(rec.Measurements) > 0 {
		secs[7] = measurementSection(rec.Measurements)
	}
	if len(rec.Statements) > 0 {
		if secs[8], err = statementSection(rec.Statements, rec.Acquired); err != nil {
			return nil, fmt.Errorf("scp-ecg encode: %w", err)
		}
	}
	return assemble(encodeVersion, secs), nil
}

// medianLeads are the median beat's leads in the order of the rhythm leads,
// when every rhythm lead has one of equal length.
func medianLeads(rec *ecg12.Record, leads []ecg12.Lead) ([]ecg12.Lead, bool) {
	if len(rec.Median) == 0 || !(rec.MedianRate > 0) {
		return nil, false
	}
	m := ecg12.Record{Leads: rec.Median}
	var out []ecg12.Lead
	for _, l := range leads {
		ml, ok := m.Lead(l.Label)
		if !ok || len(ml.Samples) != len(rec.Median[0].Samples) || len(ml.Samples) == 0 {
			return nil, false
		}
		out = append(out, ml)
	}
	return out, true
}

// whole returns round(x) when x is within 1 part in 10⁴ of a whole number
// in [1, 65535].
func whole(x float64) (uint16, bool) {
	r := math.Round(x)
	return uint16(r), r >= 1 && r <= 65535 && math.Abs(x-r) <= 1e-4*r
}

// samplesSection writes section 5 or 6 with default-Huffman-coded second
// differences.
func samplesSection(leads []ecg12.Lead, rate float64, id int) ([]byte, error) {
	avm, ok := whole(leads[0].Scale * 1000)
	if !ok {
		return nil, fmt.Errorf("scale %v µV is not a whole number of nV", leads[0].Scale)
	}
	interval, ok := whole(1e6 / rate)
	if !ok {
		return nil, fmt.Errorf("rate %v Hz is not a whole number of µs per sample", rate)
	}
	b := body{}
	b.u16(avm)
	b.u16(interval)
	b.u8(2) // second differences
	b.u8(0) // no bimodal compression
	var data []byte
	for _, l := range leads {
		if l.Scale != leads[0].Scale {
			return nil, fmt.Errorf("lead %s scale %v µV differs from lead %s's %v µV", l.Label, l.Scale, leads[0].Label, leads[0].Scale)
		}
		v := make([]int32, len(l.Samples))
		for k, c := range l.Samples {
			if x := int64(c) - int64(l.Baseline); x < math.MinInt16 || x > math.MaxInt16 {
				return nil, fmt.Errorf("lead %s sample %d (%d counts from baseline) does not fit 16 bits", l.Label, k, x)
			} else {
				v[k] = int32(x)
			}
		}
		coded, err := huffmanEncode(defaultTable, difference(v, 2))
		if err != nil {
			return nil, fmt.Errorf("lead %s: %w", l.Label, err)
		}
		if len(coded) > 65535 {
			return nil, fmt.Errorf("lead %s codes to %d bytes, more than a 16-bit length holds", l.Label, len(coded))
		}
		b.u16(uint16(len(coded)))
		data = append(data, coded...)
	}
	return append(b, data...), nil
}

// patientSection writes section 1's tags.
func patientSection(rec *ecg12.Record) []byte {
	b := body{}
	tag := func(t uint8, v []byte) {
		b.u8(t)
		b.u16(uint16(len(v)))
		b = append(b, v...)
	}
	str := func(t uint8, s string) {
		if s != "" {
			tag(t, append([]byte(truncate(s, 64)), 0))
		}
	}
	date := func(t uint8, d time.Time) {
		if !d.IsZero() && d.Year() > 0 && d.Year() < 65536 {
			tag(t, []byte{byte(d.Year()), byte(d.Year() >> 8), byte(d.Month()), byte(d.Day())})
		}
	}
	p := rec.Patient
	str(tagLastName, p.FamilyName)
	str(tagFirstName, p.GivenName)
	str(tagPatientID, p.ID)
	date(tagBirthDate, p.BirthDate)
	if sex, ok := map[string]byte{"M": 1, "F": 2, "U": 0}[p.Sex]; ok {
		tag(tagSex, []byte{sex})
	}
	tag(tagDevice, deviceTag(rec.Device))
	if a := rec.Acquired; !a.IsZero() {
		date(tagDate, a)
		tag(tagTime, []byte{byte(a.Hour()), byte(a.Minute()), byte(a.Second())})
		if a.Location() != time.UTC {
			_, off := a.Zone()
			tz := body{}
			tz.u16(uint16(int16(off / 60)))
			tz.u16(0)
			tz = append(tz, 0)
			tag(tagTimeZone, tz)
		}
	}
	tag(tagTerminator, nil)
	return b
}

// deviceTag writes tag 14 (see readDevice), with the manufacturer's name as
// the trade name string and code 100 ("other") unless the name is one the
// standard numbers.
func deviceTag(d ecg12.Device) []byte {
	b := body{}
	b.u16(0) // institution
	b.u16(0) // department
	b.u16(0) // device id
	b.u8(0)  // cart
	code := uint8(0)
	if d.Manufacturer != "" {
		code = 100
		for k, name := range manufacturers {
			if name == d.Manufacturer {
				code = k
			}
		}
	}
	b.u8(code)
	model := make([]byte, 6)
	copy(model, truncate(d.Model, 6)) // NUL-terminated when shorter; carts fill all six
	b = append(b, model...)
	b = append(b, encodeVersion, 0xA0, 0, 0, 0) // revision, compatibility level II, ASCII, no capabilities, mains unknown
	b = append(b, make([]byte, 16)...)
	b.u8(1) // analysing program revision: ""
	b.u8(0)
	for _, s := range []string{d.Serial, d.Software, "telewave", d.Manufacturer} {
		b = append(b, truncate(s, 64)...)
		b.u8(0)
	}
	return b
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
