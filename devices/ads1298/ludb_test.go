package ads1298

import (
	"io/fs"
	"strings"

	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// LUDBSource plays a 12-lead WFDB record as the board's channels, the way
// the app's LUDBSource does (the devices layer itself reads no files).
func LUDBSource(fsys fs.FS, name string) (sim.Source, error) {
	rec, err := wfdb.ReadFirstFile(fsys, name)
	if err != nil {
		return nil, err
	}
	labels := make([]string, len(rec.Signals))
	for i, s := range rec.Signals {
		if u := strings.ToLower(s.Units); u == "mv" || u == "" {
			labels[i] = s.Description
		}
	}
	return PlayLeads(rec.Source, labels)
}
