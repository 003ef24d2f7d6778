package app

import (
	"fmt"
	"io/fs"
	"strings"

	"telewave/devices/ads1298"
	"telewave/devices/sim"
	"telewave/formats/wfdb"
)

// LUDBSource plays the 12-lead WFDB record name (a LUDB record, or a PTB
// one) from fsys in a loop as the ADS1298 board's eight channels.
func LUDBSource(fsys fs.FS, name string) (sim.Source, error) {
	rec, err := wfdb.ReadFirstFile(fsys, name)
	if err != nil {
		return nil, fmt.Errorf("12-lead source: %w", err)
	}
	labels := make([]string, len(rec.Signals))
	for i, s := range rec.Signals {
		if u := strings.ToLower(s.Units); u == "mv" || u == "" {
			labels[i] = s.Description // a lead not in mV is not used
		}
	}
	src, err := ads1298.PlayLeads(rec.Source, labels)
	if err != nil {
		return nil, fmt.Errorf("12-lead source %s: %w", name, err)
	}
	return src, nil
}
