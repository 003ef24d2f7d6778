package ec57

import (
	"strings"

	"telewave/formats/wfdb"
)

// Reference extracts from a record's reference annotations the beat
// samples and the ventricular flutter/fibrillation episodes EC57 leaves
// out: from a rhythm change to "(VFL" or "(VF" until the next rhythm
// change, and from each VF onset "[" to the next offset "]". An episode
// still open at the end runs to sample end.
func Reference(anns []wfdb.Annotation, end int64) (beats []int64, exclude []Interval) {
	rhythmVF, bracketVF := int64(-1), int64(-1)
	for _, a := range anns {
		switch {
		case wfdb.IsBeat(a.Code):
			beats = append(beats, a.Sample)
		case a.Code == wfdb.CodeRhythm:
			if rhythmVF >= 0 {
				exclude = append(exclude, Interval{rhythmVF, a.Sample})
				rhythmVF = -1
			}
			if r := strings.TrimRight(a.Aux, "\x00"); r == "(VFL" || r == "(VF" {
				rhythmVF = a.Sample
			}
		case a.Code == wfdb.CodeVFOn:
			if bracketVF < 0 {
				bracketVF = a.Sample
			}
		case a.Code == wfdb.CodeVFOff:
			if bracketVF >= 0 {
				exclude = append(exclude, Interval{bracketVF, a.Sample + 1})
				bracketVF = -1
			}
		}
	}
	for _, open := range []int64{rhythmVF, bracketVF} {
		if open >= 0 {
			exclude = append(exclude, Interval{open, max(end, open)})
		}
	}
	return beats, exclude
}
