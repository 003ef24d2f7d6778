package muse

import "encoding/xml"

// The element structs mirror the parts of a MUSE RestingECG export that
// the reader uses; encoding/xml ignores the rest (orders, original
// measurements, QRS times, per-lead measurement matrices).

type xRestingECG struct {
	XMLName      xml.Name
	Patient      xPatient     `xml:"PatientDemographics"`
	Test         xTest        `xml:"TestDemographics"`
	Measurements xFields      `xml:"RestingECGMeasurements"`
	Diagnosis    []xStatement `xml:"Diagnosis>DiagnosisStatement"`
	Waveforms    []xWaveform  `xml:"Waveform"`
}

type xPatient struct {
	ID          string `xml:"PatientID"`
	LastName    string `xml:"PatientLastName"`
	FirstName   string `xml:"PatientFirstName"`
	DateOfBirth string `xml:"DateofBirth"`
	Gender      string `xml:"Gender"`
}

type xTest struct {
	Device          string `xml:"AcquisitionDevice"`
	Date            string `xml:"AcquisitionDate"`
	Time            string `xml:"AcquisitionTime"`
	CartNumber      string `xml:"CartNumber"`
	SoftwareVersion string `xml:"AcquisitionSoftwareVersion"`
}

// xFields keeps every child element, in order, with its text.
type xFields struct {
	Fields []xField `xml:",any"`
}

type xField struct {
	XMLName xml.Name
	Value   string `xml:",chardata"`
}

type xStatement struct {
	Flags []string `xml:"StmtFlag"`
	Text  string   `xml:"StmtText"`
}

type xWaveform struct {
	Type           string      `xml:"WaveformType"`
	SampleBase     string      `xml:"SampleBase"`
	SampleExponent string      `xml:"SampleExponent"`
	Leads          []xLeadData `xml:"LeadData"`
}

type xLeadData struct {
	ByteCount   string `xml:"LeadByteCountTotal"`
	SampleCount string `xml:"LeadSampleCountTotal"`
	UnitsPerBit string `xml:"LeadAmplitudeUnitsPerBit"`
	Units       string `xml:"LeadAmplitudeUnits"`
	ID          string `xml:"LeadID"`
	CRC32       string `xml:"LeadDataCRC32"`
	Data        string `xml:"WaveFormData"`
}
