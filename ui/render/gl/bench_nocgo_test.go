//go:build !cgo

package gl

import (
	"testing"
	"time"
)

func benchDraw(b *testing.B, _ time.Duration) {
	b.Skip("SKIPPED: the gl rasterizer needs cgo (CGO_ENABLED=1)")
}
