package main

import (
	"fyne.io/fyne/v2"

	"telewave/ui/render"
	"telewave/ui/render/backend"
)

// newRasterizer returns the backend --render names, chosen on the first
// frame as the app does, and how to release it.
func newRasterizer(name string) (render.Rasterizer, func(), error) {
	s, err := backend.New(name, fyne.DoAndWait, nil)
	if err != nil {
		return nil, nil, err
	}
	return s, func() {}, nil
}

// backends lists the names the benchmark runs.
func backends() []string { return []string{"cpu", "gl"} }
