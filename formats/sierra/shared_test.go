package sierra

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData finds ../shared/data beside the repository root, or skips
// loudly.
func sharedData(tb testing.TB, rel string) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Skipf("SKIPPED: no repository root above the test; shared data %s not read", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "data", rel)
	if _, err := os.Stat(p); err != nil {
		tb.Skipf("SKIPPED: shared data %s is absent (%v)", p, err)
	}
	return p
}

// readFile reads a file from testdata/ or, for "shared:" names, from
// ../shared/data.
func readFile(tb testing.TB, name string) []byte {
	tb.Helper()
	p := filepath.Join("testdata", name)
	if rel, ok := strings.CutPrefix(name, "shared:"); ok {
		p = sharedData(tb, rel)
	}
	data, err := os.ReadFile(p)
	if err != nil {
		tb.Fatal(err)
	}
	return data
}
