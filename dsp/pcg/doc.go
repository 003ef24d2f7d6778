// Package pcg segments a phonocardiogram (a heart-sound recording) into
// its four states — S1, systole, S2, diastole — and estimates the heart
// rate from it.
//
// The method is Springer, Tarassenko and Clifford's logistic-regression
// hidden semi-Markov model (IEEE TBME 2016), written from their
// description and not from their code: the recording is band-passed to
// 25–400 Hz, cleared of friction spikes, and reduced to four standardised
// envelopes at 50 Hz (homomorphic, Hilbert, a 60–125 Hz band standing in
// for their wavelet level, 40–60 Hz power), each also read one frame
// either side; the heart rate and the systolic interval come from the
// envelope's autocorrelation; the states are decoded by an
// explicit-duration Viterbi pass whose duration model follows from those
// two intervals and whose emissions come from per-state logistic
// regressions trained on the training half of the CirCor subset
// (coefficients.go, rewritten by go generate). Several heart-cycle
// hypotheses are decoded and the likeliest path is kept.
package pcg

// State is one of the four states of the cardiac cycle as heard, numbered
// as in the CirCor DigiScope .tsv files.
type State int

// The states, in the order they follow each other.
const (
	Unannotated State = iota // in a reference file: a stretch nobody marked
	S1                       // first heart sound: mitral and tricuspid closure
	Systole
	S2 // second heart sound: aortic and pulmonary closure
	Diastole
)

// String names the state.
func (s State) String() string {
	switch s {
	case S1:
		return "S1"
	case Systole:
		return "systole"
	case S2:
		return "S2"
	case Diastole:
		return "diastole"
	}
	return "unannotated"
}

// Interval is one stretch of a recording in one state, in seconds from its
// start.
type Interval struct {
	Start, End float64
	State      State
}

// Centre returns the middle of the interval in seconds.
func (iv Interval) Centre() float64 { return (iv.Start + iv.End) / 2 }
