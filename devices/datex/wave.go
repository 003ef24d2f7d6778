package datex

import (
	"encoding/binary"
	"errors"
	"fmt"

	"telewave/devices"
)

// WaveType is a wave's id in requests and in subrecord types.
type WaveType byte

// Wave ids.
const (
	WaveECG1  WaveType = 1
	WaveECG2  WaveType = 2
	WaveECG3  WaveType = 3
	WaveINVP1 WaveType = 4
	WaveINVP2 WaveType = 5
	WaveINVP3 WaveType = 6
	WaveINVP4 WaveType = 7
	WavePleth WaveType = 8
	WaveCO2   WaveType = 9
	WaveO2    WaveType = 10
	WaveN2O   WaveType = 11
	WaveAA    WaveType = 12
	WaveAWP   WaveType = 13
	WaveFlow  WaveType = 14
	WaveResp  WaveType = 15
	WaveINVP5 WaveType = 16
	WaveINVP6 WaveType = 17
	WaveEEG1  WaveType = 18
	WaveEEG2  WaveType = 19
	WaveEEG3  WaveType = 20
	WaveEEG4  WaveType = 21
	WaveVol   WaveType = 23
)

// Wave request kinds.
const (
	WaveStart int16 = 0
	WaveStop  int16 = 1
)

// MaxWaveRate is the most samples per second a monitor sends in all.
const MaxWaveRate = 600

// MaxWaves is how many waves one request may name.
const MaxWaves = 8

// WaveSubHeader is the size of a wave subrecord's own header.
const WaveSubHeader = 6

var (
	// ErrWaveBudget: the waves asked for exceed 600 samples/s or 8 types.
	ErrWaveBudget = errors.New("datex: wave request over budget")
	// ErrUnknownWave: a wave id whose rate this package does not know.
	ErrUnknownWave = errors.New("datex: unknown wave type")
)

// waveInfo is what the driver announces for a wave.
type waveInfo struct {
	id, label string
	kind      devices.SignalKind
	mdc       uint32
	unit      string
	rate      float64
}

