package waveview

import (
	"slices"
	"testing"
	"time"
)

func TestPacerLadder(t *testing.T) {
	for _, tc := range []struct {
		max  int
		want []int
	}{{60, []int{60, 30, 25}}, {30, []int{30, 25}}, {200, []int{200, 60, 30, 25}}, {20, []int{20}}, {45, []int{30, 25}}} {
		if got := newPacer(tc.max).rates; !slices.Equal(got, tc.want) {
			t.Errorf("newPacer(%d) rates %v, want %v", tc.max, got, tc.want)
		}
	}
}

// ms draws n frames of d each over a window of ticks ticks.
func win(ticks, dropped int, d time.Duration) paceWindow {
	drawn := ticks - dropped
	return paceWindow{ticks: ticks, dropped: dropped, drawn: drawn, draw: d * time.Duration(drawn)}
}

func TestPacerSteps(t *testing.T) {
	for _, tc := range []struct {
		name    string
		windows []paceWindow
		want    []int // rate after each window
	}{
		{"steady at 60", []paceWindow{win(60, 0, time.Millisecond), win(60, 1, time.Millisecond)}, []int{60, 60}},
		{"drops step down", []paceWindow{win(60, 12, time.Millisecond), win(30, 5, time.Millisecond), win(25, 5, time.Millisecond)}, []int{30, 25, 25}},
		{"slow drawing steps down", []paceWindow{win(60, 0, 9*time.Millisecond), win(30, 0, 17*time.Millisecond)}, []int{30, 25}},
		{"recovers after three calm windows", []paceWindow{win(60, 20, time.Millisecond), win(30, 0, time.Millisecond),
			win(30, 0, time.Millisecond), win(30, 0, time.Millisecond), win(60, 0, time.Millisecond)}, []int{30, 30, 30, 60, 60}},
		{"a drop resets the calm count", []paceWindow{win(60, 20, time.Millisecond), win(30, 0, time.Millisecond),
			win(30, 0, time.Millisecond), win(30, 1, time.Millisecond), win(30, 0, time.Millisecond)}, []int{30, 30, 30, 30, 30}},
		{"no headroom stays down", []paceWindow{win(60, 20, time.Millisecond), win(30, 0, 6*time.Millisecond),
			win(30, 0, 6*time.Millisecond), win(30, 0, 6*time.Millisecond)}, []int{30, 30, 30, 30}},
		{"nothing drawn is not overload", []paceWindow{{ticks: 60}}, []int{60}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := newPacer(60)
			for i, w := range tc.windows {
				if got := p.update(w); got != tc.want[i] {
					t.Fatalf("after window %d (%+v) rate %d, want %d", i, w, got, tc.want[i])
				}
			}
		})
	}
}
