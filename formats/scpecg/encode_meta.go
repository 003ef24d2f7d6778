package scpecg

import (
	"fmt"
	"math"
	"time"

	"telewave/formats/ecg12"
)

// measurementSection writes section 7 from the measurements readGlobal
// names. SCP-ECG stores onsets and offsets, not intervals: the P onset (or,
// without a PR interval, the QRS onset) is put at 0 ms, which gives back
// the same intervals. Names readGlobal does not produce, and a P duration
// without a PR interval, are left out.
func measurementSection(ms []ecg12.Measurement) []byte {
	get := func(name string) (float64, bool) {
		for _, m := range ms {
			if m.Name == name && !math.IsNaN(m.Value) && !math.IsInf(m.Value, 0) {
				return m.Value, true
			}
		}
		return 0, false
	}
	val := func(name string) uint16 {
		if v, ok := get(name); ok && v >= 0 && v < notFound {
			return uint16(math.Round(v))
		}
		return notComputed
	}
	ang := func(name string) uint16 {
		if v, ok := get(name); ok && v >= -360 && v <= 360 {
			return uint16(int16(math.Round(v)))
		}
		return noAxis
	}
	b := body{}
	b.u8(1) // one measurement block: the dominant beat
	b.u8(0) // no pacemaker spikes
	b.u16(val("RRInterval"))
	b.u16(val("PPInterval"))
	pr, hasPR := get("PRInterval")
	pd, hasPD := get("PDuration")
	qrs, hasQRS := get("QRSDuration")
	qt, hasQT := get("QTInterval")
	at := func(ok bool, v float64) uint16 {
		if ok && v >= 0 && v < notFound {
			return uint16(math.Round(v))
		}
		return notComputed
	}
	qOn := 0.0
	if hasPR {
		qOn = pr
	}
	b.u16(at(hasPR, 0))
	b.u16(at(hasPR && hasPD, pd)) // a P duration without a PR interval is lost
	b.u16(at(hasQRS || hasQT, qOn))
	b.u16(at(hasQRS, qOn+qrs))
	b.u16(at(hasQT, qOn+qt))
	b.u16(ang("PAxis"))
	b.u16(ang("QRSAxis"))
	b.u16(ang("TAxis"))
	b.u16(0) // no QRS type list
	b.u16(val("VentricularRate"))
	b.u16(val("AtrialRate"))
	b.u16(val("QTc"))
	b.u8(0)  // QTc formula not stated
	b.u16(0) // no tagged fields
	return b
}

// statementSection writes section 8: the statements as full text, dated
// with the acquisition.
func statementSection(st []string, when time.Time) ([]byte, error) {
	if len(st) > 255 {
		return nil, fmt.Errorf("%d statements, section 8 holds at most 255", len(st))
	}
	b := body{}
	if when.IsZero() {
		b = append(b, make([]byte, 7)...)
	} else {
		b.u16(uint16(when.Year()))
		b = append(b, byte(when.Month()), byte(when.Day()), byte(when.Hour()), byte(when.Minute()), byte(when.Second()))
	}
	b.u8(0) // not confirmed
	b.u8(uint8(len(st)))
	for k, s := range st {
		s = truncate(s, 65534)
		b.u8(uint8(k + 1))
		b.u16(uint16(len(s) + 1))
		b = append(b, s...)
		b.u8(0)
	}
	return b, nil
}
