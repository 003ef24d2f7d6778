package wfdb

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"

	"telewave/devices/sim"
)

// Record is a header with its samples, one slice per signal.
type Record struct {
	Header
	Samples [][]int32
}

// Read loads the record name (e.g. "mitdb/100") from fsys: name.hea and
// the signal files it names, which must all be the same file.
func Read(fsys fs.FS, name string) (*Record, error) {
	hb, err := fs.ReadFile(fsys, name+".hea")
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	h, err := ParseHeader(bytes.NewReader(hb))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	if len(h.Signals) == 0 {
		return &Record{Header: h}, nil
	}
	file, format := h.Signals[0].File, h.Signals[0].Format
	for _, s := range h.Signals[1:] {
		if s.File != file || s.Format != format {
			return nil, fmt.Errorf("read record %s: signals in several files are not supported", name)
		}
	}
	data, err := fs.ReadFile(fsys, path.Join(path.Dir(name), file))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	r := &Record{Header: h}
	switch format {
	case 212:
		r.Samples, err = Decode212(data, len(h.Signals))
	case 16:
		r.Samples, err = Decode16(data, len(h.Signals))
	default:
		return nil, fmt.Errorf("read record %s: format %d is not supported", name, format)
	}
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	if h.NSamples > 0 && len(r.Samples[0]) > h.NSamples {
		for i := range r.Samples {
			r.Samples[i] = r.Samples[i][:h.NSamples]
		}
	}
	return r, nil
}

// Source plays the record back in physical units (mV for ECG), frame by
// frame at the record's rate; io.EOF at the end.
func (r *Record) Source() sim.Source { return &playback{r: r} }

type playback struct {
	r *Record
	i int
}

var _ sim.Source = (*playback)(nil)

func (p *playback) Rate() float64 { return p.r.Freq }
func (p *playback) Channels() int { return len(p.r.Signals) }

func (p *playback) Next(frame []float64) error {
	if len(p.r.Samples) == 0 || p.i >= len(p.r.Samples[0]) {
		return io.EOF
	}
	for s := range p.r.Samples {
		if s < len(frame) {
			frame[s] = p.r.Signals[s].Physical(p.r.Samples[s][p.i])
		}
	}
	p.i++
	return nil
}
