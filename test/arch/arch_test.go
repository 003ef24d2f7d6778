// Package arch holds the test that keeps the dependency direction of
// DESIGN §1: main → ui → app → {storage, sync/*, dsp, formats} → devices.
package arch

import (
	"bufio"
	"bytes"
	"os/exec"
	"strings"
	"testing"
)

// forbidden lists, per package prefix, what it must not import directly
// or through any dependency. Fyne is checked transitively: a core package
// that pulls it in through a helper is as wrong as one that imports it.
var forbidden = []struct {
	prefix string
	not    []string
}{
	{"telewave/devices", []string{"fyne.io/", "telewave/ui", "telewave/app", "telewave/storage", "telewave/sync", "telewave/formats", "telewave/dsp"}},
	{"telewave/dsp", []string{"fyne.io/", "telewave/ui", "telewave/app", "telewave/storage", "telewave/sync"}},
	{"telewave/formats", []string{"fyne.io/", "telewave/ui", "telewave/app", "telewave/storage", "telewave/sync"}},
	{"telewave/storage", []string{"fyne.io/", "telewave/ui", "telewave/app", "telewave/sync", "telewave/formats", "telewave/dsp"}},
	{"telewave/sync/", []string{"fyne.io/", "telewave/ui", "telewave/app"}},
	{"telewave/app", []string{"fyne.io/", "telewave/ui"}},
}

func TestDependencyDirection(t *testing.T) {
	cmd := exec.Command("go", "list", "-tags", "ci", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "telewave/...")
	cmd.Dir = "../.."
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	checked := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) == 0 {
			continue
		}
		pkg, deps := fields[0], fields[1:]
		for _, rule := range forbidden {
			if !under(pkg, rule.prefix) {
				continue
			}
			checked[rule.prefix] = true
			for _, d := range deps {
				for _, bad := range rule.not {
					if under(d, bad) && !under(d, rule.prefix) {
						t.Errorf("%s depends on %s (forbidden for %s)", pkg, d, rule.prefix)
					}
				}
			}
		}
	}
	// The rule table must keep biting: each package family that exists
	// today has to have been seen.
	for _, must := range []string{"telewave/devices", "telewave/formats", "telewave/storage", "telewave/sync/", "telewave/app"} {
		if !checked[must] {
			t.Errorf("no package under %s was checked: the rule table is out of date", must)
		}
	}
}

// under reports whether pkg is prefix itself or inside it; a prefix that
// ends in "/" (or a module like "fyne.io/") matches by plain prefix.
func under(pkg, prefix string) bool {
	if strings.HasSuffix(prefix, "/") {
		return strings.HasPrefix(pkg, prefix)
	}
	return pkg == prefix || strings.HasPrefix(pkg, prefix+"/")
}

func TestUnderMatchesWholePathElements(t *testing.T) {
	tests := []struct {
		pkg, prefix string
		want        bool
	}{
		{"telewave/app", "telewave/app", true},
		{"telewave/app/cli", "telewave/app", true},
		{"telewave/apple", "telewave/app", false},
		{"fyne.io/fyne/v2", "fyne.io/", true},
		{"telewave/sync/fhir", "telewave/sync/", true},
	}
	for _, tc := range tests {
		if got := under(tc.pkg, tc.prefix); got != tc.want {
			t.Errorf("under(%q, %q) = %v", tc.pkg, tc.prefix, got)
		}
	}
}
