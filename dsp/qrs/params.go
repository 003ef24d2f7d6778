package qrs

// params are the detector's constants. They are the same for every record
// and every patient: nothing here is tuned per recording.
type params struct {
	hpHz, lpHz float64 // band-pass corners (two second-order sections each)
	mwi        float64 // moving-window integration length, s
	dom        float64 // a candidate must be the largest peak within ± this, s
	refractory float64 // no beat closer than this to the last, s
	twave      float64 // a candidate this close to the last beat must have steep slopes, s
	tslope     float64 // ... at least this fraction of the last beat's slope
	k1         float64 // see kn
	sbRatio    float64 // search-back threshold, as a fraction of the threshold
	sbRR       float64 // search back after this many median RR intervals without a beat
	locBack    float64 // R-peak search span before the feature peak, s
	delay      float64 // band-pass group delay subtracted from the located peak, s
	learn      float64 // learning period at the start, s
	decay      float64 // signal level factor after a search-back that found nothing
	sigQ       float64 // signal level: this quantile of F at the last 8 beats
	sqrt       bool    // detect on the square root of the integrated energy
	sbSlope    float64 // a search-back candidate's slope must reach this fraction of the beats' (lower quartile)
	decayAfter float64 // lower the signal level only after this long without a beat, s
	absent     float64 // a peak whose normalized energy in some lead is below this is an artifact
	kn         float64 // threshold = max(k1 × signal, min(kn × noise, signal/2))
	sbMax      float64 // search back after at most this long without a beat, s
}

var defaults = params{
	hpHz: 4, lpHz: 20,
	mwi:        0.150,
	dom:        0.2,
	refractory: 0.2,
	twave:      0.36,
	tslope:     0.5,
	k1:         0.3,
	sbRatio:    0.5,
	sbRR:       1.66,
	locBack:    0.2,
	delay:      0.040,
	learn:      2,
	decay:      0.5,
	sigQ:       0.5,
	sqrt:       true,
	sbSlope:    0.3,
	decayAfter: 2.5,
	absent:     0.04,
	kn:         1,
	sbMax:      3,
}
