package dicomecg

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"

	"telewave/formats/ecg12"
)

const (
	maxSamples  = 64 << 20 // samples in one multiplex group, all channels
	maxChannels = 1024
)

// multiplex is one Waveform Sequence item's header.
type multiplex struct {
	index       int // 1-based, as the annotations count them
	item        *dataset
	originality string
	label       string
	channels    int
	samples     int
	rate        float64
}

func (v values) multiplexes(ds *dataset) ([]multiplex, error) {
	items := ds.items(tagWaveformSeq)
	if len(items) == 0 {
		return nil, formatErr("no Waveform Sequence %s", tagWaveformSeq)
	}
	var out []multiplex
	for i, it := range items {
		m := multiplex{index: i + 1, item: it,
			originality: strings.ToUpper(v.text(it, tagOriginality)),
			label:       strings.ToUpper(v.text(it, tagMultiplexGroupLabel))}
		c, ok, err := v.uint(it, tagNumChannels)
		if err == nil && (!ok || c == 0 || c > maxChannels) {
			err = formatErr("Number of Waveform Channels %s is %d (absent or out of 1…%d)", tagNumChannels, c, maxChannels)
		}
		if err != nil {
			return nil, fmt.Errorf("waveform group %d: %w", m.index, err)
		}
		n, ok, err := v.uint(it, tagNumSamples)
		if err == nil && (!ok || n == 0) {
			err = formatErr("Number of Waveform Samples %s absent or 0", tagNumSamples)
		}
		if err != nil {
			return nil, fmt.Errorf("waveform group %d: %w", m.index, err)
		}
		if uint64(n)*uint64(c) > maxSamples {
			return nil, fmt.Errorf("waveform group %d: %w", m.index, formatErr("%d channels × %d samples is more than %d", c, n, maxSamples))
		}
		f, ok, err := v.float(it, tagSamplingFrequency)
		if err == nil && (!ok || !(f > 0) || f > 1e6) {
			err = formatErr("Sampling Frequency %s is %v (absent or out of range)", tagSamplingFrequency, f)
		}
		if err != nil {
			return nil, fmt.Errorf("waveform group %d: %w", m.index, err)
		}
		m.channels, m.samples, m.rate = int(c), int(n), f
		out = append(out, m)
	}
	return out, nil
}

// pickRhythm chooses the group that becomes Record.Leads: the one labelled
// RHYTHM, else the first ORIGINAL group of at least 8 channels, else the
// first ORIGINAL group, else the first.
func pickRhythm(groups []multiplex) int {
	for i, g := range groups {
		if strings.Contains(g.label, "RHYTHM") {
			return i
		}
	}
	for i, g := range groups {
		if g.originality == "ORIGINAL" && g.channels >= 8 {
			return i
		}
	}
	for i, g := range groups {
		if g.originality == "ORIGINAL" {
			return i
		}
	}
	return 0
}

// pickMedian chooses the median-beat group, -1 when there is none.
func pickMedian(groups []multiplex, rhythm int) int {
	for i, g := range groups {
		if i != rhythm && (strings.Contains(g.label, "MEDIAN") || strings.Contains(g.label, "REPRESENTATIVE")) {
			return i
		}
	}
	return -1
}

