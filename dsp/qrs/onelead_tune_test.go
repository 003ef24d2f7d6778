//go:build tune

package qrs

// Lead 0 alone on MIT-BIH, for comparison: go test -tags tune -run OneLead ./dsp/qrs

import "testing"

func TestMITBIHOneLead(t *testing.T) {
	table, _ := evalMIT(t, defaults, 1)
	t.Logf("record TP FN FP Se +P\n%s", table)
}
