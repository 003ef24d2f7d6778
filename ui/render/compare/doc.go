// Package compare holds only tests: they draw the same Scenes with the cpu
// and gl rasterizers and require the same picture within a stated
// tolerance (see compare_test.go). They need cgo and an X display; when
// DISPLAY is not set they start their own Xvfb:
//
//	CGO_ENABLED=1 go test -tags gl ./ui/render/compare
//
// With -tags gl a missing display, Xvfb or cgo fails the test; without it
// the test skips, saying so loudly.
package compare
