package scpecg

import (
	"fmt"
	"slices"
)

// Beat is one QRS complex of section 4: its type (0 is the reference beat
// type) and, as 1-based sample numbers of the rhythm data, the zone where
// the reference beat was subtracted and its fiducial point.
type Beat struct {
	Type                 int
	Start, Fiducial, End int
}

// qrsTable is section 4.
type qrsTable struct {
	refLengthMS int // length of the reference beat
	refFiducial int // 1-based sample of the fiducial point in the reference beat
	beats       []Beat
}

// readQRS reads section 4: reference beat length u16 (ms), fiducial sample
// u16, number of QRS complexes u16, then per complex type u16, start u32,
// fiducial u32, end u32 (the protected zones after them are for high
// compression only and are not read).
func readQRS(s *section) (qrsTable, error) {
	var q qrsTable
	c := newCursor(s)
	q.refLengthMS = int(c.u16("reference beat length"))
	q.refFiducial = int(c.u16("reference beat fiducial"))
	n := int(c.u16("number of QRS complexes"))
	if c.err == nil && n*14 > c.left() {
		return q, formatErr(s.id, c.offset()-2, "%d QRS complexes need %d bytes, %d left", n, n*14, c.left())
	}
	for range n {
		b := Beat{Type: int(c.u16("beat type"))}
		b.Start, b.Fiducial, b.End = int(c.u32("subtraction start")), int(c.u32("fiducial")), int(c.u32("subtraction end"))
		q.beats = append(q.beats, b)
	}
	return q, c.err
}

// samples is section 5 or 6 decoded: one slice of counts per lead.
type samples struct {
	avm      int // nV per count
	interval int // µs between samples
	leads    [][]int32
	short    []int // leads whose data ended before the count asked for
}

// readSamples reads section 5 or 6: AVM u16 (nV), sample interval u16 (µs),
// difference coding u8 (0 none, 1 first, 2 second differences), bimodal
// compression u8 (section 6; reserved in section 5), a byte length u16 per
// lead, then each lead's data, Huffman coded with h or, when h is nil, raw
// int16. want gives each lead's number of samples.
func readSamples(s *section, h *huffman, want []int) (samples, error) {
	var out samples
	c := newCursor(s)
	out.avm = int(c.u16("amplitude value multiplier"))
	out.interval = int(c.u16("sample time interval"))
	diff := c.u8("difference coding")
	bimodal := c.u8("bimodal compression")
	if c.err != nil {
		return out, c.err
	}
	switch {
	case out.avm == 0:
		return out, formatErr(s.id, s.offset+headerLen, "amplitude value multiplier is 0")
	case out.interval == 0:
		return out, formatErr(s.id, s.offset+headerLen+2, "sample time interval is 0")
	case diff > 2:
		return out, formatErr(s.id, s.offset+headerLen+4, "difference coding %d (0, 1 or 2)", diff)
	case s.id == 6 && bimodal != 0:
		return out, unsupported(s.id, s.offset+headerLen+5, "bimodal compression (high compression with decimation)")
	}
	lengths := make([]int, len(want))
	total := 0
	for i := range lengths {
		lengths[i] = int(c.u16("lead byte length"))
		total += lengths[i]
	}
	if c.err == nil && total > c.left() {
		return out, formatErr(s.id, c.offset(), "leads hold %d bytes, %d left", total, c.left())
	}
	for i, n := range lengths {
		at := c.offset()
		b := c.take(n, "lead data")
		if c.err != nil {
			return out, c.err
		}
		var v []int32
		if h == nil {
			v = make([]int32, min(want[i], len(b)/2))
			for k := range v {
				v[k] = int32(int16(le16(b[2*k:])))
			}
		} else {
			var err error
			if v, err = h.decode(b, want[i]); err != nil {
				return out, formatErr(s.id, at, "lead %d: %v", i+1, err)
			}
		}
		undifference(v, diff)
		if len(v) < want[i] {
			out.short = append(out.short, i)
		}
		out.leads = append(out.leads, v)
	}
	return out, nil
}

// undifference undoes first or second differences in place. Samples are
// 16-bit in SCP-ECG, and the sums wrap as 16-bit numbers do, which makes
// the decoding exact whatever the encoder's overflow.
func undifference(v []int32, order uint8) {
	switch order {
	case 1:
		for k := 1; k < len(v); k++ {
			v[k] = int32(int16(v[k] + v[k-1]))
		}
	case 2:
		for k := 2; k < len(v); k++ {
			v[k] = int32(int16(v[k] + 2*v[k-1] - v[k-2]))
		}
	}
}

// addReference adds the reference beat back into the rhythm data inside
// the subtraction zone of every type-0 beat: sample j of the zone gets
// reference sample j − fiducial + reference fiducial (all 1-based). The
// reference beat is rescaled when its AVM differs from the rhythm's.
func addReference(rhythm, ref samples, q qrsTable, starts []int) error {
	if ref.interval != rhythm.interval {
		return fmt.Errorf("rhythm every %d µs, reference beat every %d µs: decimated rhythm data (high compression)", rhythm.interval, ref.interval)
	}
	if len(ref.leads) != len(rhythm.leads) {
		return fmt.Errorf("%d reference beat leads for %d rhythm leads", len(ref.leads), len(rhythm.leads))
	}
	zones := make([]Beat, 0, len(q.beats))
	for _, b := range q.beats {
		if b.Type == 0 && b.End >= b.Start {
			zones = append(zones, b)
		}
	}
	slices.SortFunc(zones, func(a, b Beat) int { return a.Start - b.Start })
	for i, lead := range rhythm.leads {
		r := ref.leads[i]
		done := 0 // last sample number already added to: zones never overlap
		for _, b := range zones {
			first := max(b.Start, starts[i], done+1, b.Fiducial-q.refFiducial+1)
			last := min(b.End, starts[i]+len(lead)-1, b.Fiducial-q.refFiducial+len(r))
			for j := first; j <= last; j++ {
				add := r[j-b.Fiducial+q.refFiducial-1]
				if ref.avm != rhythm.avm {
					add = int32(roundDiv(int64(add)*int64(ref.avm), int64(rhythm.avm)))
				}
				lead[j-starts[i]] += add
			}
			done = max(done, b.End)
		}
	}
	return nil
}

// roundDiv is a/b rounded half away from zero, b > 0.
func roundDiv(a, b int64) int64 {
	if a < 0 {
		return -((-a + b/2) / b)
	}
	return (a + b/2) / b
}
