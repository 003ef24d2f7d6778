package ui

import (
	"telewave/ui/render"
	"telewave/ui/render/cpu"
)

// newRasterizer gives each waveform display its rasterizer; Run replaces
// it when --render picks another backend. Each call returns one that a
// single render goroutine may own.
var newRasterizer = func() render.Rasterizer { return cpu.New() }
