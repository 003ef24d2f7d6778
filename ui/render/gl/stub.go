//go:build !cgo

package gl

import (
	"image"
	"time"

	"telewave/ui/render"
)

var _ render.Rasterizer = (*Rasterizer)(nil)

// Rasterizer is the GL backend's API in a binary built without cgo: New
// always fails with ErrNoCgo, so no value of it is ever in use.
type Rasterizer struct{}

// New returns ErrNoCgo: OpenGL needs cgo.
func New(onMain func(func())) (*Rasterizer, error) { return nil, ErrNoCgo }

// Name returns "gl".
func (r *Rasterizer) Name() string { return Name }

// Renderer returns "" without cgo.
func (r *Rasterizer) Renderer() string { return "" }

// SetPeriod does nothing without cgo.
func (r *Rasterizer) SetPeriod(time.Duration) {}

// Draw does nothing without cgo (New never returns a Rasterizer).
func (r *Rasterizer) Draw(*image.RGBA, *render.Scene) {}

// Err returns ErrNoCgo.
func (r *Rasterizer) Err() error { return ErrNoCgo }

// Stats returns zeros without cgo.
func (r *Rasterizer) Stats() Stats { return Stats{} }

// Close does nothing without cgo.
func (r *Rasterizer) Close() error { return nil }
