package ads1298

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// SelectLeads picks the board's eight channels (BoardLeads: I, II, V1..V6)
// out of src, whose channel i is labelled labels[i]. Labels match without
// regard to case or an "ECG " prefix ("i", "II", "ECG V1"). The result has
// eight channels in board order, in src's units and at src's rate.
func SelectLeads(src sim.Source, labels []string) (sim.Source, error) {
	if len(labels) != src.Channels() {
		return nil, fmt.Errorf("select leads: %d labels for %d channels", len(labels), src.Channels())
	}
	var idx [Channels]int
	for c, want := range BoardLeads {
		idx[c] = -1
		for i, l := range labels {
			if normLabel(l) == strings.ToUpper(want) {
				idx[c] = i
				break
			}
		}
		if idx[c] < 0 {
			return nil, fmt.Errorf("select leads: no lead %s among %q", want, labels)
		}
	}
	return &picked{src: src, idx: idx, frame: make([]float64, src.Channels())}, nil
}

func normLabel(l string) string {
	l = strings.ToUpper(strings.TrimSpace(l))
	return strings.TrimSpace(strings.TrimPrefix(l, "ECG"))
}

type picked struct {
	src   sim.Source
	idx   [Channels]int
	frame []float64
}

func (p *picked) Rate() float64 { return p.src.Rate() }
func (p *picked) Channels() int { return Channels }

func (p *picked) Next(frame []float64) error {
	if err := p.src.Next(p.frame); err != nil {
		return err
	}
	for c, i := range p.idx {
		frame[c] = p.frame[i]
	}
	return nil
}

// LUDBSource plays the 12-lead WFDB record name (e.g. "ludb/1") from fsys
// in a loop, as the board's eight channels in mV at 500 Hz: a LUDB record
// as it is, a PTB record (1000 Hz) resampled. Signals kept in other files
// than the first (PTB's Frank leads in .xyz) are left out, which the wfdb
// reader could not do itself.
func LUDBSource(fsys fs.FS, name string) (sim.Source, error) {
	rec, err := readFirstFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("ludb source: %w", err)
	}
	labels := make([]string, len(rec.Signals))
	for i, s := range rec.Signals {
		labels[i] = s.Description
		if u := strings.ToLower(s.Units); u != "mv" && u != "" {
			labels[i] = "" // a lead not in mV is not used
		}
	}
	open := func() (sim.Source, error) {
		src, err := SelectLeads(rec.Source(), labels)
		if err != nil {
			return nil, err
		}
		return sim.Resample(src, SampleRate), nil
	}
	if _, err := open(); err != nil {
		return nil, fmt.Errorf("ludb source %s: %w", name, err)
	}
	return sim.Loop(open), nil
}

// readFirstFile reads name with only the signals stored in the same file
// as its first signal.
func readFirstFile(fsys fs.FS, name string) (*wfdb.Record, error) {
	hea, err := fs.ReadFile(fsys, name+".hea")
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	h, err := wfdb.ParseHeader(bytes.NewReader(hea))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	if len(h.Signals) == 0 {
		return nil, fmt.Errorf("read record %s: no signals", name)
	}
	first := h.Signals[0]
	kept := h.Signals[:0:0]
	for _, s := range h.Signals {
		if s.File == first.File {
			if s.Format != first.Format {
				return nil, fmt.Errorf("read record %s: formats %d and %d in one file", name, first.Format, s.Format)
			}
			kept = append(kept, s)
		}
	}
	if len(kept) == len(h.Signals) {
		return wfdb.Read(fsys, name)
	}
	data, err := fs.ReadFile(fsys, path.Join(path.Dir(name), first.File))
	if err != nil {
		return nil, fmt.Errorf("read record %s: %w", name, err)
	}
	h.Signals = kept
	r := &wfdb.Record{Header: h}
	switch first.Format {
	case 16:
		r.Samples, err = wfdb.Decode16(data, len(kept))
	case 212:
		r.Samples, err = wfdb.Decode212(data, len(kept))
	default:
		err = fmt.Errorf("format %d is not supported", first.Format)
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

// leadGains shape a single synthetic ECG into eight plausible channels
// (I, II, V1..V6): a QRS negative in V1, growing through V4.
var leadGains = [Channels]float64{0.5, 1, -0.6, -0.2, 0.4, 1.2, 1.1, 0.8}

// SyntheticLeads is an endless eight-channel source in board order built
// from sim.NewSyntheticECG at hr beats/min: each channel a scaled copy.
func SyntheticLeads(hr float64, seed int64) sim.Source {
	return &synthetic{ecg: sim.NewSyntheticECG(hr, seed), one: make([]float64, 1)}
}

type synthetic struct {
	ecg sim.Source
	one []float64
}

func (s *synthetic) Rate() float64 { return s.ecg.Rate() }
func (s *synthetic) Channels() int { return Channels }

func (s *synthetic) Next(frame []float64) error {
	if err := s.ecg.Next(s.one); err != nil {
		return err
	}
	for c, g := range leadGains {
		frame[c] = g * s.one[0]
	}
	return nil
}
