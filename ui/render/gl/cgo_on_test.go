//go:build cgo

package gl

const cgoEnabled = true
