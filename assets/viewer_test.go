package assets

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestViewerFiles checks that the page and every module it loads are in
// the embed, at the paths the page asks for (the relay serves
// /v/assets/<file> from the top of Viewer).
func TestViewerFiles(t *testing.T) {
	index, err := fs.ReadFile(Viewer, "index.html")
	if err != nil {
		t.Fatalf("index.html: %v", err)
	}
	refs := regexp.MustCompile(`(?:src|href)="assets/([^"]+)"`).FindAllStringSubmatch(string(index), -1)
	if len(refs) < 2 {
		t.Fatalf("index.html loads %d assets, want the script and the stylesheet", len(refs))
	}
	want := map[string]bool{}
	for _, r := range refs {
		want[r[1]] = true
	}
	imports := regexp.MustCompile(`from '\./([^']+)'`)
	for pending := []string{"viewer.js"}; len(pending) > 0; pending = pending[1:] {
		b, err := fs.ReadFile(Viewer, pending[0])
		if err != nil {
			t.Fatalf("module %s: %v", pending[0], err)
		}
		for _, m := range imports.FindAllStringSubmatch(string(b), -1) {
			if !want[m[1]] {
				want[m[1]] = true
				pending = append(pending, m[1])
			}
		}
	}
	for name := range want {
		if _, err := fs.Stat(Viewer, name); err != nil {
			t.Errorf("%s is loaded by the page but not embedded: %v", name, err)
		}
	}
	for _, name := range []string{"link.js", "seal.js", "wavecodec.js", "payload.js", "renderer.js", "audio.js", "session.js"} {
		if !want[name] {
			t.Errorf("%s is embedded but the page never loads it", name)
		}
	}
	// No CDN, no remote script: everything comes from the embed.
	err = fs.WalkDir(Viewer, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Viewer, p)
		if err != nil {
			return err
		}
		if s := string(b); strings.Contains(s, "http://") || strings.Contains(s, "https://") || strings.Contains(s, "//cdn") {
			t.Errorf("%s refers to a remote URL", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
