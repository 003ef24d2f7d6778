package scpecg

import (
	"math"

	"telewave/formats/ecg12"
)

// Values SCP-ECG writes for a measurement it has not got.
const (
	notComputed = 29999
	rejected    = 29998
	notFound    = 19999
	noAxis      = 999
)

func ms(v int) float64 {
	if v == notComputed || v == rejected || v == notFound || v == 0xFFFF {
		return math.NaN()
	}
	return float64(v)
}

func axis(v int16) float64 {
	if v == noAxis || v == notComputed || v == rejected || v == notFound || v < -360 || v > 360 {
		return math.NaN()
	}
	return float64(v)
}

// rate is a heart rate in /min: 0 is taken as not measured (a resting ECG
// whose QRS complexes were measured has a rate).
func rate(v int) float64 {
	if v == 0 {
		return math.NaN()
	}
	return ms(v)
}

// readGlobal reads section 7: the number of measurement blocks u8 (the
// reference beat types + 1), of pacemaker spikes u8, mean RR and PP
// intervals u16 (ms), then per block P onset, P offset, QRS onset, QRS
// offset, T offset u16 (ms) and P, QRS, T axes i16 (degrees); then the
// pacemaker spikes (4 and 6 bytes each), the QRS type list (u16 count, u8
// each) and, from version 2, ventricular rate, atrial rate and QTc u16. The
// first block, the dominant (type 0) beat, gives the intervals.
func readGlobal(s *section) ([]ecg12.Measurement, error) {
	c := newCursor(s)
	blocks, spikes := int(c.u8("number of measurement blocks")), int(c.u8("number of pacemaker spikes"))
	rr, pp := ms(int(c.u16("RR interval"))), ms(int(c.u16("PP interval")))
	if c.err != nil {
		return nil, c.err
	}
	nan := math.NaN()
	pOn, pOff, qOn, qOff, tOff, pAx, qAx, tAx := nan, nan, nan, nan, nan, nan, nan, nan
	for k := range blocks {
		b := c.take(16, "measurement block")
		if c.err != nil {
			return nil, c.err
		}
		if k == 0 {
			pOn, pOff, qOn, qOff, tOff = ms(int(le16(b))), ms(int(le16(b[2:]))), ms(int(le16(b[4:]))), ms(int(le16(b[6:]))), ms(int(le16(b[8:])))
			pAx, qAx, tAx = axis(int16(le16(b[10:]))), axis(int16(le16(b[12:]))), axis(int16(le16(b[14:])))
		}
	}
	vent, atrial, qtc := nan, nan, nan
	if c.take(spikes*(4+6), "pacemaker spikes"); c.err == nil && c.left() >= 2 {
		c.take(int(c.u16("number of QRS complexes")), "QRS types")
		if c.err == nil && c.left() >= 6 {
			vent, atrial, qtc = rate(int(c.u16("ventricular rate"))), rate(int(c.u16("atrial rate"))), ms(int(c.u16("QTc")))
		}
	}
	if c.err != nil {
		return nil, c.err
	}
	if math.IsNaN(vent) && rr > 0 {
		vent = math.Round(60000 / rr)
	}
	if math.IsNaN(atrial) && pp > 0 {
		atrial = math.Round(60000 / pp)
	}
	m := []ecg12.Measurement{
		{Name: "VentricularRate", Value: vent, Unit: "/min"},
		{Name: "AtrialRate", Value: atrial, Unit: "/min"},
		{Name: "RRInterval", Value: rr, Unit: "ms"},
		{Name: "PPInterval", Value: pp, Unit: "ms"},
	}
	if blocks > 0 {
		m = append(m,
			ecg12.Measurement{Name: "PDuration", Value: pOff - pOn, Unit: "ms"},
			ecg12.Measurement{Name: "PRInterval", Value: qOn - pOn, Unit: "ms"},
			ecg12.Measurement{Name: "QRSDuration", Value: qOff - qOn, Unit: "ms"},
			ecg12.Measurement{Name: "QTInterval", Value: tOff - qOn, Unit: "ms"})
	}
	m = append(m, ecg12.Measurement{Name: "QTc", Value: qtc, Unit: "ms"})
	if blocks > 0 {
		m = append(m,
			ecg12.Measurement{Name: "PAxis", Value: pAx, Unit: "deg"},
			ecg12.Measurement{Name: "QRSAxis", Value: qAx, Unit: "deg"},
			ecg12.Measurement{Name: "TAxis", Value: tAx, Unit: "deg"})
	}
	return m, nil
}

// LeadMeasurements are one lead's measurements from section 10.
type LeadMeasurements struct {
	Lead         string
	Measurements []ecg12.Measurement
}

// leadFields name section 10's values in order; amplitudes are signed.
var leadFields = []struct {
	name, unit string
	signed     bool
}{
	{"PDuration", "ms", false}, {"PRInterval", "ms", false}, {"QRSDuration", "ms", false},
	{"QTInterval", "ms", false}, {"QDuration", "ms", false}, {"RDuration", "ms", false},
	{"SDuration", "ms", false}, {"R'Duration", "ms", false}, {"S'Duration", "ms", false},
	{"QAmplitude", "uV", true}, {"RAmplitude", "uV", true}, {"SAmplitude", "uV", true},
	{"R'Amplitude", "uV", true}, {"S'Amplitude", "uV", true}, {"JAmplitude", "uV", true},
	{"P+Amplitude", "uV", true}, {"P-Amplitude", "uV", true}, {"T+Amplitude", "uV", true},
	{"T-Amplitude", "uV", true}, {"STSlope", "uV/s", true}, {"PMorphology", "1", false},
	{"TMorphology", "1", false}, {"IsoelectricQRSOnset", "ms", false}, {"IsoelectricQRSEnd", "ms", false},
	{"IntrinsicoidDeflection", "ms", false}, {"QualityCode", "1", false},
	{"STAmplitudeJ20", "uV", true}, {"STAmplitudeJ60", "uV", true}, {"STAmplitudeJ80", "uV", true},
	{"STAmplitudeJRR16", "uV", true}, {"STAmplitudeJRR8", "uV", true},
}

// readLeadMeasurements reads section 10: number of leads u16, a
// manufacturer-specific u16, then per lead its identifier u16, the byte
// length u16 of its values and the u16/i16 values in leadFields' order
// (values past those are manufacturer specific and skipped).
func readLeadMeasurements(s *section) ([]LeadMeasurements, error) {
	c := newCursor(s)
	n := int(c.u16("number of leads"))
	c.u16("manufacturer specific")
	if c.err == nil && n*4 > c.left() {
		return nil, formatErr(s.id, s.offset+headerLen, "%d leads need at least %d bytes, %d left", n, n*4, c.left())
	}
	var out []LeadMeasurements
	for range n {
		id := int(c.u16("lead id"))
		b := c.take(int(c.u16("measurement length")), "lead measurements")
		if c.err != nil {
			return nil, c.err
		}
		lm := LeadMeasurements{Lead: ecg12.NormalizeLabel(LeadName(id))}
		for k := 0; k+1 < len(b) && k/2 < len(leadFields); k += 2 {
			f := leadFields[k/2]
			v := float64(le16(b[k:]))
			if f.signed {
				v = float64(int16(le16(b[k:])))
			}
			if u := int(le16(b[k:])); u == notComputed || u == rejected || u == notFound {
				v = math.NaN()
			}
			lm.Measurements = append(lm.Measurements, ecg12.Measurement{Name: f.name, Value: v, Unit: f.unit})
		}
		out = append(out, lm)
	}
	return out, nil
}
