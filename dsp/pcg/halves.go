package pcg

import (
	"slices"
	"strings"
)

// SplitHalves splits CirCor recording names (like "2530_AV") into the
// evaluation half and the tuning half by patient, so that no patient's
// heart is heard in both: patients (the part before '_') are sorted by
// name and dealt alternately, the first to the evaluation half. Every
// figure reported for this package comes from the evaluation half; the
// emission model is trained on the other (tuning, or training) half.
func SplitHalves(names []string) (eval, tune []string) {
	var patients []string
	for _, n := range names {
		patients = append(patients, patientOf(n))
	}
	slices.Sort(patients)
	patients = slices.Compact(patients)
	evalSet := map[string]bool{}
	for i, p := range patients {
		evalSet[p] = i%2 == 0
	}
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	for _, n := range sorted {
		if evalSet[patientOf(n)] {
			eval = append(eval, n)
		} else {
			tune = append(tune, n)
		}
	}
	return eval, tune
}

func patientOf(name string) string {
	if i := strings.IndexByte(name, '_'); i >= 0 {
		return name[:i]
	}
	return name
}
