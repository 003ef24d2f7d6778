package assets

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"telewave/formats/wav"
)

var update = flag.Bool("update", false, "rewrite the sound files from Synthesize")

func TestSoundFilesAreWhatSynthesizeMakes(t *testing.T) {
	for _, name := range Names() {
		want, err := Synthesize(name)
		if err != nil {
			t.Fatal(err)
		}
		if *update {
			if err := os.WriteFile(name, want, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := Sounds.ReadFile(name)
		if err != nil {
			t.Fatalf("%s: %v (run go test ./assets -update)", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from Synthesize (run go test ./assets -update)", name)
		}
	}
}

// The pulses of each burst, counted from the samples: 10 for high, 3 for
// medium, 2 for low (IEC 60601-1-8).
func TestPulseCounts(t *testing.T) {
	for name, want := range map[string]int{"alarm-high.wav": 10, "alarm-medium.wav": 3, "alarm-low.wav": 2} {
		b, _ := Sounds.ReadFile(name)
		// Any WAV reader must take it: ours is strict about every chunk.
		a, err := wav.Read(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if a.Rate != SampleRate || a.Channels != 1 || a.Bits != 16 {
			t.Fatalf("%s: %d Hz, %d channels, %d bits; want %d Hz mono 16-bit", name, a.Rate, a.Channels, a.Bits, SampleRate)
		}
		pulses, on, quiet := 0, false, 0
		for _, v := range a.Mono() {
			loud := v > 2000.0/32768 || v < -2000.0/32768
			switch {
			case loud && !on:
				pulses++
				on, quiet = true, 0
			case !loud && on:
				if quiet++; quiet > SampleRate/50 { // 20 ms of quiet ends a pulse
					on = false
				}
			case loud:
				quiet = 0
			}
		}
		if pulses != want {
			t.Errorf("%s: %d pulses, want %d", name, pulses, want)
		}
	}
}
