package wire

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps the package a codec: the standard library, the device
// types and the waveform codec, never the app, the UI or Fyne.
func TestImports(t *testing.T) {
	allowed := map[string]bool{"telewave/devices": true, "telewave/storage/wavecodec": true}
	files, _ := filepath.Glob("*.go")
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			std := !strings.Contains(strings.Split(path, "/")[0], ".") && !strings.HasPrefix(path, "telewave")
			if !std && !allowed[path] {
				t.Errorf("%s imports %s: only the standard library, telewave/devices and telewave/storage/wavecodec", name, path)
			}
		}
	}
}
