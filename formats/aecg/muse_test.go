package aecg

import (
	"os"
	"testing"

	"telewave/formats/muse"
)

// A MUSE export written as aECG and read back is the MUSE record, derived
// flags aside: 4.88 µV steps, the derived limb leads, the median and the
// measurements all survive.
func TestMuseToAECG(t *testing.T) {
	files := []struct {
		name string
		path func(t *testing.T) string
	}{
		{"synthetic", func(*testing.T) string { return "../muse/testdata/synthetic.xml" }},
		{"muse-sinus", func(t *testing.T) string { return sharedData(t, "ecg12/ge-muse/EGM_muse-sinus.xml") }},
	}
	for _, f := range files {
		t.Run(f.name, func(t *testing.T) {
			data, err := os.ReadFile(f.path(t))
			if err != nil {
				t.Fatal(err)
			}
			src, err := muse.Decode(data)
			if err != nil {
				t.Fatal(err)
			}
			out, err := Encode(src)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Decode(out)
			if err != nil {
				t.Fatal(err)
			}
			want := *src
			want.Format = FormatName
			equalRecords(t, got, &want)
		})
	}
}