// leads decodes the channels of group g.
func (v values) leads(g multiplex) ([]ecg12.Lead, error) {
	bits, ok, err := v.uint(g.item, tagBitsAllocated)
	if err != nil {
		return nil, err
	}
	interp := strings.ToUpper(v.text(g.item, tagSampleInterpretation))
	width := int(bits) / 8
	switch {
	case !ok:
		return nil, formatErr("no Waveform Bits Allocated %s", tagBitsAllocated)
	case bits == 16 && (interp == "SS" || interp == "US"),
		bits == 8 && (interp == "SB" || interp == "UB"),
		bits == 32 && interp == "SL":
	default:
		return nil, fmt.Errorf("%w: %w: %d-bit samples of interpretation %q (read: 16-bit SS/US, 8-bit SB/UB, 32-bit SL)", ecg12.ErrFormat, ErrUnsupported, bits, interp)
	}
	data := g.item.find(tagWaveformData)
	if data == nil {
		return nil, formatErr("no Waveform Data %s", tagWaveformData)
	}
	need := g.channels * g.samples * width
	if len(data.value) < need {
		return nil, formatErr("Waveform Data %s at offset %d has %d bytes, %d channels × %d samples × %d bytes need %d",
			tagWaveformData, data.offset, len(data.value), g.channels, g.samples, width, need)
	}
	defs := g.item.items(tagChannelDefSeq)
	if len(defs) != g.channels {
		return nil, formatErr("Channel Definition Sequence %s has %d items for %d channels", tagChannelDefSeq, len(defs), g.channels)
	}
	leads := make([]ecg12.Lead, g.channels)
	for ch, def := range defs {
		l, err := v.channel(def, ch)
		if err != nil {
			return nil, fmt.Errorf("channel %d: %w", ch+1, err)
		}
		leads[ch] = l
		leads[ch].Samples = make([]int32, g.samples)
	}
	raw := data.value
	for k := range g.samples {
		for ch := range g.channels {
			o := (k*g.channels + ch) * width
			var c int32
			switch interp {
			case "SS":
				c = int32(int16(binary.LittleEndian.Uint16(raw[o:])))
			case "US":
				c = int32(binary.LittleEndian.Uint16(raw[o:]))
			case "SB":
				c = int32(int8(raw[o]))
			case "UB":
				c = int32(raw[o])
			case "SL":
				c = int32(binary.LittleEndian.Uint32(raw[o:]))
			}
			leads[ch].Samples[k] = c
		}
	}
	return leads, nil
}

// unitMicrovolts is how many µV one unit of a Channel Sensitivity Units
// code is.
var unitMicrovolts = map[string]float64{"uV": 1, "mV": 1e3, "V": 1e6, "nV": 1e-3}

// channel reads one Channel Definition item: label, scale and baseline.
// Its samples mean value = count × sensitivity × correction + baseline (in
// the sensitivity units), so ecg12's Baseline (counts of 0 µV) is
// −baseline / (sensitivity × correction), rounded.
func (v values) channel(def *dataset, ch int) (ecg12.Lead, error) {
	src := v.code(def.first(tagChannelSourceSeq))
	label := ""
	if src != (code{}) {
		label = leadLabel(src)
	}
	if label == "" {
		label = ecg12.NormalizeLabel(v.text(def, tagChannelLabel))
	}
	if label == "" {
		label = fmt.Sprintf("Channel %d", ch+1)
	}
	sens, ok, err := v.float(def, tagChannelSensitivity)
	if err != nil {
		return ecg12.Lead{}, err
	}
	if !ok || !(sens > 0) {
		return ecg12.Lead{}, formatErr("lead %s: Channel Sensitivity %s is %v (absent or not positive)", label, tagChannelSensitivity, sens)
	}
	unit := "uV"
	if u := v.code(def.first(tagChannelUnitsSeq)); u.value != "" {
		unit = u.value
	}
	perUnit, ok := unitMicrovolts[unit]
	if !ok {
		return ecg12.Lead{}, formatErr("lead %s: sensitivity unit %q is not a voltage", label, unit)
	}
	corr, ok, err := v.float(def, tagChannelCorrection)
	if err != nil {
		return ecg12.Lead{}, err
	}
	if !ok {
		corr = 1
	}
	if !(corr > 0) {
		return ecg12.Lead{}, formatErr("lead %s: Channel Sensitivity Correction Factor %s is %v", label, tagChannelCorrection, corr)
	}
	base, _, err := v.float(def, tagChannelBaseline)
	if err != nil {
		return ecg12.Lead{}, err
	}
	scale := sens * corr * perUnit
	if !(scale > 0) || math.IsInf(scale, 0) {
		return ecg12.Lead{}, formatErr("lead %s: scale %v µV per count", label, scale)
	}
	b := math.Round(-base * perUnit / scale)
	if math.Abs(b) > math.MaxInt32 {
		return ecg12.Lead{}, formatErr("lead %s: Channel Baseline %v is %v counts", label, base, b)
	}
	return ecg12.Lead{Label: label, Scale: scale, Baseline: int32(b)}, nil
}
