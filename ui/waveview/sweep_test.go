package waveview

import (
	"math"
	"testing"
)

var nan = float32(math.NaN())

func TestSweepPositionWraps(t *testing.T) {
	// 100 columns show 1 s at 200 Hz: two samples per column.
	s := NewSweep(100, 1, 200)
	for _, tc := range []struct {
		n    uint64
		want int
	}{{0, 0}, {1, 0}, {2, 1}, {199, 99}, {200, 0}, {201, 0}, {202, 1}, {1_000_001, 0}} {
		if got := s.ColumnOf(tc.n); got != tc.want {
			t.Errorf("ColumnOf(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
	if s.Head() != -1 {
		t.Fatalf("Head before any sample = %d, want -1", s.Head())
	}
	s.Add(0, make([]float32, 203))
	if s.Head() != 1 || s.Next() != 203 {
		t.Fatalf("after 203 samples Head=%d Next=%d, want 1 and 203", s.Head(), s.Next())
	}
}

func TestSweepEnvelope(t *testing.T) {
	s := NewSweep(10, 1, 40) // four samples per column
	s.Add(0, []float32{1, 5, -2, 3, 7, 7, 7, 7, nan, nan, nan, nan, 2, nan, 4, 0})
	for _, tc := range []struct {
		x    int
		want Envelope
	}{
		{0, Envelope{Min: -2, Max: 5, Last: 3, Valid: true}},
		{1, Envelope{Min: 7, Max: 7, Last: 7, Valid: true}},
		{2, Envelope{}}, // all NaN: a gap
		{3, Envelope{Min: 0, Max: 4, Last: 0, Valid: true}},
		{4, Envelope{}}, // not reached yet
	} {
		if got := s.Column(tc.x); got != tc.want {
			t.Errorf("column %d = %+v, want %+v", tc.x, got, tc.want)
		}
	}
}

func TestSweepNewSweepOverwritesOldColumn(t *testing.T) {
	s := NewSweep(4, 1, 8) // two samples per column, 8 per sweep
	s.Add(0, []float32{10, 10, 10, 10, 10, 10, 10, 10})
	s.Add(8, []float32{-3})
	if got := s.Column(0); got != (Envelope{Min: -3, Max: -3, Last: -3, Valid: true}) {
		t.Errorf("column 0 after wrap = %+v, want only the new sample", got)
	}
	if got := s.Column(1); got.Max != 10 {
		t.Errorf("column 1 = %+v, want the previous sweep's data until reached", got)
	}
}

func TestSweepInterpolatesSkippedColumns(t *testing.T) {
	s := NewSweep(40, 1, 10) // four columns per sample
	s.Add(0, []float32{0, 8})
	for x, want := range []float32{0, 2, 4, 6, 8} {
		if got := s.Column(x); !got.Valid || got.Last != want {
			t.Errorf("column %d = %+v, want %v", x, got, want)
		}
	}
	s.Add(2, []float32{nan, 5})
	for x := 5; x < 12; x++ {
		if s.Column(x).Valid {
			t.Errorf("column %d between a gap and a sample is valid: %+v", x, s.Column(x))
		}
	}
	if !s.Column(12).Valid {
		t.Errorf("column 12 holding sample 3 is not valid")
	}
}

func TestSweepLostSamples(t *testing.T) {
	for _, tc := range []struct {
		name     string
		jump     uint64 // samples lost after the first sweep
		blank    []int
		keep     []int
		wantHead int
	}{
		{"short gap blanks its columns", 4, []int{0, 1, 2, 3}, []int{5, 6, 9}, 4},
		{"gap longer than a sweep blanks all", 50, []int{1, 2, 5, 9}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSweep(10, 1, 10) // one sample per column
			s.Add(0, seq(0, 10))
			s.Add(0, []float32{99, 99}) // already consumed: ignored
			s.Add(10+tc.jump, []float32{42})
			if s.Head() != tc.wantHead || s.Next() != 11+tc.jump {
				t.Fatalf("Head=%d Next=%d, want %d and %d", s.Head(), s.Next(), tc.wantHead, 11+tc.jump)
			}
			for _, x := range tc.blank {
				if s.Column(x).Valid {
					t.Errorf("column %d valid after lost samples: %+v", x, s.Column(x))
				}
			}
			for _, x := range tc.keep {
				if got := s.Column(x); !got.Valid || got.Last != float32(x) {
					t.Errorf("column %d = %+v, want the old sample %d kept", x, got, x)
				}
			}
			if got := s.Column(s.Head()); got.Last != 42 {
				t.Errorf("head column = %+v, want the new sample", got)
			}
		})
	}
}

// FuzzSweep feeds arbitrary samples (NaN, ±Inf, huge) with arbitrary jumps
// in the sample index: Add must not panic, the head must be the column of
// the last sample, and every valid column must hold Min ≤ Last ≤ Max.
func FuzzSweep(f *testing.F) {
	f.Add(uint8(10), uint16(40), []byte{0, 1, 2, 3, 200, 5, 6, 255, 0x7f})
	f.Add(uint8(3), uint16(1), []byte{9, 9, 9})
	f.Add(uint8(200), uint16(7), []byte{})
	f.Fuzz(func(t *testing.T, width uint8, rate uint16, raw []byte) {
		s := NewSweep(int(width), 1.5, float64(rate))
		var first uint64
		for i := 0; i+2 <= len(raw); i += 2 {
			if raw[i]&0x80 != 0 {
				first += uint64(raw[i] & 0x3f) // lost samples
			}
			vals := []float32{float32(int8(raw[i+1])), nan, float32(math.Inf(int(raw[i]%3) - 1))}
			batch := vals[:1+int(raw[i])%3]
			s.Add(first, batch)
			first = s.Next()
			if s.Head() != s.ColumnOf(s.Next()-1) {
				t.Fatalf("Head %d, want column of sample %d = %d", s.Head(), s.Next()-1, s.ColumnOf(s.Next()-1))
			}
		}
		for x := 0; x < s.Width(); x++ {
			if c := s.Column(x); c.Valid && !(c.Min <= c.Last && c.Last <= c.Max) {
				t.Fatalf("column %d = %+v breaks Min ≤ Last ≤ Max", x, c)
			}
		}
	})
}
