// Package backend picks the waveform rasterizer that --render names:
// "cpu", "gl", or "auto" (gl on a hardware renderer, cpu on software GL or
// when GL cannot start). GL can only start once the GUI's main loop runs,
// so the choice is made on the first frame, on the render goroutine that
// draws it; until then nothing is drawn, after it every frame goes to the
// chosen backend.
package backend

import (
	"fmt"
	"image"
	"sync"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
	"telewave/ui/render/gl"
)

// Names lists the values --render accepts.
var Names = []string{"auto", "gl", "cpu"}

// Shared is one rasterizer for every display of a window: displays come
// and go as devices are attached, and two render goroutines may overlap
// for a moment, so Draw is serialised.
type Shared struct {
	name   string
	onMain func(func())
	report func(string)

	once   sync.Once
	mu     sync.Mutex
	r      render.Rasterizer
	closer func() error
	note   string
}

// New returns the backend for name. onMain runs a function on the GUI's
// main thread and waits (fyne.DoAndWait); report receives one line saying
// what was chosen and why (no patient data), or nil.
func New(name string, onMain func(func()), report func(string)) (*Shared, error) {
	switch name {
	case "auto", "gl", "cpu":
	default:
		return nil, fmt.Errorf("--render %q: want auto, gl or cpu", name)
	}
	if report == nil {
		report = func(string) {}
	}
	return &Shared{name: name, onMain: onMain, report: report}, nil
}

func (s *Shared) choose() {
	if s.name == "cpu" {
		s.r, s.note = cpu.New(), "cpu rasterizer (--render=cpu)"
		s.report(s.note)
		return
	}
	g, err := gl.New(s.onMain)
	switch {
	case err != nil:
		s.r, s.note = cpu.New(), fmt.Sprintf("cpu rasterizer: GL could not start: %v", err)
	case s.name == "auto" && gl.IsSoftware(g.Renderer()):
		g.Close()
		s.r, s.note = cpu.New(), fmt.Sprintf("cpu rasterizer: %s is software GL, where the cpu rasterizer is faster", g.Renderer())
	default:
		s.r, s.closer, s.note = g, g.Close, fmt.Sprintf("gl rasterizer on %s", g.Renderer())
	}
	s.report(s.note)
}

// Draw draws with the chosen backend, choosing it on the first call.
func (s *Shared) Draw(dst *image.RGBA, sc *render.Scene) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.once.Do(s.choose)
	s.r.Draw(dst, sc)
}

// Name is the chosen backend's name ("gl" or "cpu"), or what was asked for
// before the first frame.
func (s *Shared) Name() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.r == nil {
		return s.name
	}
	return s.r.Name()
}

// Note says what was chosen and why; empty before the first frame.
func (s *Shared) Note() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.note
}

// Renderer is the GL renderer string when gl was chosen, else the note.
func (s *Shared) Renderer() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if g, ok := s.r.(*gl.Rasterizer); ok {
		return g.Renderer()
	}
	return s.note
}

// Close releases GL; call it once no display draws any more.
func (s *Shared) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closer != nil {
		c := s.closer
		s.closer = nil
		return c()
	}
	return nil
}
