package pcg

import (
	"math"
	"slices"

	"telewave/dsp/filter"
)

// FeatureRate is the rate of the envelope features and of the decoded
// states, in frames per second: 20 ms steps.
const FeatureRate = 50

// features holds the envelopes of one recording at FeatureRate.
type features struct {
	homomorphic []float64 // exp of the low-passed log Hilbert envelope
	hilbert     []float64 // Hilbert envelope, frame means
	// logHomomorphic is the low-passed log envelope itself: artefacts
	// that dwarf the heart sounds weigh less in it.
	logHomomorphic []float64
	// frameStart[i] is the first input sample of frame i; frameStart[n]
	// is the input length.
	frameStart []int
}

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

// bandPass filters x to 25–400 Hz without delay (forward and backward).
// Above 400 Hz heart sounds hold little; below 25 Hz lie movement and
// breathing.
func bandPass(x []float64, rate float64) []float64 {
	secs := butterworth4(25, rate, true)
	if hi := math.Min(400, 0.45*rate); hi > 50 {
		secs = append(secs, butterworth4(hi, rate, false)...)
	}
	out := make([]float64, len(x))
	filter.NewCascade(secs...).ZeroPhase(x, out)
	return out
}

// removeSpikes silences friction spikes as Schmidt et al. (2010) describe:
// in 500 ms windows, while some window's largest absolute value exceeds
// three times the median of those maxima, the loudest spike is zeroed from
// the zero crossing before it to the one after it.
func removeSpikes(x []float64, rate int) {
	win := rate / 2
	if win < 1 || len(x) < 2*win {
		return
	}
	nw := len(x) / win
	maxima := make([]float64, nw)
	peakOf := func(w int) (float64, int) {
		best, at := 0.0, w*win
		for i := w * win; i < (w+1)*win; i++ {
			if a := math.Abs(x[i]); a > best {
				best, at = a, i
			}
		}
		return best, at
	}
	for w := range nw {
		maxima[w], _ = peakOf(w)
	}
	for range nw { // each pass clears one spike; bounded
		sorted := slices.Clone(maxima)
		slices.Sort(sorted)
		med := sorted[nw/2]
		w := 0
		for k := range maxima {
			if maxima[k] > maxima[w] {
				w = k
			}
		}
		if maxima[w] <= 3*med || med == 0 {
			return
		}
		_, at := peakOf(w)
		lo, hi := at, at
		for lo > w*win && x[lo-1]*x[at] > 0 {
			lo--
		}
		for hi < (w+1)*win-1 && x[hi+1]*x[at] > 0 {
			hi++
		}
		clear(x[lo : hi+1])
		maxima[w], _ = peakOf(w)
	}
}

// extract computes the features of a recording at rate Hz.
func extract(samples []float32, rate int) features {
	x := make([]float64, len(samples))
	for i, v := range samples {
		x[i] = float64(v)
	}
	x = bandPass(x, float64(rate))
	removeSpikes(x, rate)
	hil := analyticMagnitude(x)

	// Homomorphic envelope: the log turns the sound's amplitude
	// modulation into an additive term that an 8 Hz low-pass keeps.
	logEnv := make([]float64, len(hil))
	floor := 1e-6 * (maxOf(hil) + 1e-30)
	for i, v := range hil {
		logEnv[i] = math.Log(v + floor)
	}
	smooth := make([]float64, len(logEnv))
	filter.NewCascade(filter.LowPass(8, float64(rate), 1/math.Sqrt2)).ZeroPhase(logEnv, smooth)
	n := len(samples) * FeatureRate / rate
	f := features{frameStart: make([]int, n+1)}
	for i := range f.frameStart {
		f.frameStart[i] = int(int64(i) * int64(rate) / FeatureRate)
	}
	f.logHomomorphic = frameMeans(smooth, f.frameStart)
	for i, v := range smooth {
		smooth[i] = math.Exp(v)
	}

	f.homomorphic = frameMeans(smooth, f.frameStart)
	f.hilbert = frameMeans(hil, f.frameStart)
	standardise(f.homomorphic)
	standardise(f.hilbert)
	standardise(f.logHomomorphic)
	return f
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
