package intellivue

// Object classes (NOM_MOC_*) and the partition they are polled from.
const (
	ClassNumeric uint16 = 6  // NOM_MOC_VMO_METRIC_NU
	ClassWave    uint16 = 9  // NOM_MOC_VMO_METRIC_SA_RT
	ClassMDS     uint16 = 33 // NOM_MOC_VMS_MDS
	PartObj      uint16 = 1  // NOM_PART_OBJ
	PartSCADA    uint16 = 2  // NOM_PART_SCADA: physio ids
)

// Actions, notifications and the host's extended-poll attributes.
const (
	ActPollMDIBData    uint16 = 0x0C16 // NOM_ACT_POLL_MDIB_DATA
	ActPollMDIBDataExt uint16 = 0xF13B // NOM_ACT_POLL_MDIB_DATA_EXT
	NotiMDSCreate      uint16 = 0x0D06 // NOM_NOTI_MDS_CREAT
)

// Attribute ids.
const (
	AttrIDHandle        uint16 = 0x0921
	AttrIDLabel         uint16 = 0x0924 // TextId (u32)
	AttrIDLabelString   uint16 = 0x0927 // String
	AttrIDModel         uint16 = 0x0928
	AttrNuCmpdValObs    uint16 = 0x094B
	AttrNuValObs        uint16 = 0x0950
	AttrSaCalibI16      uint16 = 0x0964
	AttrSaCmpdValObs    uint16 = 0x0967
	AttrSaSpecn         uint16 = 0x096D
	AttrSaValObs        uint16 = 0x096E
	AttrScaleSpecnI16   uint16 = 0x096F
	AttrSysID           uint16 = 0x0984
	AttrUnitCode        uint16 = 0x0996
	AttrTimePdSamp      uint16 = 0x098D
	AttrTimePdPoll      uint16 = 0xF13E // extended poll duration, 1/8 ms
	AttrPollRTSAPrioLst uint16 = 0xF23A // the waves the monitor sends
)

// Measurement state bits (MeasurementState) that decide a value's status.
const (
	StateInvalid      uint16 = 0x8000
	StateQuestionable uint16 = 0x4000
	StateUnavailable  uint16 = 0x2000
	StateCalibrating  uint16 = 0x1000
	StateTestData     uint16 = 0x0800
	StateDemoData     uint16 = 0x0400
)

// Unit codes (NOM_DIM_*).
const (
	DimNone     uint16 = 0x0000
	DimDimless  uint16 = 0x0200
	DimPercent  uint16 = 0x0220
	DimBPM      uint16 = 0x0AA0 // beats per minute
	DimRPM      uint16 = 0x0AE0 // breaths per minute
	DimKPa      uint16 = 0x0F03
	DimMMHg     uint16 = 0x0F20
	DimCMH2O    uint16 = 0x0F40
	DimMilliV   uint16 = 0x10B2
	DimMicroV   uint16 = 0x10B3
	DimDegC     uint16 = 0x17A0
	DimDegF     uint16 = 0x1140
	DimMilliM   uint16 = 0x0512
	DimMilliSec uint16 = 0x0892
)

// ucumOf maps unit codes to UCUM.
var ucumOf = map[uint16]string{
	DimDimless: "1", DimPercent: "%", DimBPM: "/min", DimRPM: "/min", DimKPa: "kPa",
	DimMMHg: "mm[Hg]", DimCMH2O: "cm[H2O]", DimMilliV: "mV", DimMicroV: "uV", DimDegC: "Cel",
	DimDegF: "[degF]", DimMilliM: "mm", DimMilliSec: "ms",
}

// UCUM returns the UCUM string of a unit code; codes without a mapping
// read "{dim0xNNNN}", a UCUM annotation that keeps the code.
func UCUM(dim uint16) string {
	if u, ok := ucumOf[dim]; ok {
		return u
	}
	if dim == DimNone {
		return "1"
	}
	return "{dim0x" + hex4(dim) + "}"
}

func hex4(v uint16) string {
	const digits = "0123456789ABCDEF"
	return string([]byte{digits[v>>12], digits[v>>8&0xF], digits[v>>4&0xF], digits[v&0xF]})
}

