package sierra

import "encoding/xml"

// document is the part of restingecgdata the reader uses. Element names are
// matched without their namespace; 1.03 and 1.04 spell some things
// differently, so both spellings have a field.
type document struct {
	XMLName xml.Name
	Info    struct {
		Type    string `xml:"documenttype"`
		Version string `xml:"documentversion"`
	} `xml:"documentinfo"`
	Acquisition struct {
		Date    string `xml:"date,attr"`
		Time    string `xml:"time,attr"`
		Machine struct {
			ID     string `xml:"machineid,attr"`
			Detail string `xml:"detaildescription,attr"`
			Name   string `xml:",chardata"`
		} `xml:"machine"`
		Signal struct {
			SamplingRate     string `xml:"samplingrate"`
			Resolution       string `xml:"resolution"`       // 1.04
			SignalResolution string `xml:"signalresolution"` // 1.03
			ChannelsValid    string `xml:"numberchannelsvalid"`
		} `xml:"signalcharacteristics"`
	} `xml:"dataacquisition"`
	Patient struct {
		ID   string `xml:"generalpatientdata>patientid"`
		Name struct {
			Last  string `xml:"lastname"`
			First string `xml:"firstname"`
		} `xml:"generalpatientdata>name"`
		BirthDate string `xml:"generalpatientdata>age>dateofbirth"`
		Sex       string `xml:"generalpatientdata>sex"`
	} `xml:"patient"`
	// Measurements103 is 1.03's measurements/globalmeasurements.
	Measurements103 elements `xml:"measurements>globalmeasurements"`
	// CrossLead is 1.04's internalmeasurements/crossleadmeasurements.
	CrossLead       elements         `xml:"internalmeasurements>crossleadmeasurements"`
	Interpretations []interpretation `xml:"interpretations>interpretation"`
	Waveforms       struct {
		Parsed   parsedWaveforms `xml:"parsedwaveforms"`
		RepBeats repBeats        `xml:"repbeats"`
	} `xml:"waveforms"`
}

// elements is a flat list of child elements with their text.
type elements struct {
	Items []struct {
		XMLName xml.Name
		Value   string `xml:",chardata"`
	} `xml:",any"`
}

type interpretation struct {
	Global       elements `xml:"globalmeasurements"`         // 1.04
	Measurements elements `xml:"interpretationmeasurements"` // 1.03
	Severity     string   `xml:"severity"`
	Statements   []struct {
		Code  string `xml:"statementcode"`
		Left  string `xml:"leftstatement"`
		Right string `xml:"rightstatement"`
	} `xml:"statement"`
}

// parsedWaveforms holds the rhythm leads. 1.03 names the compression
// compressmethod and gives neither the lead count nor labels (its leadset is
// STD-12); 1.04 names it compression and lists them.
type parsedWaveforms struct {
	Encoding       string `xml:"dataencoding,attr"`
	CompressFlag   string `xml:"compressflag,attr"`
	CompressMethod string `xml:"compressmethod,attr"`
	Compression    string `xml:"compression,attr"`
	NumberOfLeads  string `xml:"numberofleads,attr"`
	LeadLabels     string `xml:"leadlabels,attr"`
	DurationMS     string `xml:"durationperchannel,attr"`
	Rate           string `xml:"samplespersecond,attr"`
	Resolution     string `xml:"resolution,attr"`
	Data           string `xml:",chardata"`
}

// repBeats holds the representative beat of each lead: in 1.03 the Base64
// is the repbeat's own text, in 1.04 that of its waveform child.
type repBeats struct {
	Encoding   string `xml:"dataencoding,attr"`
	Rate       string `xml:"samplespersec,attr"`
	Resolution string `xml:"resolution,attr"`
	Beats      []struct {
		Lead     string `xml:"leadname,attr"`
		Data     string `xml:",chardata"`
		Waveform string `xml:"waveform"`
	} `xml:"repbeat"`
}
