//go:build gl

package gltest

// required makes a missing display or Xvfb a test failure.
const required = true
