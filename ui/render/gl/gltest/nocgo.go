//go:build !cgo

package gltest

import "testing"

// Main runs m; without cgo there is no GL, and Require says so.
func Main(m *testing.M) int {
	unavailable = "binary built without cgo (CGO_ENABLED=0): the gl rasterizer needs cgo"
	return m.Run()
}

// OnMain runs f; without cgo nothing needs the main thread.
func OnMain(f func()) { f() }
