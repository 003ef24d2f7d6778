package sierra

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"telewave/formats/ecg12"
)

// readRhythm decodes parsedwaveforms into rec.Leads and rec.SampleRate.
func readRhythm(doc *document, rec *ecg12.Record) error {
	p := &doc.Waveforms.Parsed
	sig := &doc.Acquisition.Signal
	if enc := strings.TrimSpace(p.Encoding); enc != "" && !strings.EqualFold(enc, "Base64") {
		return fmt.Errorf("dataencoding %q is not Base64", enc)
	}
	method := strings.TrimSpace(p.Compression + p.CompressMethod)
	if !strings.EqualFold(method, "XLI") || strings.EqualFold(strings.TrimSpace(p.CompressFlag), "False") {
		return fmt.Errorf("compression %q (flag %q): only XLI is read", method, p.CompressFlag)
	}
	rate, err := positive("samplespersecond", p.Rate, sig.SamplingRate, 100000)
	if err != nil {
		return err
	}
	res, err := positive("resolution", p.Resolution, firstOf(sig.Resolution, sig.SignalResolution), 1e6)
	if err != nil {
		return err
	}
	labels, err := leadLabels(p, sig.ChannelsValid)
	if err != nil {
		return err
	}
	perLead := 0
	if d := strings.TrimSpace(p.DurationMS); d != "" {
		ms, err := strconv.ParseFloat(d, 64)
		n := math.Round(ms * rate / 1000)
		if err != nil || !(n > 0) || n*float64(len(labels)) > maxSamples {
			return fmt.Errorf("durationperchannel %q at %v samples/s", d, rate)
		}
		perLead = int(n)
	}
	raw, err := base64.StdEncoding.DecodeString(stripSpace(p.Data))
	if err != nil {
		return fmt.Errorf("Base64: %w", err)
	}
	samples, err := decodeXLI(raw, len(labels), perLead)
	if err != nil {
		return err
	}
	addBackLimbLeads(samples, labels)
	end := ecgEnd(samples)
	rec.SampleRate = rate
	rec.Leads = make([]ecg12.Lead, len(labels))
	for k, s := range samples {
		rec.Leads[k] = ecg12.Lead{Label: labels[k], Samples: s[:end:end], Scale: res}
	}
	return nil
}

// leadLabels lists the rhythm leads: 1.04 names them; 1.03 stores the
// standard twelve (leadset STD-12), then chunks the reader ignores.
func leadLabels(p *parsedWaveforms, channelsValid string) ([]string, error) {
	var labels []string
	for _, f := range strings.Fields(p.LeadLabels) {
		labels = append(labels, ecg12.NormalizeLabel(f))
	}
	n := len(labels)
	count := firstOf(p.NumberOfLeads, channelsValid)
	if count != "" {
		v, err := strconv.Atoi(count)
		if err != nil || v < 1 || v > 64 || (n > 0 && v != n) {
			return nil, fmt.Errorf("number of leads %q with %d labels", count, n)
		}
		n = v
	}
	if n == 0 {
		n = len(ecg12.StandardOrder)
	}
	for k := len(labels); k < n; k++ {
		if k < len(ecg12.StandardOrder) {
			labels = append(labels, ecg12.StandardOrder[k])
		} else {
			labels = append(labels, "Lead "+strconv.Itoa(k+1))
		}
	}
	return labels, nil
}

// addBackLimbLeads rebuilds III, aVR, aVL and aVF, which the cart stores as
// what remains after subtracting their values computed from I and II:
//
//	III = II − I − r,  aVR = −(I + II)/2 − r,  aVL = (I − III)/2 − r,  aVF = (II + III)/2 − r
//
// with halves truncated toward zero and aVL, aVF taken from the rebuilt
// III. The files decide this form: in the demo 1.04 ECG every rebuilt aVR,
// aVL and aVF sample lies within half a count of its exact Goldberger value,
// as in no other choice of signs and rounding (see TestLimbLeadConvention).
func addBackLimbLeads(s [][]int32, labels []string) {
	at := map[string]int{}
	for k, l := range labels {
		at[l] = k
	}
	idx := make([]int, 6)
	for k, l := range []string{"I", "II", "III", "aVR", "aVL", "aVF"} {
		i, ok := at[l]
		if !ok {
			return
		}
		idx[k] = i
	}
	I, II, III, aVR, aVL, aVF := s[idx[0]], s[idx[1]], s[idx[2]], s[idx[3]], s[idx[4]], s[idx[5]]
	for j := range I {
		III[j] = II[j] - I[j] - III[j]
		aVR[j] = -(I[j]+II[j])/2 - aVR[j]
		aVL[j] = (I[j]-III[j])/2 - aVL[j]
		aVF[j] = (II[j]+III[j])/2 - aVF[j]
	}
}

