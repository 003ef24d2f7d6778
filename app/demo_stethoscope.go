package app

import (
	"fmt"
	"io/fs"
	"sync"

	"telewave/audio"
	"telewave/formats/wav"
)

// DemoHeartSound is the CirCor recording the demo's simulated stethoscope
// plays (pulmonic area, 4 kHz), in the records the binary embeds.
const DemoHeartSound = "circor/69067_PV.wav"

// DemoStethoscope returns a sound card whose input plays name from records
// in a loop, at the stethoscope's rate, paced by the clock: the demo's
// simulated stethoscope. Its output goes nowhere (the demo does not play
// heart sounds into the room).
func DemoStethoscope(records fs.FS, name string) (func() (audio.Backend, error), error) {
	f, err := records.Open(name)
	if err != nil {
		return nil, fmt.Errorf("demo stethoscope: %w", err)
	}
	defer f.Close()
	a, err := wav.Read(f)
	if err != nil {
		return nil, fmt.Errorf("demo stethoscope %s: %w", name, err)
	}
	mono := a.Mono()
	if a.Rate != PCGRate {
		pcm := make([]int16, len(mono))
		for i, v := range mono {
			pcm[i] = int16(max(-32768, min(32767, v*32768)))
		}
		mono = audio.Resample(pcm, a.Rate, PCGRate)
	}
	if len(mono) == 0 {
		return nil, fmt.Errorf("demo stethoscope %s: no samples", name)
	}
	var mu sync.Mutex
	pos := 0
	b := &audio.Clocked{Source: func(p []float32) {
		mu.Lock()
		defer mu.Unlock()
		for i := range p {
			p[i] = mono[pos]
			pos = (pos + 1) % len(mono)
		}
	}}
	return func() (audio.Backend, error) { return b, nil }, nil
}
