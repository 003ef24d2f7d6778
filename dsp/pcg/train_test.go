package pcg

import (
	"bytes"
	"flag"
	"fmt"
	"go/format"
	"math"
	"os"
	"sort"
	"strconv"
	"testing"
)

var update = flag.Bool("update", false, "retrain the emission model on CirCor's training half and rewrite "+coefficientFile)

// coefficientFile is where the trained emission model is kept.
const coefficientFile = "coefficients.go"

// trainingSet is the annotated frames of some recordings: the features of
// each frame and its reference state (0 S1 … 3 diastole).
type trainingSet struct {
	x      [][numFeatures]float64
	y      []int
	nRecs  int
	labels [4]int
}

// addRecording appends the annotated frames of one recording.
func (ts *trainingSet) addRecording(rec recording) {
	f := extract(rec.samples, rec.rate)
	ref := append([]Interval(nil), rec.ref...)
	sort.SliceStable(ref, func(a, b int) bool { return ref[a].Start < ref[b].Start })
	for t := range f.frames() {
		c := float64(f.frameStart[t]+f.frameStart[t+1]) / 2 / float64(rec.rate)
		s := stateAt(ref, c)
		if s == Unannotated {
			continue
		}
		var o [numFeatures]float64
		for k := range o {
			o[k] = f.obs[k][t]
		}
		ts.x = append(ts.x, o)
		ts.y = append(ts.y, int(s)-1)
		ts.labels[int(s)-1]++
	}
	ts.nRecs++
}

// stateAt returns the state of the last interval of ref (sorted by start)
// that holds time c, or Unannotated.
func stateAt(ref []Interval, c float64) State {
	i := sort.Search(len(ref), func(i int) bool { return ref[i].Start > c })
	for i--; i >= 0; i-- {
		if ref[i].End > c {
			return ref[i].State
		}
		if ref[i].Start < c-5 { // intervals are short; stop looking
			break
		}
	}
	return Unannotated
}

// train fits one logistic regression per state (that state against the
// others) on the set, and the state priors.
func (ts *trainingSet) train() emissionModel {
	var m emissionModel
	for j := range 4 {
		y := make([]float64, len(ts.y))
		for i, s := range ts.y {
			if s == j {
				y[i] = 1
			}
		}
		m.weights[j] = fitLogistic(ts.x, y)
		m.prior[j] = float64(ts.labels[j]) / float64(len(ts.y))
	}
	return m
}

// fitLogistic fits P(y=1|x) = σ(w₀ + w·x) by Newton's method
// (iteratively reweighted least squares) with a small ridge that keeps
// the system solvable when two features coincide.
func fitLogistic(x [][numFeatures]float64, y []float64) [numFeatures + 1]float64 {
	const p = numFeatures + 1
	var w [p]float64
	row := func(i int) [p]float64 {
		var r [p]float64
		r[0] = 1
		copy(r[1:], x[i][:])
		return r
	}
	for range 50 {
		var h [p][p]float64
		var g [p]float64
		for i := range x {
			r := row(i)
			z := 0.0
			for k := range p {
				z += w[k] * r[k]
			}
			pi := 1 / (1 + math.Exp(-z))
			wt := math.Max(pi*(1-pi), 1e-9)
			for a := range p {
				g[a] += (y[i] - pi) * r[a]
				for b := range p {
					h[a][b] += wt * r[a] * r[b]
				}
			}
		}
		for a := range p {
			h[a][a] += 1e-6 * float64(len(x))
			g[a] -= 1e-6 * float64(len(x)) * w[a]
		}
		step := solve(h, g)
		change := 0.0
		for k := range p {
			w[k] += step[k]
			change = math.Max(change, math.Abs(step[k]))
		}
		if change < 1e-12 {
			break
		}
	}
	return w
}

