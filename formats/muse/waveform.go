package muse

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"

	"telewave/formats/ecg12"
)

// unitScale is µV per unit of LeadAmplitudeUnits.
var unitScale = map[string]float64{"MICROVOLTS": 1, "MILLIVOLTS": 1000, "": 1}

// readWaveform reads a Waveform's rate (SampleBase × 10^SampleExponent)
// and its leads, taking their samples from budget.
func readWaveform(w *xWaveform, budget *int) (float64, []ecg12.Lead, error) {
	base, err := strconv.ParseFloat(strings.TrimSpace(w.SampleBase), 64)
	if err != nil || !(base > 0) || base > 1e6 {
		return 0, nil, fmt.Errorf("SampleBase %q: not a sampling rate", w.SampleBase)
	}
	exp := 0
	if s := strings.TrimSpace(w.SampleExponent); s != "" {
		if exp, err = strconv.Atoi(s); err != nil || exp < -3 || exp > 3 {
			return 0, nil, fmt.Errorf("SampleExponent %q: not an exponent within ±3", w.SampleExponent)
		}
	}
	rate := base * math.Pow10(exp)
	if len(w.Leads) == 0 {
		return 0, nil, errors.New("no LeadData")
	}
	leads := make([]ecg12.Lead, 0, len(w.Leads))
	for i := range w.Leads {
		l, err := readLead(&w.Leads[i], budget)
		if err != nil {
			return 0, nil, fmt.Errorf("LeadData %d (%s): %w", i+1, strings.TrimSpace(w.Leads[i].ID), err)
		}
		leads = append(leads, l)
	}
	return rate, leads, nil
}

func readLead(d *xLeadData, budget *int) (ecg12.Lead, error) {
	l := ecg12.Lead{Label: ecg12.NormalizeLabel(d.ID)}
	if l.Label == "" {
		return l, errors.New("LeadID empty")
	}
	upb, err := strconv.ParseFloat(strings.TrimSpace(d.UnitsPerBit), 64)
	if err != nil || !(upb > 0) || math.IsInf(upb, 0) {
		return l, fmt.Errorf("LeadAmplitudeUnitsPerBit %q: not a positive number", d.UnitsPerBit)
	}
	k, ok := unitScale[strings.ToUpper(strings.TrimSpace(d.Units))]
	if !ok {
		return l, fmt.Errorf("LeadAmplitudeUnits %q: not MICROVOLTS or MILLIVOLTS", d.Units)
	}
	l.Scale = upb * k
	raw, err := base64.StdEncoding.DecodeString(stripSpace(d.Data))
	if err != nil {
		return l, fmt.Errorf("WaveFormData: %w", err)
	}
	if len(raw) == 0 || len(raw)%2 != 0 {
		return l, fmt.Errorf("WaveFormData: %d bytes, want a positive even count", len(raw))
	}
	if err := checkCount(d.ByteCount, len(raw), "LeadByteCountTotal"); err != nil {
		return l, err
	}
	if err := checkCount(d.SampleCount, len(raw)/2, "LeadSampleCountTotal"); err != nil {
		return l, err
	}
	if s := strings.TrimSpace(d.CRC32); s != "" {
		want, err := strconv.ParseUint(s, 10, 32)
		if err != nil {
			return l, fmt.Errorf("LeadDataCRC32 %q: not a number", d.CRC32)
		}
		if got := crc32.ChecksumIEEE(raw); uint64(got) != want {
			return l, fmt.Errorf("WaveFormData CRC32 %d, LeadDataCRC32 says %d", got, want)
		}
	}
	n := len(raw) / 2
	if n > *budget {
		return l, fmt.Errorf("more than %d samples in the file", maxSamples)
	}
	*budget -= n
	l.Samples = make([]int32, n)
	for i := range l.Samples {
		l.Samples[i] = int32(int16(binary.LittleEndian.Uint16(raw[2*i:])))
	}
	return l, nil
}

// checkCount compares a count the file states, when it states one, with
// what the data holds.
func checkCount(field string, have int, name string) error {
	s := strings.TrimSpace(field)
	if s == "" {
		return nil
	}
	if n, err := strconv.Atoi(s); err != nil || n != have {
		return fmt.Errorf("%s %q, but WaveFormData holds %d", name, field, have)
	}
	return nil
}

// stripSpace drops the line breaks and indentation MUSE puts in Base64.
func stripSpace(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			return -1
		}
		return r
	}, s)
}
