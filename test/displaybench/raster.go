package main

import (
	"fmt"

	"telewave/ui/render"
	"telewave/ui/render/cpu"
)

// newRasterizer returns the backend --render names and how to release it.
func newRasterizer(name string) (render.Rasterizer, func(), error) {
	switch name {
	case "cpu":
		return cpu.New(), func() {}, nil
	}
	return nil, nil, fmt.Errorf("unknown --render %q (cpu, gl)", name)
}

// backends lists the names newRasterizer accepts.
func backends() []string { return []string{"cpu"} }
