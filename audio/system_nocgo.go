//go:build !cgo

package audio

import "errors"

// System needs cgo (miniaudio); a build without it has no sound card and
// says so, and the caller falls back to Clocked (silent) with a visible
// notice.
func System() (Backend, error) {
	return nil, errors.New("audio: built without cgo: no sound card access")
}
