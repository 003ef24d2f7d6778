//go:build !gl

package gltest

// required is false: without -tags gl, missing GL skips loudly.
const required = false
