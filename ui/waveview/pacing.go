package waveview

import "time"

// paceLadder is the frame rates the render goroutine steps down through
// when the machine cannot keep up: 60 with a GPU, 30 and 25 on software
// GL (DESIGN §4). A Run asked for a higher rate starts above it.
var paceLadder = []int{60, 30, 25}

// The thresholds of the pacing controller.
const (
	// paceDropShare: more than one tick in ten finding the last swap still
	// pending means the UI thread cannot show this many frames.
	paceDropShare = 10
	// paceDrawShare: drawing more than half a period leaves the machine
	// no room for the UI thread's repaint.
	paceDrawShare = 2
	// paceHeadroom: to step up, drawing must take under a quarter of the
	// faster rate's period, with no drops, for paceCalm windows in a row.
	paceHeadroom = 4
	paceCalm     = 3
)

// paceWindow is what the render goroutine measured over about a second.
type paceWindow struct {
	ticks   int           // ticker ticks in the window
	dropped int           // ticks skipped because the UI had not swapped
	drawn   int           // frames drawn
	draw    time.Duration // their total drawing time
}

// pacer chooses the frame rate from measurements only: no clock, no
// goroutine, so it is tested as a pure function of its inputs.
type pacer struct {
	rates []int // descending
	i     int
	calm  int
}

func newPacer(maxFPS int) *pacer {
	p := &pacer{}
	if maxFPS > paceLadder[0] {
		p.rates = append(p.rates, maxFPS)
	}
	for _, r := range paceLadder {
		if r <= maxFPS {
			p.rates = append(p.rates, r)
		}
	}
	if len(p.rates) == 0 { // asked for less than the lowest step: keep it
		p.rates = []int{maxFPS}
	}
	return p
}

// fps is the rate now chosen.
func (p *pacer) fps() int { return p.rates[p.i] }

// update takes one window's measurements and returns the rate for the next:
// one step down at once when frames were dropped or drawing took too long,
// one step up after paceCalm windows with headroom at the faster rate.
func (p *pacer) update(m paceWindow) int {
	var mean time.Duration
	if m.drawn > 0 {
		mean = m.draw / time.Duration(m.drawn)
	}
	period := time.Second / time.Duration(p.fps())
	if m.dropped*paceDropShare > m.ticks || mean > period/paceDrawShare {
		p.calm = 0
		if p.i < len(p.rates)-1 {
			p.i++
		}
		return p.fps()
	}
	if p.i == 0 {
		return p.fps()
	}
	faster := time.Second / time.Duration(p.rates[p.i-1])
	if m.dropped == 0 && mean < faster/paceHeadroom {
		p.calm++
		if p.calm >= paceCalm {
			p.i--
			p.calm = 0
		}
	} else {
		p.calm = 0
	}
	return p.fps()
}
