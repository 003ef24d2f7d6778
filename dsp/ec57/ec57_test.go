package ec57

import (
	"reflect"
	"testing"

	"telewave/formats/wfdb"
)

func TestScore(t *testing.T) {
	const rate = 100 // a 150 ms window is 15 samples
	tests := []struct {
		name       string
		ref, test  []int64
		from       int64
		exclude    []Interval
		tp, fn, fp int
	}{
		{"perfect", []int64{100, 200, 300}, []int64{100, 200, 300}, 0, nil, 3, 0, 0},
		{"within the window", []int64{100, 200, 300}, []int64{115, 185, 300}, 0, nil, 3, 0, 0},
		{"just outside", []int64{100, 200}, []int64{116, 200}, 0, nil, 1, 1, 1},
		{"missed beat", []int64{100, 200, 300}, []int64{100, 300}, 0, nil, 2, 1, 0},
		{"extra detection", []int64{100, 200}, []int64{100, 150, 200}, 0, nil, 2, 0, 1},
		{"two near one beat: nearest matches", []int64{100, 300}, []int64{90, 99, 300}, 0, nil, 2, 0, 1},
		{"nearer to the next beat stays with it", []int64{100, 120}, []int64{104, 118}, 0, nil, 2, 0, 0},
		{"before the start is not scored", []int64{50, 100, 200}, []int64{60, 80, 200}, 100, nil, 1, 1, 0},
		{"pair counts where the reference lies", []int64{100}, []int64{95}, 98, nil, 1, 0, 0},
		{"excluded on both sides", []int64{100, 200, 300, 400}, []int64{100, 250, 260, 400},
			0, []Interval{{190, 310}}, 2, 0, 0},
		{"unsorted input", []int64{300, 100, 200}, []int64{200, 100, 300}, 0, nil, 3, 0, 0},
		{"nothing detected", []int64{100, 200}, nil, 0, nil, 0, 2, 0},
		{"no reference", nil, []int64{100}, 0, nil, 0, 0, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(tc.ref, tc.test, rate, tc.from, tc.exclude)
			if r.TP != tc.tp || r.FN != tc.fn || r.FP != tc.fp {
				t.Fatalf("TP/FN/FP = %d/%d/%d, want %d/%d/%d", r.TP, r.FN, r.FP, tc.tp, tc.fn, tc.fp)
			}
			if tc.tp+tc.fn > 0 && r.Se != float64(tc.tp)/float64(tc.tp+tc.fn) {
				t.Errorf("Se = %v", r.Se)
			}
			if tc.tp+tc.fp > 0 && r.PP != float64(tc.tp)/float64(tc.tp+tc.fp) {
				t.Errorf("+P = %v", r.PP)
			}
		})
	}
}

func TestGrossSumsCounts(t *testing.T) {
	g := Gross([]Result{{TP: 90, FN: 10, FP: 0}, {TP: 900, FN: 0, FP: 100}})
	if g.TP != 990 || g.FN != 10 || g.FP != 100 || g.Se != 990.0/1000 || g.PP != 990.0/1090 {
		t.Fatalf("gross = %+v", g)
	}
	if e := Gross(nil); e.Se != 1 || e.PP != 1 {
		t.Errorf("empty gross = %+v", e)
	}
}

func TestReference(t *testing.T) {
	anns := []wfdb.Annotation{
		{Sample: 10, Code: wfdb.CodeRhythm, Aux: "(N"},
		{Sample: 20, Code: wfdb.CodeNormal},
		{Sample: 30, Code: wfdb.CodeRhythm, Aux: "(VFL"},
		{Sample: 35, Code: wfdb.CodeFlutter},
		{Sample: 50, Code: wfdb.CodeRhythm, Aux: "(N"},
		{Sample: 60, Code: wfdb.CodePVC},
		{Sample: 70, Code: wfdb.CodeVFOn},
		{Sample: 80, Code: wfdb.CodeVFOff},
		{Sample: 90, Code: wfdb.CodeArtifact},
		{Sample: 95, Code: wfdb.CodeRhythm, Aux: "(VF\x00"},
	}
	beats, ex := Reference(anns, 200)
	if !reflect.DeepEqual(beats, []int64{20, 60}) {
		t.Errorf("beats = %v", beats)
	}
	want := []Interval{{30, 50}, {70, 81}, {95, 200}}
	if !reflect.DeepEqual(ex, want) {
		t.Errorf("excluded = %v, want %v", ex, want)
	}
}
