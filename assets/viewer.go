package assets

import (
	"embed"
	"io/fs"
)

//go:embed viewer
var viewerFiles embed.FS

// Viewer is the browser viewer of a telehealth share (docs/telehealth.md):
// index.html at its top beside the ES modules and the stylesheet it loads
// from assets/. A relay serves it at /v/<sid> (index.html) and
// /v/assets/<file>. Plain JavaScript, no build step: what is here is what
// the browser runs.
var Viewer fs.FS = mustSub(viewerFiles, "viewer")

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err) // the directory is embedded above: cannot happen
	}
	return sub
}
