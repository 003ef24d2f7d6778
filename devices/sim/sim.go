// Package sim synthesises physiology (ECG, plethysmogram) for the device
// simulators and paces it in wall-clock time. Sources yield physical values;
// each protocol's simulator converts them to its own counts and framing.
package sim

import (
	"errors"
	"fmt"
	"io"
)

// Source yields frames of physical values (one per channel) at Rate()
// frames per second. Next fills frame (len(frame) >= Channels()) and returns
// io.EOF at the end of a finite record.
type Source interface {
	Rate() float64
	Channels() int
	Next(frame []float64) error
}

// Resample returns src at rate frames/s by linear interpolation between
// neighbouring source frames. When the rates are equal it returns src itself,
// so the values pass through bit-exactly.
func Resample(src Source, rate float64) Source {
	if rate == src.Rate() {
		return src
	}
	n := src.Channels()
	return &resampler{src: src, rate: rate, a: make([]float64, n), b: make([]float64, n)}
}

type resampler struct {
	src     Source
	rate    float64
	a, b    []float64 // source frames j and j+1
	j       int64     // index of a
	k       int64     // next output frame
	started bool
	err     error
}

func (r *resampler) Rate() float64 { return r.rate }
func (r *resampler) Channels() int { return r.src.Channels() }

func (r *resampler) Next(frame []float64) error {
	if r.err != nil {
		return r.err
	}
	if !r.started {
		if err := r.src.Next(r.a); err != nil {
			r.err = err
			return err
		}
		if err := r.src.Next(r.b); err != nil {
			r.err = err
			return err
		}
		r.started = true
	}
	// Position of output frame k in source frames.
	pos := float64(r.k) * r.src.Rate() / r.rate
	for pos > float64(r.j+1) {
		r.a, r.b = r.b, r.a
		if err := r.src.Next(r.b); err != nil {
			r.err = err
			return err
		}
		r.j++
	}
	f := pos - float64(r.j)
	for c := range r.a {
		frame[c] = r.a[c] + (r.b[c]-r.a[c])*f
	}
	r.k++
	return nil
}

// Loop plays the sources that open returns one after another, opening a new
// one at each io.EOF, so that a 30-minute record plays for as long as the
// demo runs. An open error, or a source that ends before its first frame,
// ends the loop with that error.
func Loop(open func() (Source, error)) Source {
	s, err := open()
	if err != nil {
		return &looper{err: fmt.Errorf("open looped source: %w", err)}
	}
	return &looper{open: open, cur: s, rate: s.Rate(), ch: s.Channels()}
}

// errEmpty stops a loop over a record with no frames, which would spin.
var errEmpty = errors.New("looped source has no frames")

type looper struct {
	open  func() (Source, error)
	cur   Source
	rate  float64
	ch    int
	fresh bool // cur was just opened and has not yielded a frame
	err   error
}

func (l *looper) Rate() float64 { return l.rate }
func (l *looper) Channels() int { return l.ch }

func (l *looper) Next(frame []float64) error {
	if l.err != nil {
		return l.err
	}
	for {
		err := l.cur.Next(frame)
		if err == nil {
			l.fresh = false
			return nil
		}
		if !errors.Is(err, io.EOF) {
			l.err = err
			return err
		}
		if l.fresh {
			l.err = errEmpty
			return l.err
		}
		s, err := l.open()
		if err != nil {
			l.err = fmt.Errorf("reopen looped source: %w", err)
			return l.err
		}
		if s.Rate() != l.rate || s.Channels() != l.ch {
			l.err = fmt.Errorf("reopened source is %g Hz × %d, want %g Hz × %d", s.Rate(), s.Channels(), l.rate, l.ch)
			return l.err
		}
		l.cur, l.fresh = s, true
	}
}