var waveInfos = map[WaveType]waveInfo{
	WaveECG1:  {"ecg1", "ECG1", devices.KindECG, devices.MDCECGElecPotl, "mV", 300},
	WaveECG2:  {"ecg2", "ECG2", devices.KindECG, devices.MDCECGElecPotl, "mV", 300},
	WaveECG3:  {"ecg3", "ECG3", devices.KindECG, devices.MDCECGElecPotl, "mV", 300},
	WaveINVP1: {"invp1", "P1", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WaveINVP2: {"invp2", "P2", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WaveINVP3: {"invp3", "P3", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WaveINVP4: {"invp4", "P4", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WaveINVP5: {"invp5", "P5", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WaveINVP6: {"invp6", "P6", devices.KindPressure, mdcPressBld, "mm[Hg]", 100},
	WavePleth: {"pleth", "Pleth", devices.KindPleth, devices.MDCPulsOximPleth, "%", 100},
	WaveCO2:   {"co2", "CO2", devices.KindRespiration, mdcConcAwayCO2, "%", 25},
	WaveO2:    {"o2", "O2", devices.KindRespiration, 0, "%", 25},
	WaveN2O:   {"n2o", "N2O", devices.KindRespiration, 0, "%", 25},
	WaveAA:    {"aa", "AA", devices.KindRespiration, 0, "%", 25},
	WaveAWP:   {"awp", "Paw", devices.KindRespiration, 0, "cm[H2O]", 25},
	WaveFlow:  {"flow", "Flow", devices.KindRespiration, 0, "L/min", 25},
	WaveResp:  {"resp", "Resp imp", devices.KindRespiration, 0, "Ohm", 25},
	WaveEEG1:  {"eeg1", "EEG1", devices.KindOther, 0, "uV", 100},
	WaveEEG2:  {"eeg2", "EEG2", devices.KindOther, 0, "uV", 100},
	WaveEEG3:  {"eeg3", "EEG3", devices.KindOther, 0, "uV", 100},
	WaveEEG4:  {"eeg4", "EEG4", devices.KindOther, 0, "uV", 100},
	WaveVol:   {"vol", "Vol", devices.KindRespiration, 0, "mL", 25},
}

// Rate returns the sample rate of a wave, 0 if unknown.
func (w WaveType) Rate() float64 { return waveInfos[w].rate }

// Signal returns the signal the driver announces for a wave. Samples are
// the device's signed 16-bit counts in 0.01 of the unit; a wave this
// package does not know still gets a signal ("wave-<id>", MDC 0, RawCode
// set) at an assumed 100 Hz: the device does not say a wave's rate.
func (w WaveType) Signal() devices.Signal {
	info, ok := waveInfos[w]
	if !ok {
		info = waveInfo{id: fmt.Sprintf("wave-%d", w), label: fmt.Sprintf("Wave %d", w), unit: "1", rate: 100}
	}
	return devices.Signal{
		ID: info.id, Label: info.label, Kind: info.kind, MDC: info.mdc, Unit: info.unit,
		SampleRate: info.rate, Scale: 0.01, Min: -32768, Max: 32767,
		RawCode: fmt.Sprintf("wave:%d", w),
	}
}

// DefaultWaves are what the driver asks for: ECG1 300 Hz, pleth, INVP1
// 100 Hz and CO2 25 Hz, 525 samples/s in all.
var DefaultWaves = []WaveType{WaveECG1, WavePleth, WaveINVP1, WaveCO2}

// CheckWaves returns an error if the waves cannot go in one request.
func CheckWaves(waves []WaveType) error {
	if len(waves) > MaxWaves {
		return fmt.Errorf("%d waves, at most %d: %w", len(waves), MaxWaves, ErrWaveBudget)
	}
	total := 0.0
	for _, w := range waves {
		r := w.Rate()
		if r == 0 {
			return fmt.Errorf("wave %d: %w", w, ErrUnknownWave)
		}
		total += r
	}
	if total > MaxWaveRate {
		return fmt.Errorf("%g samples/s, at most %d: %w", total, MaxWaveRate, ErrWaveBudget)
	}
	return nil
}

// EncodeWaveRequest returns the 72-byte wave request, framed: start (or
// stop) the waves listed.
func EncodeWaveRequest(kind int16, waves []WaveType) []byte {
	data := make([]byte, 32)
	binary.LittleEndian.PutUint16(data[0:], uint16(kind))
	for i := range MaxWaves {
		data[4+i] = EndOfList
	}
	for i, w := range waves[:min(len(waves), MaxWaves)] {
		data[4+i] = byte(w)
	}
	return Encode(NewRecord(Header{MainType: MainWave}, []byte{0}, [][]byte{data}))
}

// ParseWaveRequest reads a wave request record.
func ParseWaveRequest(r Record) (kind int16, waves []WaveType, err error) {
	if r.MainType != MainWave || len(r.Subs) == 0 || r.Subs[0].Type != 0 {
		return 0, nil, fmt.Errorf("datex: not a wave request (main type %d)", r.MainType)
	}
	b, err := r.Subrecord(0)
	if err != nil || len(b) < 4+MaxWaves {
		return 0, nil, fmt.Errorf("datex: wave request of %d bytes", len(b))
	}
	kind = int16(binary.LittleEndian.Uint16(b))
	for _, t := range b[4 : 4+MaxWaves] {
		if t == EndOfList {
			break
		}
		waves = append(waves, WaveType(t))
	}
	return kind, waves, nil
}

// WaveData is one wave subrecord.
type WaveData struct {
	Type    WaveType
	Status  uint16
	Samples []int16
}

// EncodeWave lays out a wave subrecord: {n, status, reserved} + n samples.
func EncodeWave(w WaveData) []byte {
	b := make([]byte, WaveSubHeader+2*len(w.Samples))
	le := binary.LittleEndian
	le.PutUint16(b, uint16(len(w.Samples)))
	le.PutUint16(b[2:], w.Status)
	for i, s := range w.Samples {
		le.PutUint16(b[WaveSubHeader+2*i:], uint16(s))
	}
	return b
}

// ParseWave reads a wave subrecord of the given type.
func ParseWave(t WaveType, b []byte) (WaveData, error) {
	if len(b) < WaveSubHeader {
		return WaveData{}, fmt.Errorf("datex: wave %d subrecord of %d bytes", t, len(b))
	}
	le := binary.LittleEndian
	n := int(int16(le.Uint16(b)))
	if n < 0 || WaveSubHeader+2*n > len(b) {
		return WaveData{}, fmt.Errorf("datex: wave %d says %d samples in %d bytes", t, n, len(b))
	}
	w := WaveData{Type: t, Status: le.Uint16(b[2:]), Samples: make([]int16, n)}
	for i := range w.Samples {
		w.Samples[i] = int16(le.Uint16(b[WaveSubHeader+2*i:]))
	}
	return w, nil
}

// Waves reads every wave subrecord of a wave record.
func Waves(r Record) ([]WaveData, error) {
	if r.MainType != MainWave {
		return nil, fmt.Errorf("datex: record of main type %d is not a wave record", r.MainType)
	}
	out := make([]WaveData, 0, len(r.Subs))
	for i, s := range r.Subs {
		b, err := r.Subrecord(i)
		if err != nil {
			return out, err
		}
		w, err := ParseWave(WaveType(s.Type), b)
		if err != nil {
			return out, fmt.Errorf("subrecord %d: %w", i, err)
		}
		out = append(out, w)
	}
	return out, nil
}

// PHDBs reads every PHDB subrecord of a numerics record, with the record
// type (displayed, 10 s or 60 s trend) of each.
func PHDBs(r Record) ([]PHDB, []byte, error) {
	if r.MainType != MainPHDB {
		return nil, nil, fmt.Errorf("datex: record of main type %d is not a numerics record", r.MainType)
	}
	var out []PHDB
	var types []byte
	for i, s := range r.Subs {
		b, err := r.Subrecord(i)
		if err != nil {
			return out, types, err
		}
		p, err := ParsePHDB(b)
		if err != nil {
			return out, types, fmt.Errorf("subrecord %d: %w", i, err)
		}
		out = append(out, p)
		types = append(types, s.Type)
	}
	return out, types, nil
}
