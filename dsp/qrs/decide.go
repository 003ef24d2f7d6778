package qrs

import "math"

// detect runs after each frame: it finds local maxima of the feature,
// resolves those that are the largest within ± dom, and classifies them.
func (d *Detector) detect(out []Beat) []Beat {
	n := d.n - 1 // newest frame
	if n < 2 {
		return out
	}
	f0, f1, f2 := d.feat[n&d.mask], d.feat[(n-1)&d.mask], d.feat[(n-2)&d.mask]
	if !d.learned {
		if n >= d.learnEnd {
			d.finishLearning()
		}
		return out
	}
	if f1 > f2 && f1 >= f0 {
		d.peaks = append(d.peaks, localMax{peak: peak{at: n - 1, f: f1}})
	}
	out = d.resolve(n, out)
	if d.haveLast && n-max(d.last.at, d.sbMark) > d.searchBackAfter()+d.domLen {
		d.sbMark = n
		out = d.searchBack(out)
	}
	return out
}

// finishLearning sets each lead's weight so that its largest integrated
// energy in the learning period is 1, and the levels from the sum.
func (d *Detector) finishLearning() {
	d.learned = true
	for li := range d.leads {
		l := &d.leads[li]
		if m := l.learnMax; m > 0 {
			l.weight = 1 / l.learnMax
		}
	}
	d.spk = 0.5 * float64(len(d.leads))
	d.npk = 0.05 * d.spk
	// Rebuild the combined feature history with the new weights.
	for i := range d.feat {
		d.feat[i] = 0
	}
}

func (d *Detector) resolve(n int64, out []Beat) []Beat {
	// Resolve peaks whose dominance window has passed.
	for i := range d.peaks {
		p := &d.peaks[i]
		if p.resolved || n-p.at < d.domLen {
			continue
		}
		p.resolved = true
		dominant := true
		for _, q := range d.peaks {
			if q.at != p.at && q.at >= p.at-d.domLen && q.at <= p.at+d.domLen && (q.f > p.f || (q.f == p.f && q.at < p.at)) {
				dominant = false
				break
			}
		}
		if dominant {
			out = d.classify(p.peak, out)
		}
	}
	// Drop peaks that can no longer matter.
	k := 0
	for _, p := range d.peaks {
		if !p.resolved || p.at >= n-2*d.domLen {
			d.peaks[k] = p
			k++
		}
	}
	d.peaks = d.peaks[:k]
	return out
}

func (d *Detector) threshold() float64 {
	return max(d.p.k1*d.spk, min(d.p.kn*d.npk, 0.5*d.spk))
}

func (d *Detector) classify(p peak, out []Beat) []Beat {
	if d.haveLast && p.at-max(d.last.at, d.sbMark) > d.searchBackAfter() && len(d.pending) > 0 {
		out = d.searchBack(out)
	}
	p.slope = d.maxSlope(p.at)
	th := d.threshold()
	if d.oneLeadOnly(p.at) {
		return out
	}
	if p.f >= th && d.allowed(p) {
		return d.accept(p, false, out)
	}
	d.npk = 0.125*p.f + 0.875*d.npk
	for li := range d.leads {
		l := &d.leads[li]
		l.noise = 0.125*l.weight*d.leadMWI(li, p.at) + 0.875*l.noise
	}
	if p.f >= d.p.sbRatio*th {
		d.pending = append(d.pending, p)
	}
	return out
}

// oneLeadOnly reports whether the peak is nearly absent from some lead:
// every lead shows a real QRS complex, so a peak that one lead lacks is
// an artifact in another.
func (d *Detector) oneLeadOnly(at int64) bool {
	if len(d.leads) < 2 {
		return false
	}
	for li := range d.leads {
		if d.leads[li].q.state == Good && d.leads[li].weight*d.leadMWI(li, at) < d.p.absent {
			return true
		}
	}
	return false
}

// allowed applies the refractory period and the T-wave test.
func (d *Detector) allowed(p peak) bool {
	if !d.haveLast {
		return true
	}
	gap := p.at - d.last.at
	if gap < d.refr {
		return false
	}
	if gap < d.twave && p.slope < d.p.tslope*d.last.slope {
		return false
	}
	return true
}

func (d *Detector) searchBackAfter() int64 { return d.sbAfter }

