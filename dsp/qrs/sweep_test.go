//go:build tune

package qrs

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

func (p *params) fields() map[string]*float64 {
	return map[string]*float64{"hp": &p.hpHz, "lp": &p.lpHz, "mwi": &p.mwi, "dom": &p.dom, "refr": &p.refractory,
		"twave": &p.twave, "tslope": &p.tslope, "k1": &p.k1, "sbRatio": &p.sbRatio, "sbRR": &p.sbRR,
		"locBack": &p.locBack, "delay": &p.delay, "decay": &p.decay, "sigQ": &p.sigQ, "sbSlope": &p.sbSlope,
		"decayAfter": &p.decayAfter, "absent": &p.absent, "kn": &p.kn, "sbMax": &p.sbMax}
}

// A development tool, built only with -tags tune:
// QRS_SWEEP="k1=0.2,0.25;absent=0.01,0.02" scores each combination.
func TestSweep(t *testing.T) {
	spec := os.Getenv("QRS_SWEEP")
	if spec == "" {
		t.Fatal(`set QRS_SWEEP, e.g. QRS_SWEEP="k1=0.2,0.25;absent=0.01,0.02"`)
	}
	combos := []params{defaults}
	names := []string{""}
	for _, part := range strings.Split(spec, ";") {
		k, vs, _ := strings.Cut(part, "=")
		var next []params
		var nn []string
		for i, c := range combos {
			for _, v := range strings.Split(vs, ",") {
				f, _ := strconv.ParseFloat(v, 64)
				c2 := c
				*c2.fields()[k] = f
				next = append(next, c2)
				nn = append(nn, names[i]+fmt.Sprintf(" %s=%s", k, v))
			}
		}
		combos, names = next, nn
	}
	for i, c := range combos {
		table, g := evalMIT(t, c, 2)
		if os.Getenv("QRS_TABLE") != "" {
			fmt.Print(table)
		}
		fmt.Printf("%-40s FN %4d FP %4d  Se %.3f PP %.3f\n", names[i], g.FN, g.FP, 100*g.Se, 100*g.PP)
	}
}
