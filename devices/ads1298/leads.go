package ads1298

import (
	"strings"

	"telewave/devices"
)

// MDC codes of the twelve standard leads (ISO/IEEE 11073-10101,
// MDC_ECG_LEAD_*: partition 2, base 0x0100).
const (
	MDCLeadI   uint32 = 131329 // MDC_ECG_LEAD_I
	MDCLeadII  uint32 = 131330 // MDC_ECG_LEAD_II
	MDCLeadV1  uint32 = 131331 // MDC_ECG_LEAD_V1; V2..V6 follow at +1
	MDCLeadIII uint32 = 131389 // MDC_ECG_LEAD_III
	MDCLeadAVR uint32 = 131390 // MDC_ECG_LEAD_AVR
	MDCLeadAVL uint32 = 131391 // MDC_ECG_LEAD_AVL
	MDCLeadAVF uint32 = 131392 // MDC_ECG_LEAD_AVF
)

// BoardLeads names what each converter channel measures, CH1..CH8:
// CH1 = LA − RA (I), CH2 = LL − RA (II), CH3..CH8 = V1..V6 against the
// Wilson central terminal.
var BoardLeads = [Channels]string{"I", "II", "V1", "V2", "V3", "V4", "V5", "V6"}

// Lead is one of the twelve signals the driver emits.
type Lead struct {
	ID  string // Signal.ID and label: "I", "aVR", "V1"...
	MDC uint32
	// Half: the lead is carried in half-counts (Scale = ScaleUV/2), so
	// that aVR = −(I+II)/2 and its kin stay exact integers.
	Half bool
	// Electrodes are those whose loss spoils this lead.
	Electrodes Electrode
}

// Leads lists the driver's signals in the standard order I, II, III, aVR,
// aVL, aVF, V1..V6; index i of Derive's result is Leads[i].
var Leads = [12]Lead{
	{"I", MDCLeadI, false, RA | LA},
	{"II", MDCLeadII, false, RA | LL},
	{"III", MDCLeadIII, false, LA | LL},
	{"aVR", MDCLeadAVR, true, Limbs},
	{"aVL", MDCLeadAVL, true, Limbs},
	{"aVF", MDCLeadAVF, true, Limbs},
	{"V1", MDCLeadV1, false, V1 | Limbs | WCT},
	{"V2", MDCLeadV1 + 1, false, V2 | Limbs | WCT},
	{"V3", MDCLeadV1 + 2, false, V3 | Limbs | WCT},
	{"V4", MDCLeadV1 + 3, false, V4 | Limbs | WCT},
	{"V5", MDCLeadV1 + 4, false, V5 | Limbs | WCT},
	{"V6", MDCLeadV1 + 5, false, V6 | Limbs | WCT},
}

// Derive turns the eight measured channels into the twelve leads, in
// counts: I, II, III = II − I and V1..V6 in counts of ScaleUV; aVR, aVL
// and aVF in half-counts (ScaleUV/2): aVR = −(I+II), aVL = 2·I − II,
// aVF = 2·II − I. No rounding anywhere.
func Derive(ch [Channels]int32) [12]int32 {
	i, ii := ch[0], ch[1]
	return [12]int32{i, ii, ii - i, -(i + ii), 2*i - ii, 2*ii - i, ch[2], ch[3], ch[4], ch[5], ch[6], ch[7]}
}

// Signals returns the twelve signals in Leads order.
func Signals() []devices.Signal {
	sigs := make([]devices.Signal, len(Leads))
	for i, l := range Leads {
		s := devices.Signal{ID: l.ID, Label: l.ID, Kind: devices.KindECG, MDC: l.MDC, Unit: "uV",
			SampleRate: SampleRate, Scale: ScaleUV, Min: -(1 << 23), Max: 1<<23 - 1}
		switch {
		case l.Half:
			s.Scale, s.Min, s.Max = ScaleUV/2, -3<<23, 3<<23
		case l.ID == "III":
			s.Min, s.Max = -(1 << 24), 1<<24
		}
		sigs[i] = s
	}
	return sigs
}

// Electrode is a set of electrodes, for lead-off.
type Electrode uint16

// The sensed electrodes. WCT stands for a fault on a Wilson central
// terminal input (IN3N..IN8N), which spoils every chest lead. RL drives
// the body and is not sensed.
const (
	RA Electrode = 1 << iota
	LA
	LL
	V1
	V2
	V3
	V4
	V5
	V6
	WCT
	Limbs = RA | LA | LL
)

var electrodeNames = [...]string{"RA", "LA", "LL", "V1", "V2", "V3", "V4", "V5", "V6", "WCT"}

// String lists the electrodes, e.g. "LA, V3"; "none" for the empty set.
func (e Electrode) String() string {
	var names []string
	for i, n := range electrodeNames {
		if e&(1<<i) != 0 {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// Wiring of the electrodes to converter inputs: CH1 is LA(+)/RA(−), CH2 is
// LL(+)/RA(−), CH3..CH8 are V1..V6(+)/WCT(−).

// ElectrodesOff reads the lead-off bits of a packet's status word.
func (p Packet) ElectrodesOff() Electrode {
	var e Electrode
	if p.LoffN&0x03 != 0 {
		e |= RA
	}
	if p.LoffP&0x01 != 0 {
		e |= LA
	}
	if p.LoffP&0x02 != 0 {
		e |= LL
	}
	e |= Electrode(p.LoffP>>2) << 3 // IN3P..IN8P = V1..V6
	if p.LoffN&0xFC != 0 {
		e |= WCT
	}
	return e
}

// SetElectrodesOff sets the status bits a converter reports when the
// electrodes e are off (the inverse of ElectrodesOff).
func (p *Packet) SetElectrodesOff(e Electrode) {
	p.LoffP, p.LoffN = 0, 0
	if e&RA != 0 {
		p.LoffN |= 0x03
	}
	if e&LA != 0 {
		p.LoffP |= 0x01
	}
	if e&LL != 0 {
		p.LoffP |= 0x02
	}
	p.LoffP |= uint8((e>>3)&0x3F) << 2
	if e&WCT != 0 {
		p.LoffN |= 0xFC
	}
}

// channelElectrodes are the electrodes each converter channel depends on.
var channelElectrodes = [Channels]Electrode{
	RA | LA, RA | LL, V1 | Limbs | WCT, V2 | Limbs | WCT, V3 | Limbs | WCT, V4 | Limbs | WCT, V5 | Limbs | WCT, V6 | Limbs | WCT,
}
