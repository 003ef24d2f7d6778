package dicomecg

import "fmt"

// tag is a DICOM attribute tag: group in the high 16 bits, element in the low.
type tag uint32

func mktag(group, elem uint16) tag { return tag(uint32(group)<<16 | uint32(elem)) }

func (t tag) group() uint16 { return uint16(t >> 16) }

func (t tag) String() string { return fmt.Sprintf("(%04X,%04X)", uint16(t>>16), uint16(t)) }

// The attributes this package reads or writes.
const (
	tagMetaGroupLength      tag = 0x00020000
	tagMetaVersion          tag = 0x00020001
	tagMediaSOPClass        tag = 0x00020002
	tagMediaSOPInstance     tag = 0x00020003
	tagTransferSyntax       tag = 0x00020010
	tagImplementationClass  tag = 0x00020012
	tagImplementationName   tag = 0x00020013
	tagCharacterSet         tag = 0x00080005
	tagInstanceCreationDate tag = 0x00080012
	tagInstanceCreationTime tag = 0x00080013
	tagSOPClass             tag = 0x00080016
	tagSOPInstance          tag = 0x00080018
	tagStudyDate            tag = 0x00080020
	tagAcquisitionDate      tag = 0x00080022
	tagContentDate          tag = 0x00080023
	tagAcquisitionDateTime  tag = 0x0008002A
	tagStudyTime            tag = 0x00080030
	tagAcquisitionTime      tag = 0x00080032
	tagContentTime          tag = 0x00080033
	tagAccessionNumber      tag = 0x00080050
	tagModality             tag = 0x00080060
	tagManufacturer         tag = 0x00080070
	tagReferringPhysician   tag = 0x00080090
	tagCodeValue            tag = 0x00080100
	tagCodingScheme         tag = 0x00080102
	tagCodingSchemeVersion  tag = 0x00080103
	tagCodeMeaning          tag = 0x00080104
	tagEquivalentCodeSeq    tag = 0x00080121
	tagTimezoneOffset       tag = 0x00080201
	tagModelName            tag = 0x00081090
	tagPatientName          tag = 0x00100010
	tagPatientID            tag = 0x00100020
	tagPatientBirthDate     tag = 0x00100030
	tagPatientSex           tag = 0x00100040
	tagDeviceSerial         tag = 0x00181000
	tagSoftwareVersions     tag = 0x00181020
	tagStudyInstance        tag = 0x0020000D
	tagSeriesInstance       tag = 0x0020000E
	tagStudyID              tag = 0x00200010
	tagSeriesNumber         tag = 0x00200011
	tagInstanceNumber       tag = 0x00200013
	tagOriginality          tag = 0x003A0004
	tagNumChannels          tag = 0x003A0005
	tagNumSamples           tag = 0x003A0010
	tagSamplingFrequency    tag = 0x003A001A
	tagMultiplexGroupLabel  tag = 0x003A0020
	tagChannelDefSeq        tag = 0x003A0200
	tagChannelLabel         tag = 0x003A0203
	tagChannelSourceSeq     tag = 0x003A0208
	tagChannelSensitivity   tag = 0x003A0210
	tagChannelUnitsSeq      tag = 0x003A0211
	tagChannelCorrection    tag = 0x003A0212
	tagChannelBaseline      tag = 0x003A0213
	tagChannelSampleSkew    tag = 0x003A0215
	tagWaveformBitsStored   tag = 0x003A021A
	tagAcquisitionContext   tag = 0x00400555
	tagMeasurementUnitsSeq  tag = 0x004008EA
	tagConceptNameSeq       tag = 0x0040A043
	tagReferencedChannels   tag = 0x0040A0B0
	tagTemporalRangeType    tag = 0x0040A130
	tagReferencedSamplePos  tag = 0x0040A132
	tagReferencedTimeOffs   tag = 0x0040A138
	tagReferencedDateTime   tag = 0x0040A13A
	tagConceptCodeSeq       tag = 0x0040A168
	tagAnnotationGroup      tag = 0x0040A180
	tagNumericValue         tag = 0x0040A30A
	tagAnnotationSeq        tag = 0x0040B020
	tagUnformattedText      tag = 0x00700006
	tagWaveformSeq          tag = 0x54000100
	tagBitsAllocated        tag = 0x54001004
	tagSampleInterpretation tag = 0x54001006
	tagWaveformData         tag = 0x54001010

	tagItem          tag = 0xFFFEE000
	tagItemDelim     tag = 0xFFFEE00D
	tagSequenceDelim tag = 0xFFFEE0DD
)

