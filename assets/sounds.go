// Package assets holds what the workstation ships besides code: the alarm
// sounds. The sounds are synthesized by Synthesize and kept as WAV files
// so that a player needs no code of ours; a test checks that the files are
// exactly what Synthesize makes (go test ./assets -update rewrites them).
package assets

import (
	"bytes"
	"embed"
	"encoding/binary"
	"fmt"
	"math"
)

// Sounds holds alarm-high.wav, alarm-medium.wav and alarm-low.wav.
//
//go:embed alarm-*.wav
var Sounds embed.FS

// SampleRate of the alarm sounds.
const SampleRate = 16000

// burst is one alarm priority's pulse pattern after IEC 60601-1-8: the
// pulse length and, after each pulse, the silence before the next.
type burst struct {
	pulseMS int
	gapsMS  []int // len = number of pulses; the last is the pause after the burst
}

// The three priorities. High: 10 pulses of 150 ms as two groups of 3+2
// with the burst's inner pause; medium: 3 pulses of 200 ms; low: 2 pulses
// of 200 ms. Fundamental 523 Hz (C5) with four harmonics.
var bursts = map[string]burst{
	"alarm-high.wav":   {150, []int{100, 100, 350, 100, 1000, 100, 100, 350, 100, 200}},
	"alarm-medium.wav": {200, []int{150, 150, 200}},
	"alarm-low.wav":    {200, []int{200, 200}},
}

// RepeatSeconds is how often the player starts a burst again while the
// alarm stays audible (within the standard's ranges: high 2.5–15 s,
// medium 2.5–30 s, low 15 s or more, or once).
var RepeatSeconds = map[string]float64{"alarm-high.wav": 5, "alarm-medium.wav": 10, "alarm-low.wav": 30}

// Names lists the sound files.
func Names() []string { return []string{"alarm-high.wav", "alarm-medium.wav", "alarm-low.wav"} }

// Synthesize renders a sound file's bytes: 16-bit mono PCM WAV.
func Synthesize(name string) ([]byte, error) {
	b, ok := bursts[name]
	if !ok {
		return nil, fmt.Errorf("no alarm sound %q", name)
	}
	var pcm []int16
	pulse := b.pulseMS * SampleRate / 1000
	ramp := pulse / 8 // 12.5 % rise and fall, within the standard's 10–20 %
	for _, gap := range b.gapsMS {
		for i := range pulse {
			env := 1.0
			if i < ramp {
				env = float64(i) / float64(ramp)
			} else if i >= pulse-ramp {
				env = float64(pulse-1-i) / float64(ramp)
			}
			t := float64(i) / SampleRate
			v := 0.0
			for h := 1; h <= 5; h++ {
				v += math.Pow(0.7, float64(h-1)) * math.Sin(2*math.Pi*523.25*float64(h)*t)
			}
			pcm = append(pcm, int16(math.Round(9000*env*v)))
		}
		pcm = append(pcm, make([]int16, gap*SampleRate/1000)...)
	}
	var w bytes.Buffer
	data := len(pcm) * 2
	w.WriteString("RIFF")
	binary.Write(&w, binary.LittleEndian, uint32(36+data))
	w.WriteString("WAVEfmt ")
	// fmt chunk: PCM, mono, SampleRate, byte rate, block align, 16 bits.
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(SampleRate), uint32(SampleRate * 2), uint16(2), uint16(16)} {
		binary.Write(&w, binary.LittleEndian, v)
	}
	w.WriteString("data")
	binary.Write(&w, binary.LittleEndian, uint32(data))
	binary.Write(&w, binary.LittleEndian, pcm)
	return w.Bytes(), nil
}
