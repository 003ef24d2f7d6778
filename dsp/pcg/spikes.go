package pcg

import (
	"math"
	"slices"
)

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