// RawCode renders a SCADA physio id as devices.Numeric.RawCode and
// devices.Signal.RawCode do: "0x0002:0x4BB8".
func RawCode(physio uint16) string { return "0x0002:0x" + hex4(physio) }

// Physio ids (NOM_PART_SCADA codes) of the waves and numerics the driver
// maps. The 32-bit label (TextId) of a wave is 0x0002<<16 | physio id.
const (
	PhysioECGI       uint16 = 0x0101
	PhysioECGII      uint16 = 0x0102
	PhysioECGIII     uint16 = 0x013D
	PhysioECGV       uint16 = 0x0143
	PhysioECGAVR     uint16 = 0x013E
	PhysioECGAVL     uint16 = 0x013F
	PhysioECGAVF     uint16 = 0x0140
	PhysioHR         uint16 = 0x4182
	PhysioPVC        uint16 = 0x4261 // not mapped: arrives as RawCode
	PhysioPulse      uint16 = 0x480A // pulse rate from a pressure
	PhysioPlethPulse uint16 = 0x4822 // pulse rate from the oximeter
	PhysioNIBP       uint16 = 0x4A04
	PhysioNIBPSys    uint16 = 0x4A05
	PhysioNIBPDia    uint16 = 0x4A06
	PhysioNIBPMean   uint16 = 0x4A07
	PhysioART        uint16 = 0x4A10
	PhysioARTSys     uint16 = 0x4A11
	PhysioARTDia     uint16 = 0x4A12
	PhysioARTMean    uint16 = 0x4A13
	PhysioABP        uint16 = 0x4A14
	PhysioABPSys     uint16 = 0x4A15
	PhysioABPDia     uint16 = 0x4A16
	PhysioABPMean    uint16 = 0x4A17
	PhysioTemp       uint16 = 0x4B48
	PhysioPerf       uint16 = 0x4BB0
	PhysioPleth      uint16 = 0x4BB4
	PhysioSpO2       uint16 = 0x4BB8
	PhysioResp       uint16 = 0x5000
	PhysioRR         uint16 = 0x500A
	PhysioAwayRR     uint16 = 0x5012
	PhysioEtCO2      uint16 = 0x50B0
)

// Label returns the 32-bit TextId of a SCADA physio id.
func Label(physio uint16) uint32 { return uint32(PartSCADA)<<16 | uint32(physio) }

// mdcOf is the ISO/IEEE 11073-10101 code of a SCADA physio id: the
// IntelliVue nomenclature is the 11073 one, partition 2 above the code.
func mdcOf(physio uint16) uint32 { return uint32(PartSCADA)<<16 | uint32(physio) }

// numericInfo is what the driver knows of a numeric physio id.
type numericInfo struct {
	label string
	mdc   uint32
}

// numerics are the numerics the driver maps to MDC codes.
var numerics = map[uint16]numericInfo{
	PhysioHR:         {"HR", mdcOf(PhysioHR)},
	PhysioSpO2:       {"SpO2", mdcOf(PhysioSpO2)},
	PhysioPlethPulse: {"PR", 149530}, // MDC_PULS_OXIM_PULS_RATE
	PhysioPulse:      {"Pulse", mdcOf(PhysioPulse)},
	PhysioRR:         {"RR", mdcOf(PhysioRR)},
	PhysioAwayRR:     {"awRR", mdcOf(PhysioAwayRR)},
	PhysioNIBPSys:    {"NBPs", mdcOf(PhysioNIBPSys)},
	PhysioNIBPDia:    {"NBPd", mdcOf(PhysioNIBPDia)},
	PhysioNIBPMean:   {"NBPm", mdcOf(PhysioNIBPMean)},
	PhysioABPSys:     {"ABPs", mdcOf(PhysioABPSys)},
	PhysioABPDia:     {"ABPd", mdcOf(PhysioABPDia)},
	PhysioABPMean:    {"ABPm", mdcOf(PhysioABPMean)},
	PhysioARTSys:     {"ARTs", mdcOf(PhysioARTSys)},
	PhysioARTDia:     {"ARTd", mdcOf(PhysioARTDia)},
	PhysioARTMean:    {"ARTm", mdcOf(PhysioARTMean)},
	PhysioTemp:       {"Temp", mdcOf(PhysioTemp)},
	PhysioEtCO2:      {"etCO2", mdcOf(PhysioEtCO2)},
}
