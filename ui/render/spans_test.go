package render

import (
	"math"
	"slices"
	"testing"
)

// xs is one yielded column: its index and span.
type xs struct {
	X int
	S Span
}

func collect(ln *Lane, w int) []xs {
	var got []xs
	for x, sp := range ln.Spans(w) {
		got = append(got, xs{x, sp})
	}
	return got
}

func TestLaneSpans(t *testing.T) {
	col := func(lo, hi, last float32) Column { return Column{Min: lo, Max: hi, Last: last, Valid: true} }
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	for _, tc := range []struct {
		name string
		w    int
		ln   Lane
		want []xs
	}{
		{"flat line lights one row", 2, Lane{Top: 10, Height: 20, Columns: []Column{col(5, 5, 5), col(5, 5, 5)}},
			[]xs{{0, Span{5, 6}}, {1, Span{5, 6}}}},
		{"stretched to the previous last", 2, Lane{Height: 100, Columns: []Column{col(10, 10, 10), col(80, 90, 85)}},
			[]xs{{0, Span{10, 11}}, {1, Span{10, 91}}}},
		{"a gap breaks the line", 3, Lane{Height: 40, Columns: []Column{col(5, 5, 5), {}, col(30, 30, 30)}},
			[]xs{{0, Span{5, 6}}, {2, Span{30, 31}}}},
		{"NaN is a gap", 3, Lane{Height: 40, Columns: []Column{col(5, 5, 5), col(nan, 2, 2), col(3, 3, 3)}},
			[]xs{{0, Span{5, 6}}, {2, Span{3, 4}}}},
		{"clamped to the lane", 2, Lane{Height: 20, Columns: []Column{col(-inf, inf, 0), col(500, 1e6, 1e6)}},
			[]xs{{0, Span{0, 20}}, {1, Span{0, 20}}}},
		{"the previous last is clamped too", 2, Lane{Height: 20, Columns: []Column{col(5, 5, -50), col(8, 8, 8)}},
			[]xs{{0, Span{5, 6}}, {1, Span{0, 9}}}},
		{"swapped min and max", 1, Lane{Height: 20, Columns: []Column{col(12, 8, 8)}},
			[]xs{{0, Span{8, 13}}}},
		{"columns past the width ignored", 1, Lane{Height: 20, Columns: []Column{col(1, 1, 1), col(2, 2, 2)}},
			[]xs{{0, Span{1, 2}}}},
		{"empty lane", 4, Lane{Height: 0, Columns: []Column{col(1, 1, 1)}}, nil},
		{"no width", 0, Lane{Height: 5, Columns: []Column{col(1, 1, 1)}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := collect(&tc.ln, tc.w); !slices.Equal(got, tc.want) {
				t.Errorf("spans %v, want %v", got, tc.want)
			}
		})
	}
}

func TestLaneSpansStopsWhenAsked(t *testing.T) {
	ln := &Lane{Height: 10, Columns: make([]Column, 8)}
	for x := range ln.Columns {
		ln.Columns[x] = Column{Min: 2, Max: 2, Last: 2, Valid: true}
	}
	n := 0
	for x := range ln.Spans(8) {
		if x == 2 {
			break
		}
		n++
	}
	if n != 2 {
		t.Errorf("%d columns before the break, want 2", n)
	}
}