// implicitVR is the value representation of the attributes above, for data
// sets in implicit VR little endian, where the file does not say. Any tag not
// listed reads as UN (its bytes kept as they are), which is harmless for text
// attributes and sequences we do not look into.
var implicitVR = map[tag]string{
	tagCharacterSet: "CS", tagInstanceCreationDate: "DA", tagInstanceCreationTime: "TM",
	tagSOPClass: "UI", tagSOPInstance: "UI", tagStudyDate: "DA", tagAcquisitionDate: "DA",
	tagContentDate: "DA", tagAcquisitionDateTime: "DT", tagStudyTime: "TM", tagAcquisitionTime: "TM",
	tagContentTime: "TM", tagAccessionNumber: "SH", tagModality: "CS", tagManufacturer: "LO",
	tagReferringPhysician: "PN", tagCodeValue: "SH", tagCodingScheme: "SH", tagCodingSchemeVersion: "SH", tagCodeMeaning: "LO",
	tagEquivalentCodeSeq: "SQ", tagTimezoneOffset: "SH", tagModelName: "LO", tagPatientName: "PN",
	tagPatientID: "LO", tagPatientBirthDate: "DA", tagPatientSex: "CS", tagDeviceSerial: "LO",
	tagSoftwareVersions: "LO", tagStudyInstance: "UI", tagSeriesInstance: "UI", tagStudyID: "SH",
	tagSeriesNumber: "IS", tagInstanceNumber: "IS", tagOriginality: "CS", tagNumChannels: "US",
	tagNumSamples: "UL", tagSamplingFrequency: "DS", tagMultiplexGroupLabel: "SH",
	tagChannelDefSeq: "SQ", tagChannelLabel: "SH", tagChannelSourceSeq: "SQ",
	tagChannelSensitivity: "DS", tagChannelUnitsSeq: "SQ", tagChannelCorrection: "DS",
	tagChannelBaseline: "DS", tagChannelSampleSkew: "DS", tagWaveformBitsStored: "US",
	tagAcquisitionContext: "SQ", tagMeasurementUnitsSeq: "SQ", tagConceptNameSeq: "SQ",
	tagReferencedChannels: "US", tagTemporalRangeType: "CS", tagReferencedSamplePos: "UL",
	tagReferencedTimeOffs: "DS", tagReferencedDateTime: "DT", tagConceptCodeSeq: "SQ",
	tagAnnotationGroup: "US", tagNumericValue: "DS", tagAnnotationSeq: "SQ", tagUnformattedText: "ST",
	tagWaveformSeq: "SQ", tagBitsAllocated: "US", tagSampleInterpretation: "CS", tagWaveformData: "OW",
	0x00081110: "SQ", 0x00081111: "SQ", 0x00081115: "SQ", 0x00081120: "SQ", 0x00081140: "SQ",
	0x00081032: "SQ", 0x00081199: "SQ", 0x00400275: "SQ", 0x0040A730: "SQ", 0x0040A301: "SQ",
	0x003A0209: "SQ", 0x00400260: "SQ", 0x00081250: "SQ",
}

// longVR reports whether an explicit-VR element of this VR has a 2-byte
// reserved field and a 4-byte length (PS3.5 7.1.2).
func longVR(vr string) bool {
	switch vr {
	case "OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV":
		return true
	}
	return false
}

// knownVR reports whether vr is one of the value representations of PS3.5.
func knownVR(vr string) bool {
	switch vr {
	case "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT", "PN", "SH", "SL",
		"SS", "ST", "TM", "UI", "UL", "US":
		return true
	}
	return longVR(vr)
}
