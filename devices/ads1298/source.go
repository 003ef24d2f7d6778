package ads1298

import (
	"fmt"
	"strings"

	"telewave/devices/sim"
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

// PlayLeads plays a multi-lead recording in a loop as the board's eight
// channels in mV at SampleRate: open gives the recording from its start
// (e.g. formats/wfdb.Record.Source of a LUDB or PTB record, which the app
// reads), labels[i] names its channel i ("" for a channel not to use, such
// as one not in mV). A PTB record at 1000 Hz is resampled.
func PlayLeads(open func() sim.Source, labels []string) (sim.Source, error) {
	start := func() (sim.Source, error) {
		src, err := SelectLeads(open(), labels)
		if err != nil {
			return nil, err
		}
		return sim.Resample(src, SampleRate), nil
	}
	if _, err := start(); err != nil {
		return nil, fmt.Errorf("play leads: %w", err)
	}
	return sim.Loop(start), nil
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
