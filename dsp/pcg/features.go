package pcg

import (
	"fmt"
	"math"

	"telewave/dsp/filter"
)

// FeatureRate is the rate of the envelope features and of the decoded
// states, in frames per second: 20 ms steps.
const FeatureRate = 50

// workRate is the rate the band-passed recording is decimated to before
// the envelopes are taken: nothing above 400 Hz is kept, so 1 kHz loses
// nothing and makes a 44.1 kHz input as cheap as CirCor's 4 kHz.
const workRate = 1000

// The envelope features of Springer et al. (2016), each standardised per
// recording, in the order the emission model's weights use them.
const (
	featHomomorphic = iota // exp of the 8 Hz low-passed log Hilbert envelope
	featHilbert            // Hilbert envelope
	featWavelet            // envelope of the 60–125 Hz band (their wavelet level)
	featPSD                // mean power 40–60 Hz in a 50 ms window
	numEnvelopes
)

// contextOffsets are the frame offsets at which every envelope is also
// read, so that the emission model sees the shape of the envelope around
// a frame (rising or falling) and not only its level.
var contextOffsets = [...]int{-1, 1}

// numFeatures counts the envelopes and their context copies.
const numFeatures = numEnvelopes * (1 + len(contextOffsets))

// featureNames name the features in the generated coefficient file.
var featureNames = func() (out [numFeatures]string) {
	base := [numEnvelopes]string{"homomorphic", "hilbert", "band 60-125 Hz", "PSD 40-60 Hz"}
	for k := range out {
		out[k] = base[k%numEnvelopes]
		if c := k / numEnvelopes; c > 0 {
			out[k] += fmt.Sprintf(" at %+d", contextOffsets[c-1])
		}
	}
	return out
}()

// features holds the envelopes of one recording at FeatureRate.
type features struct {
	// obs[k][t] is feature k in frame t, standardised.
	obs [numFeatures][]float64
	// logHomomorphic is the low-passed log envelope: artefacts that
	// dwarf the heart sounds weigh less in it, so the heart rate is read
	// from its autocorrelation.
	logHomomorphic []float64
	// frameStart[i] is the first input sample of frame i; frameStart[n]
	// is the input length.
	frameStart []int
}

// frames returns the number of frames.
func (f *features) frames() int { return len(f.frameStart) - 1 }

// butterworth4 returns the two sections of a 4th-order Butterworth
// high-pass (high) or low-pass at f Hz.
func butterworth4(f, fs float64, high bool) []filter.Biquad {
	var out []filter.Biquad
	for _, q := range []float64{0.5411961001461969, 1.3065629648763766} {
		if high {
			out = append(out, filter.HighPass(f, fs, q))
		} else {
			out = append(out, filter.LowPass(f, fs, q))
		}
	}
	return out
}

// zeroPhase filters x through the sections forward and backward.
func zeroPhase(x []float64, secs ...filter.Biquad) []float64 {
	out := make([]float64, len(x))
	filter.NewCascade(secs...).ZeroPhase(x, out)
	return out
}

// bandPass filters x to 25–400 Hz without delay (forward and backward).
// Above 400 Hz heart sounds hold little; below 25 Hz lie movement and
// breathing.
func bandPass(x []float64, rate float64) []float64 {
	secs := butterworth4(25, rate, true)
	if hi := math.Min(400, 0.45*rate); hi > 50 {
		secs = append(secs, butterworth4(hi, rate, false)...)
	}
	return zeroPhase(x, secs...)
}

