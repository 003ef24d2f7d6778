package aecg

import (
	"encoding/xml"
	"strings"
)

// The element structs below mirror the parts of PORT_MT020001 (the aECG
// message) that the reader uses; encoding/xml ignores the rest. Names
// without a namespace match the HL7 v3 namespace and any other.

type xDocument struct {
	XMLName       xml.Name
	EffectiveTime xInterval     `xml:"effectiveTime"`
	TrialSubject  xTrialSubject `xml:"componentOf>timepointEvent>componentOf>subjectAssignment>subject>trialSubject"`
	Series        []xSeries     `xml:"component>series"`
}

type xTrialSubject struct {
	ID     xID     `xml:"id"`
	Person xPerson `xml:"subjectDemographicPerson"`
}

type xPerson struct {
	Name      xName  `xml:"name"`
	Gender    xCode  `xml:"administrativeGenderCode"`
	BirthTime xValue `xml:"birthTime"`
}

// xName is an HL7 PN: either plain text or given/family parts.
type xName struct {
	Text   string   `xml:",chardata"`
	Given  []string `xml:"given"`
	Family []string `xml:"family"`
}

type xID struct {
	Root      string `xml:"root,attr"`
	Extension string `xml:"extension,attr"`
}

// String is the identifier a person would read: the extension, or the
// root alone when there is none.
func (id xID) String() string {
	if id.Extension != "" {
		return id.Extension
	}
	return id.Root
}

type xCode struct {
	Code        string `xml:"code,attr"`
	DisplayName string `xml:"displayName,attr"`
}

type xInterval struct {
	Value  string `xml:"value,attr"`
	Low    xValue `xml:"low"`
	High   xValue `xml:"high"`
	Center xValue `xml:"center"`
}

type xSeries struct {
	Code           xCode            `xml:"code"`
	EffectiveTime  xInterval        `xml:"effectiveTime"`
	Author         xSeriesAuthor    `xml:"author>seriesAuthor"`
	SequenceSets   []xSequenceSet   `xml:"component>sequenceSet"`
	AnnotationSets []xAnnotationSet `xml:"subjectOf>annotationSet"`
	Derived        []xSeries        `xml:"derivation>derivedSeries"`
}

type xSeriesAuthor struct {
	Device struct {
		ID       xID    `xml:"id"`
		Model    string `xml:"manufacturerModelName"`
		Software string `xml:"softwareName"`
	} `xml:"manufacturedSeriesDevice"`
	Manufacturer string `xml:"manufacturerOrganization>name"`
}

type xSequenceSet struct {
	Sequences []xSequence `xml:"component>sequence"`
}

type xSequence struct {
	Code  xCode  `xml:"code"`
	Value xValue `xml:"value"`
}

// xValue is an HL7 ANY: which fields mean something depends on xsi:type
// (PQ, TS, CE, ST, GLIST_TS, GLIST_PQ, SLIST_PQ).
type xValue struct {
	Type        string  `xml:"type,attr"`
	Value       string  `xml:"value,attr"`
	Unit        string  `xml:"unit,attr"`
	NullFlavor  string  `xml:"nullFlavor,attr"`
	Code        string  `xml:"code,attr"`
	DisplayName string  `xml:"displayName,attr"`
	Text        string  `xml:",chardata"`
	Head        xValue2 `xml:"head"`
	Increment   xValue2 `xml:"increment"`
	Origin      xValue2 `xml:"origin"`
	Scale       xValue2 `xml:"scale"`
	Digits      string  `xml:"digits"`
}

// xValue2 is a TS or PQ inside a list type.
type xValue2 struct {
	Value string `xml:"value,attr"`
	Unit  string `xml:"unit,attr"`
}

// kind is the xsi:type without a namespace prefix.
func (v xValue) kind() string {
	t := strings.TrimSpace(v.Type)
	if i := strings.LastIndexByte(t, ':'); i >= 0 {
		t = t[i+1:]
	}
	return t
}

type xAnnotationSet struct {
	Annotations []xAnnotation `xml:"component>annotation"`
}

type xAnnotation struct {
	Code        xCode         `xml:"code"`
	Value       xValue        `xml:"value"`
	Support     []xCode       `xml:"support>supportingROI>component>boundary>code"`
	Annotations []xAnnotation `xml:"component>annotation"`
}
