package sim

import (
	"testing"
	"time"
)

// fakeClock is a hand-moved clock.
type fakeClock struct{ t time.Time }

func (c *fakeClock) Now() time.Time      { return c.t }
func (c *fakeClock) Add(d time.Duration) { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock           { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }

func TestPacer(t *testing.T) {
	tests := []struct {
		name  string
		rate  float64
		speed float64
		steps []time.Duration
		want  []int
	}{
		{"60 Hz every 20 ms", 60, 1, []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 20 * time.Millisecond, 940 * time.Millisecond}, []int{1, 1, 1, 57}},
		{"250 Hz every 20 ms", 250, 1, []time.Duration{20 * time.Millisecond, 20 * time.Millisecond, 0}, []int{5, 5, 0}},
		{"double speed", 60, 2, []time.Duration{500 * time.Millisecond}, []int{60}},
		{"backlog capped at a second", 60, 1, []time.Duration{10 * time.Second, 20 * time.Millisecond}, []int{60, 1}},
		{"speed 0 ignores the clock", 60, 0, []time.Duration{0, 0}, []int{60, 60}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newFakeClock()
			p := NewPacer(tt.rate, tt.speed, c.Now)
			total := 0
			for i, d := range tt.steps {
				c.Add(d)
				if got := p.Due(); got != tt.want[i] {
					t.Errorf("step %d: due %d, want %d", i, got, tt.want[i])
				}
				total += tt.want[i]
			}
			if p.Frames() != int64(total) {
				t.Errorf("frames %d, want %d", p.Frames(), total)
			}
		})
	}
}

func TestPacerLongRunExact(t *testing.T) {
	c := newFakeClock()
	p := NewPacer(60, 1, c.Now)
	n := 0
	for range 3000 { // 60 s in 20 ms ticks
		c.Add(20 * time.Millisecond)
		n += p.Due()
	}
	if n != 3600 {
		t.Errorf("%d frames in 60 s, want 3600", n)
	}
	p.Reset()
	if got := p.Due(); got != 0 {
		t.Errorf("due right after reset: %d", got)
	}
	c.Add(time.Second)
	if got := p.Due(); got != 60 {
		t.Errorf("after reset + 1 s: due %d, want 60", got)
	}
}

func TestTicks(t *testing.T) {
	fast, stop := Ticks(time.Hour, 0)
	defer stop()
	for range 3 {
		select {
		case <-fast:
		default:
			t.Fatal("speed 0: the tick channel waits")
		}
	}
	slow, stop2 := Ticks(time.Hour, 1)
	defer stop2()
	select {
	case <-slow:
		t.Fatal("a ticker of an hour fired at once")
	default:
	}
}
