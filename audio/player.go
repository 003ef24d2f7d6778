package audio

import (
	"fmt"
	"sync"
)

// Player plays one clip at a time to an output: the alarm sounds. Play
// replaces what is playing at the start of the next buffer; Silence stops
// it. Neither waits on the device.
type Player struct {
	out Stream

	mu     sync.Mutex
	clip   []float32
	pos    int
	played uint64 // clips played to the end
}

// NewPlayer opens an output on b and starts it.
func NewPlayer(b Backend, cfg Config) (*Player, error) {
	p := &Player{}
	s, err := b.OpenOutput(cfg, p.fill)
	if err != nil {
		return nil, fmt.Errorf("player: %w", err)
	}
	if err := s.Start(); err != nil {
		s.Close()
		return nil, fmt.Errorf("player: start: %w", err)
	}
	p.out = s
	return p, nil
}

// Rate returns the output's sampling rate; clips must be at this rate.
func (p *Player) Rate() int { return p.out.Rate() }

// Play starts clip from its beginning.
func (p *Player) Play(clip []float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clip, p.pos = clip, 0
}

// Silence stops the clip.
func (p *Player) Silence() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clip, p.pos = nil, 0
}

// Playing reports whether a clip is still sounding.
func (p *Player) Playing() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.clip != nil
}

// Finished returns how many clips have played to their end.
func (p *Player) Finished() uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.played
}

func (p *Player) fill(out []float32) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.clip == nil {
		return
	}
	n := copy(out, p.clip[p.pos:])
	p.pos += n
	if p.pos >= len(p.clip) {
		p.clip, p.pos = nil, 0
		p.played++
	}
}

// Close stops the output.
func (p *Player) Close() error { return p.out.Close() }

// Resample converts mono int16 PCM at from Hz to float32 at to Hz by
// linear interpolation (alarm sounds and test signals; not for
// measurement).
func Resample(pcm []int16, from, to int) []float32 {
	if from <= 0 || to <= 0 || len(pcm) == 0 {
		return nil
	}
	n := int(int64(len(pcm)) * int64(to) / int64(from))
	out := make([]float32, n)
	for i := range out {
		x := float64(i) * float64(from) / float64(to)
		k := int(x)
		f := x - float64(k)
		a := float64(pcm[min(k, len(pcm)-1)])
		b := float64(pcm[min(k+1, len(pcm)-1)])
		out[i] = float32((a + (b-a)*f) / 32768)
	}
	return out
}
