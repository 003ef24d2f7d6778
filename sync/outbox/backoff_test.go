package outbox

import (
	"testing"
	"time"
)

func TestCeilingGrowsAndIsCapped(t *testing.T) {
	tests := []struct {
		attempt int
		want    time.Duration
	}{
		{0, time.Second},
		{1, time.Second},
		{2, 2 * time.Second},
		{3, 4 * time.Second},
		{9, 256 * time.Second},
		{10, 5 * time.Minute},
		{64, 5 * time.Minute},
		{1 << 30, 5 * time.Minute},
	}
	for _, tt := range tests {
		if got := Ceiling(MinBackoff, MaxBackoff, tt.attempt); got != tt.want {
			t.Errorf("Ceiling(attempt %d) = %v, want %v", tt.attempt, got, tt.want)
		}
	}
}

func TestExponentialBackoffJitter(t *testing.T) {
	tests := []struct {
		name string
		rnd  float64
		frac float64 // of the ceiling
	}{
		{"lowest draw", 0, 0.5},
		{"middle draw", 0.5, 0.75},
		{"highest draw", 0.999999, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := ExponentialBackoff(MinBackoff, MaxBackoff, func() float64 { return tt.rnd })
			prev := time.Duration(0)
			for attempt := 1; attempt <= 40; attempt++ {
				got := b(attempt)
				ceil := Ceiling(MinBackoff, MaxBackoff, attempt)
				want := time.Duration(float64(ceil) * tt.frac)
				if diff := got - want; diff < -time.Millisecond || diff > time.Millisecond {
					t.Fatalf("attempt %d: %v, want about %v", attempt, got, want)
				}
				if got > MaxBackoff {
					t.Fatalf("attempt %d: %v exceeds the cap", attempt, got)
				}
				if got < prev {
					t.Fatalf("attempt %d: %v shrank from %v", attempt, got, prev)
				}
				prev = got
			}
		})
	}
}

func TestDefaultBackoffBounds(t *testing.T) {
	for attempt := 1; attempt <= 20; attempt++ {
		ceil := Ceiling(MinBackoff, MaxBackoff, attempt)
		for range 50 {
			if got := DefaultBackoff(attempt); got < ceil/2 || got > ceil {
				t.Fatalf("attempt %d: %v outside [%v, %v]", attempt, got, ceil/2, ceil)
			}
		}
	}
}

func BenchmarkDrainOnce(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		q := newMemQueue()
		for id := int64(1); id <= 100; id++ {
			q.add(id)
		}
		d := newDrainer(q, &fakeSender{}, &fakeClock{t: t0})
		b.StartTimer()
		if _, err := d.DrainOnce(b.Context()); err != nil {
			b.Fatal(err)
		}
	}
}
