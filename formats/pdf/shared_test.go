package pdf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"telewave/formats/carts"
)

// Every real cart file in ../shared/data/ecg12 prints: a parseable
// one-page PDF with all twelve leads labelled and none "not recorded"
// unless the file lacks it (the Contec file without chest leads).
func TestSharedCartFilesPrint(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "ecg12")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("SKIPPED LOUDLY: %s not found (the shared corpus is not beside the repository); real cart files were not printed", dir)
	}
	n := 0
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		switch filepath.Ext(p) {
		case ".hea", ".dat", ".xyz", ".ecgpuwave", ".md", ".txt":
			return nil
		}
		rec, _, err := carts.ReadFile(p)
		if err != nil {
			return nil // formats/carts' own test reports unreadable files
		}
		var b bytes.Buffer
		if err := WriteECG12(&b, rec, Options{}); err != nil {
			t.Errorf("%s: %v", filepath.Base(p), err)
			return nil
		}
		objs, _ := pdfObjects(t, b.Bytes())
		var c []byte
		for _, o := range objs {
			if bytes.HasPrefix(o, []byte("<< /Length")) {
				c = streamData(t, o)
			}
		}
		missing := bytes.Count(c, []byte(" not recorded)"))
		want := 0
		for _, l := range []string{"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"} {
			if _, ok := rec.Lead(l); !ok {
				want++
			}
		}
		if _, ok := rec.Lead("II"); !ok {
			want++ // the rhythm strip too
		}
		if missing != want {
			t.Errorf("%s: %d leads printed as not recorded, the record lacks %d", filepath.Base(p), missing, want)
		}
		n++
		t.Logf("%-45s %6d bytes, %d not recorded", filepath.Base(p), b.Len(), missing)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatalf("no cart file in %s printed", dir)
	}
}