// extract computes the features of a recording at rate Hz.
func extract(samples []float32, rate int) features {
	// Non-finite samples are silenced and the rest scaled to at most 1:
	// every feature is standardised, so the scale is free, and no power
	// can overflow.
	x := make([]float64, len(samples))
	peak := 0.0
	for i, v := range samples {
		if f := float64(v); !math.IsNaN(f) && !math.IsInf(f, 0) {
			x[i] = f
			peak = math.Max(peak, math.Abs(f))
		}
	}
	if peak > 0 {
		for i := range x {
			x[i] /= peak
		}
	}
	x = bandPass(x, float64(rate))
	// Decimate to about workRate; step is 1 below 2 kHz.
	step := max(1, rate/workRate)
	if step > 1 {
		for i := range (len(x) + step - 1) / step {
			x[i] = x[i*step]
		}
		x = x[:(len(x)+step-1)/step]
	}
	wr := float64(rate) / float64(step)
	removeSpikes(x, int(wr))

	n := len(samples) * FeatureRate / rate
	f := features{frameStart: make([]int, n+1)}
	for i := range f.frameStart {
		f.frameStart[i] = int(int64(i) * int64(rate) / FeatureRate)
	}
	// Frame bounds in the decimated signal.
	bounds := make([]int, n+1)
	for i, s := range f.frameStart {
		bounds[i] = min(len(x), (s+step-1)/step)
	}

	hil := analyticMagnitude(x)
	// Homomorphic envelope: the log turns the sound's amplitude
	// modulation into an additive term that an 8 Hz low-pass keeps.
	logEnv := make([]float64, len(hil))
	floor := 1e-6 * (maxOf(hil) + 1e-30)
	for i, v := range hil {
		logEnv[i] = math.Log(v + floor)
	}
	smooth := zeroPhase(logEnv, filter.LowPass(8, wr, 1/math.Sqrt2))
	f.logHomomorphic = frameMeans(smooth, bounds)
	for i, v := range smooth {
		smooth[i] = math.Exp(v)
	}
	f.obs[featHomomorphic] = frameMeans(smooth, bounds)
	f.obs[featHilbert] = frameMeans(hil, bounds)
	f.obs[featWavelet] = bandEnvelope(x, wr, 60, 125, bounds)
	f.obs[featPSD] = bandPower(x, wr, 40, 60, bounds)
	for k := range numEnvelopes {
		standardise(f.obs[k])
	}
	for c, off := range contextOffsets {
		for k := range numEnvelopes {
			f.obs[(c+1)*numEnvelopes+k] = shifted(f.obs[k], off)
		}
	}
	standardise(f.logHomomorphic)
	return f
}

// shifted returns x read off frames later, the ends held.
func shifted(x []float64, off int) []float64 {
	out := make([]float64, len(x))
	for i := range out {
		out[i] = x[min(max(i+off, 0), len(x)-1)]
	}
	return out
}

// bandEnvelope is the frame mean of the magnitude of x band-passed to
// lo–hi Hz: where Springer et al. took the detail coefficients of a
// level-3 wavelet transform at 1 kHz, which cover the same octave.
func bandEnvelope(x []float64, rate, lo, hi float64, bounds []int) []float64 {
	if hi >= 0.45*rate {
		hi = 0.45 * rate
	}
	b := zeroPhase(x, append(butterworth4(lo, rate, true), butterworth4(hi, rate, false)...)...)
	for i, v := range b {
		b[i] = math.Abs(v)
	}
	return frameMeans(b, bounds)
}

// bandPower is the mean spectral power between lo and hi Hz (5 Hz steps)
// of a 50 ms Hann window centred on each frame.
func bandPower(x []float64, rate, lo, hi float64, bounds []int) []float64 {
	half := int(0.025 * rate)
	win := make([]float64, 2*half+1)
	for i := range win {
		win[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i+1)/float64(len(win)+1))
	}
	var rot []complex128 // one step of each analysed frequency
	for f := lo; f <= hi+1e-9; f += 5 {
		w := 2 * math.Pi * f / rate
		rot = append(rot, complex(math.Cos(w), -math.Sin(w)))
	}
	out := make([]float64, len(bounds)-1)
	for t := range out {
		c := (bounds[t] + bounds[t+1]) / 2
		p := 0.0
		for _, r := range rot {
			var acc complex128
			ph := complex(1, 0)
			for i, w := range win {
				if j := c - half + i; j >= 0 && j < len(x) {
					acc += complex(w*x[j], 0) * ph
				}
				ph *= r
			}
			p += real(acc)*real(acc) + imag(acc)*imag(acc)
		}
		out[t] = p / float64(len(rot))
	}
	return out
}

func maxOf(x []float64) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	return m
}

// frameMeans averages x over the frames whose bounds are given.
func frameMeans(x []float64, bounds []int) []float64 {
	out := make([]float64, len(bounds)-1)
	for i := range out {
		a, b := bounds[i], bounds[i+1]
		s := 0.0
		for _, v := range x[a:b] {
			s += v
		}
		out[i] = s / float64(max(1, b-a))
	}
	return out
}

// standardise rescales x to zero mean and unit standard deviation.
func standardise(x []float64) {
	if len(x) == 0 {
		return
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	sd := 0.0
	for _, v := range x {
		sd += (v - mean) * (v - mean)
	}
	sd = math.Sqrt(sd / float64(len(x)))
	if sd == 0 {
		sd = 1
	}
	for i := range x {
		x[i] = (x[i] - mean) / sd
	}
}