func (d *Detector) setSearchBackAfter() {
	d.sbAfter = int64(1.5 * d.rate)
	if len(d.rr) > 0 {
		d.sbAfter = min(int64(d.p.sbRR*median(d.rr)), int64(d.p.sbMax*d.rate))
	}
}

// searchBack accepts the largest pending candidate above the lower
// threshold, if any.
func (d *Detector) searchBack(out []Beat) []Beat {
	th := d.p.sbRatio * d.threshold()
	minSlope := 0.0
	if len(d.slopes) > 0 {
		s := d.p.sbSlope
		minSlope = s * s * quantile(d.slopes, 0.25)
	}
	best := -1
	for i, c := range d.pending {
		if c.f >= th && c.slope >= minSlope && d.allowed(c) && (best < 0 || c.f > d.pending[best].f) {
			best = i
		}
	}
	if best < 0 {
		// Nothing to take back: the signal level is stale (the beats got
		// smaller, or one artifact inflated it), so lower it.
		d.pending = d.pending[:0]
		if float64(d.n-d.last.at) < d.p.decayAfter*d.rate {
			return out
		}
		for i := range d.sig {
			d.sig[i] *= d.p.decay
		}
		d.spk = quantile(d.sig, d.p.sigQ)
		return out
	}
	c := d.pending[best]
	rest := append([]peak(nil), d.pending[best+1:]...)
	d.pending = d.pending[:0]
	out = d.accept(c, true, out)
	d.pending = append(d.pending, rest...)
	return out
}

func (d *Detector) accept(p peak, sb bool, out []Beat) []Beat {
	d.sig = append(d.sig, p.f)
	if len(d.sig) > 8 {
		d.sig = d.sig[1:]
	}
	d.spk = quantile(d.sig, d.p.sigQ)
	d.slopes = append(d.slopes, p.slope)
	if len(d.slopes) > 8 {
		d.slopes = d.slopes[1:]
	}
	if d.haveLast {
		d.rr = append(d.rr, float64(p.at-d.last.at))
		if len(d.rr) > 8 {
			d.rr = d.rr[1:]
		}
	}
	d.setSearchBackAfter()
	d.last, d.haveLast = p, true
	d.pending = d.pending[:0]
	d.updateWeights(p.at)
	b := Beat{Sample: d.locate(p.at), Reported: d.n, SearchBack: sb}
	return append(out, b)
}

// maxSlope is the largest combined squared difference in the integration
// window ending at at.
func (d *Detector) maxSlope(at int64) float64 {
	m := 0.0
	for j := at - int64(d.mwiLen) + 1; j <= at; j++ {
		m = max(m, d.slope[j&d.mask])
	}
	return m
}

// updateWeights keeps each lead's median integrated energy at beats near 1.
func (d *Detector) updateWeights(at int64) {
	for li := range d.leads {
		l := &d.leads[li]
		s := d.leadMWI(li, at)
		if s <= 0 || l.q.state != Good {
			continue
		}
		l.amps = append(l.amps, s)
		if len(l.amps) > 8 {
			l.amps = l.amps[1:]
		}
		l.weight = 1 / median(l.amps)
	}
}

// locate returns the R peak of the beat whose feature peaks at at: the
// largest band-passed deflection in the lead that contributes most.
func (d *Detector) locate(at int64) int64 {
	var sw, se float64
	for j := at - d.locBack; j <= at; j++ {
		e := d.slope[j&d.mask]
		sw += float64(j-at) * e
		se += e
	}
	r := at
	if se > 0 {
		r = at + int64(math.Round(sw/se))
	}
	return max(0, r-d.delayN())
}

func (d *Detector) delayN() int64 { return int64(d.p.delay * d.rate) }

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// Flush ends the stream: it decides on the peaks still waiting for their
// dominance window, as if the signal stopped, and returns their beats.
func (d *Detector) Flush() []Beat {
	if !d.learned {
		return nil
	}
	n := d.n - 1 + d.domLen
	return d.resolve(n, nil)
}

// leadMWI is lead li's integrated energy over the window ending at at.
func (d *Detector) leadMWI(li int, at int64) float64 {
	l := &d.leads[li]
	s := 0.0
	for j := at - int64(d.mwiLen) + 1; j <= at; j++ {
		s += l.e[j&d.mask]
	}
	return s
}