// ecgEnd is where the ECG proper ends. Carts fill the buffer after it with
// zeros and a calibration pulse (1 mV, 0.2 s) in which, once the limb leads
// are rebuilt, every lead reads the same. The tail cut is the run at the
// end over which all leads agree, and only when that run holds the pulse.
func ecgEnd(s [][]int32) int {
	n := len(s[0])
	if len(s) < 3 {
		return n
	}
	end, pulse := n, false
	for end > 0 {
		v := s[0][end-1]
		for _, l := range s[1:] {
			if l[end-1] != v {
				if !pulse || end == n {
					return n
				}
				return end
			}
		}
		pulse = pulse || v != 0
		end--
	}
	return n // every lead identical throughout: keep it as it is
}

// readMedian decodes repbeats into rec.Median: plain int16 LE, padded
// after the beat with 32767, which is cut.
func readMedian(doc *document, rec *ecg12.Record) error {
	rb := &doc.Waveforms.RepBeats
	if len(rb.Beats) == 0 {
		return nil
	}
	if enc := strings.TrimSpace(rb.Encoding); enc != "" && !strings.EqualFold(enc, "Base64") {
		return fmt.Errorf("dataencoding %q is not Base64", enc)
	}
	rate, err := positive("samplespersec", rb.Rate, "", 100000)
	if err != nil {
		return err
	}
	res, err := positive("resolution", rb.Resolution, "", 1e6)
	if err != nil {
		return err
	}
	leads := make([]ecg12.Lead, 0, len(rb.Beats))
	n := 0
	for _, b := range rb.Beats {
		text := b.Waveform
		if strings.TrimSpace(text) == "" {
			text = b.Data
		}
		raw, err := base64.StdEncoding.DecodeString(stripSpace(text))
		if err != nil {
			return fmt.Errorf("lead %q: Base64: %w", b.Lead, err)
		}
		if len(raw)%2 != 0 {
			return fmt.Errorf("lead %q: %d bytes is not whole int16 samples", b.Lead, len(raw))
		}
		s := make([]int32, len(raw)/2)
		valid := 0
		for i := range s {
			s[i] = int32(int16(binary.LittleEndian.Uint16(raw[2*i:])))
			if s[i] != math.MaxInt16 {
				valid = i + 1
			}
		}
		n = max(n, valid)
		leads = append(leads, ecg12.Lead{Label: ecg12.NormalizeLabel(b.Lead), Samples: s, Scale: res})
	}
	for k := range leads {
		if len(leads[k].Samples) < n {
			return fmt.Errorf("lead %q has %d samples, another %d", leads[k].Label, len(leads[k].Samples), n)
		}
		leads[k].Samples = leads[k].Samples[:n:n]
	}
	rec.Median, rec.MedianRate = leads, rate
	return nil
}

// positive parses the first non-empty of a and b as a number in (0, limit].
func positive(name, a, b string, limit float64) (float64, error) {
	s := firstOf(a, b)
	if s == "" {
		return 0, errors.New(name + " is missing")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || v > limit {
		return 0, fmt.Errorf("%s %q is not a number in (0, %v]", name, s, limit)
	}
	return v, nil
}

func firstOf(a, b string) string {
	if s := strings.TrimSpace(a); s != "" {
		return s
	}
	return strings.TrimSpace(b)
}

func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '\t', '\n', '\r':
			return -1
		}
		return r
	}, s)
}
