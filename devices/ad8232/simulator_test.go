package ad8232

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"telewave/devices"
	"telewave/devices/sim"
)

// stingyPort takes only part of some writes and says the deadline passed,
// as a pty whose reader fell behind; it keeps everything it took.
type stingyPort struct {
	got    bytes.Buffer
	writes int
}

func (p *stingyPort) Read([]byte) (int, error) { select {} }

func (p *stingyPort) Write(b []byte) (int, error) {
	p.writes++
	if p.writes%3 == 0 && len(b) > 1 {
		n := len(b)/2 + 1
		p.got.Write(b[:n])
		return n, fmt.Errorf("write: %w", devices.ErrDropped)
	}
	return p.got.Write(b)
}

// A burst cut inside a line is finished first in the next burst: the
// wire never holds a spliced line, and Sent holds exactly the samples the
// decoder finds.
func TestSimulatorCutBursts(t *testing.T) {
	port := &stingyPort{}
	s := &Simulator{Record: true, Speed: 0, LeadsOff: func(n uint64) bool { return n%50 < 5 }}
	st := &stream{src: resampledSynthetic(), frame: make([]float64, 1), scale: ScaleMV(0), base: DefaultBaseline}
	for range 30 {
		if err := s.burst(port, st, 7, 0); err != nil {
			t.Fatal(err)
		}
	}
	wire := port.got.Bytes()
	lines, skipped := decodeAll(t, wire)
	if skipped != 0 {
		t.Errorf("%d bytes skipped: a line was spliced", skipped)
	}
	var samples []int32
	for _, l := range lines {
		if !l.LeadsOff {
			samples = append(samples, l.Value)
		}
	}
	sent := s.Sent()[SignalID]
	if len(sent) < 60 || !slices.Equal(samples, sent) {
		t.Errorf("decoded %d samples, sent %d; equal %v", len(samples), len(sent), slices.Equal(samples, sent))
	}
	if !bytes.HasSuffix(wire, []byte("\r\n")) && len(st.pending) == 0 {
		t.Error("wire ends inside a line and nothing is pending")
	}
}

func resampledSynthetic() sim.Source { return sim.Resample(sim.NewSyntheticECG(70, 1), DefaultRate) }