// solve returns a with h·a = g by Gaussian elimination with partial
// pivoting (h is symmetric positive definite here).
func solve(h [numFeatures + 1][numFeatures + 1]float64, g [numFeatures + 1]float64) [numFeatures + 1]float64 {
	const n = numFeatures + 1
	for c := range n {
		piv := c
		for r := c + 1; r < n; r++ {
			if math.Abs(h[r][c]) > math.Abs(h[piv][c]) {
				piv = r
			}
		}
		h[c], h[piv] = h[piv], h[c]
		g[c], g[piv] = g[piv], g[c]
		for r := c + 1; r < n; r++ {
			f := h[r][c] / h[c][c]
			for k := c; k < n; k++ {
				h[r][k] -= f * h[c][k]
			}
			g[r] -= f * g[c]
		}
	}
	var a [n]float64
	for c := n - 1; c >= 0; c-- {
		s := g[c]
		for k := c + 1; k < n; k++ {
			s -= h[c][k] * a[k]
		}
		a[c] = s / h[c][c]
	}
	return a
}

// trainOn trains the emission model on the named recordings of dir.
func trainOn(tb testing.TB, dir string, names []string) (emissionModel, *trainingSet) {
	tb.Helper()
	var ts trainingSet
	for _, n := range names {
		ts.addRecording(loadRecording(tb, dir, n))
	}
	if len(ts.y) == 0 {
		tb.Fatalf("no annotated frames in %d recordings", len(names))
	}
	return ts.train(), &ts
}

// TestTrainedEmissions retrains the emission model on the training half of
// CirCor and checks that the committed coefficients are what training
// gives; with -update it rewrites them instead (go generate does that).
func TestTrainedEmissions(t *testing.T) {
	dir := sharedData(t, "heart-sounds/circor")
	_, train := SplitHalves(circorNames(t, dir))
	m, ts := trainOn(t, dir, train)
	if *update {
		src := coefficientSource(m, ts, len(patientsOf(train)))
		if err := os.WriteFile(coefficientFile, src, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s from %d recordings, %d frames", coefficientFile, ts.nRecs, len(ts.y))
		return
	}
	close := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6*(1+math.Abs(b)) }
	for j := range 4 {
		if !close(m.prior[j], trainedEmissions.prior[j]) {
			t.Errorf("state %d prior: retrained %v, committed %v", j, m.prior[j], trainedEmissions.prior[j])
		}
		for k := range m.weights[j] {
			if !close(m.weights[j][k], trainedEmissions.weights[j][k]) {
				t.Errorf("state %d weight %d: retrained %v, committed %v (go generate ./dsp/pcg rewrites them)",
					j, k, m.weights[j][k], trainedEmissions.weights[j][k])
			}
		}
	}
}

func patientsOf(names []string) map[string]bool {
	p := map[string]bool{}
	for _, n := range names {
		p[patientOf(n)] = true
	}
	return p
}

// coefficientSource renders the model as the Go file that holds it.
func coefficientSource(m emissionModel, ts *trainingSet, patients int) []byte {
	var b bytes.Buffer
	g := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	fmt.Fprintf(&b, "// Code generated by TestTrainedEmissions -update (go generate); DO NOT EDIT.\n\n")
	fmt.Fprintf(&b, "package pcg\n\n")
	fmt.Fprintf(&b, "// trainedEmissions was fitted on the training half of the CirCor subset\n")
	fmt.Fprintf(&b, "// (SplitHalves): %d recordings of %d patients, %d annotated frames\n", ts.nRecs, patients, len(ts.y))
	fmt.Fprintf(&b, "// (S1 %d, systole %d, S2 %d, diastole %d).\n", ts.labels[0], ts.labels[1], ts.labels[2], ts.labels[3])
	fmt.Fprintf(&b, "var trainedEmissions = emissionModel{\n\t// bias")
	for _, n := range featureNames {
		fmt.Fprintf(&b, ", %s", n)
	}
	fmt.Fprintf(&b, "\n\tweights: [4][numFeatures + 1]float64{\n")
	for j, w := range m.weights {
		fmt.Fprintf(&b, "\t\t{")
		for k, v := range w {
			if k > 0 {
				b.WriteString(", ")
			}
			b.WriteString(g(v))
		}
		fmt.Fprintf(&b, "}, // %s\n", State(j+1))
	}
	fmt.Fprintf(&b, "\t},\n\tprior: [4]float64{%s, %s, %s, %s},\n}\n", g(m.prior[0]), g(m.prior[1]), g(m.prior[2]), g(m.prior[3]))
	src, err := format.Source(b.Bytes())
	if err != nil {
		panic(fmt.Sprintf("generated source: %v\n%s", err, b.Bytes()))
	}
	return src
}
