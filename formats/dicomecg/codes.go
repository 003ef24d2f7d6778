package dicomecg

import (
	"strconv"
	"strings"
	"unicode"

	"telewave/formats/ecg12"
)

// leadCode is one ECG lead in the two coding schemes DICOM uses for Channel
// Source (CID 3001): MDC (ISO/IEEE 11073-10101, written "2:<term>") and
// SCPECG (EN 1064 lead ids, written "5.6.3-9-<id>"). The term codes of the
// two schemes coincide. Terms 1–8 and 61–64 are certain (the Mortara file
// and every 11073 table agree); the others follow the 11073 ECG lead
// partition as remembered and are used only to name leads, never to derive.
type leadCode struct {
	term    int
	label   string // ecg12 label
	meaning string // MDC code meaning, "Lead I"
	scp     string // SCPECG code meaning, "Lead I (Einthoven)"
}

var leadCodes = []leadCode{
	{1, "I", "Lead I", "Lead I (Einthoven)"},
	{2, "II", "Lead II", "Lead II"},
	{3, "V1", "Lead V1", "Lead V1"},
	{4, "V2", "Lead V2", "Lead V2"},
	{5, "V3", "Lead V3", "Lead V3"},
	{6, "V4", "Lead V4", "Lead V4"},
	{7, "V5", "Lead V5", "Lead V5"},
	{8, "V6", "Lead V6", "Lead V6"},
	{9, "V7", "Lead V7", "Lead V7"},
	{10, "V2R", "Lead V2R", "Lead V2R"},
	{11, "V3R", "Lead V3R", "Lead V3R"},
	{12, "V4R", "Lead V4R", "Lead V4R"},
	{13, "V5R", "Lead V5R", "Lead V5R"},
	{14, "V6R", "Lead V6R", "Lead V6R"},
	{15, "V7R", "Lead V7R", "Lead V7R"},
	{16, "X", "Lead X", "Lead X"},
	{17, "Y", "Lead Y", "Lead Y"},
	{18, "Z", "Lead Z", "Lead Z"},
	{61, "III", "Lead III", "Lead III"},
	{62, "aVR", "Lead aVR", "Lead aVR"},
	{63, "aVL", "Lead aVL", "Lead aVL"},
	{64, "aVF", "Lead aVF", "Lead aVF"},
	{65, "-aVR", "Lead -aVR", "Lead -aVR"},
	{66, "V8", "Lead V8", "Lead V8"},
	{67, "V9", "Lead V9", "Lead V9"},
}

// privateScheme names codes this package makes up for leads and
// measurements no standard code was found for; the meaning carries the name.
const privateScheme = "99TELEWAVE"

// mdcPartitionECG is the 11073 context-free code of the ECG lead partition
// (2 << 16): MDC_ECG_LEAD_I is 131073. Some writers use that form.
const mdcPartitionECG = 2 << 16

func leadByTerm(term int) (leadCode, bool) {
	for _, l := range leadCodes {
		if l.term == term {
			return l, true
		}
	}
	return leadCode{}, false
}

func leadByLabel(label string) (leadCode, bool) {
	for _, l := range leadCodes {
		if l.label == label {
			return l, true
		}
	}
	return leadCode{}, false
}

// leadLabel names a channel from its source code: by code value for the
// MDC and SCPECG schemes, else by code meaning.
func leadLabel(c code) string {
	term := -1
	switch c.scheme {
	case "MDC":
		if v, ok := strings.CutPrefix(c.value, "2:"); ok {
			term, _ = strconv.Atoi(v)
		} else if n, err := strconv.Atoi(c.value); err == nil && n > mdcPartitionECG && n < mdcPartitionECG+256 {
			term = n - mdcPartitionECG
		}
	case "SCPECG":
		if v, ok := strings.CutPrefix(c.value, "5.6.3-9-"); ok {
			term, _ = strconv.Atoi(v)
		}
	case privateScheme:
		if c.meaning != "" {
			return c.meaning
		}
		return c.value
	}
	if l, ok := leadByTerm(term); ok {
		return l.label
	}
	return labelFromMeaning(c.meaning)
}

// labelFromMeaning turns "Lead I (Einthoven)", "Lead aVR", "V7" into a
// label.
func labelFromMeaning(m string) string {
	if i := strings.IndexByte(m, '('); i > 0 {
		m = m[:i]
	}
	m = strings.TrimSpace(m)
	l := ecg12.NormalizeLabel(m)
	if l == m && len(m) > 5 && strings.EqualFold(m[:5], "lead ") {
		l = strings.TrimSpace(m[5:])
	}
	return l
}

// measureCode is one of the cart's global measurements: its ecg12 name, the
// code written for it and its usual unit. The SCPECG codes are those a
// Mortara ELI 250 writes (seen in the pydicom sample file); 8867-4 is
// LOINC's heart rate.
type measureCode struct {
	name, scheme, value, meaning string
}

var measureCodes = []measureCode{
	{"VentricularRate", "LN", "8867-4", "Heart rate"},
	{"AtrialRate", privateScheme, "AtrialRate", "Atrial Rate"},
	{"RRInterval", "SCPECG", "5.10.2.1-3", "RR Interval"},
	{"PPInterval", "SCPECG", "5.10.2.1-5", "PP Interval"},
	{"PRInterval", "SCPECG", "5.13.5-7", "PR Interval"},
	{"QRSDuration", "SCPECG", "5.13.5-9", "QRS Duration"},
	{"QTInterval", "SCPECG", "5.13.5-11", "QT Interval"},
	{"QTc", "SCPECG", "5.10.2.5-5", "QTc Interval"},
	{"PAxis", "SCPECG", "5.10.3-11", "P Axis"},
	{"QRSAxis", "SCPECG", "5.10.3-13", "QRS Axis"},
	{"TAxis", "SCPECG", "5.10.3-15", "T Axis"},
}

// measureAliases maps code meanings, squeezed (lower case, letters and
// digits only), to measurement names.
var measureAliases = map[string]string{
	"heartrate": "VentricularRate", "ventricularrate": "VentricularRate", "ventricularheartrate": "VentricularRate",
	"atrialrate": "AtrialRate", "atrialheartrate": "AtrialRate",
	"rrinterval": "RRInterval", "ppinterval": "PPInterval",
	"printerval": "PRInterval", "qrsduration": "QRSDuration", "qtinterval": "QTInterval",
	"qtcinterval": "QTc", "qtc": "QTc", "qtintervalcorrected": "QTc", "qtcorrected": "QTc",
	"paxis": "PAxis", "pwaveaxis": "PAxis", "qrsaxis": "QRSAxis", "raxis": "QRSAxis",
	"taxis": "TAxis", "twaveaxis": "TAxis",
}

func squeeze(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// measurementName names a measurement from its concept name code.
func measurementName(c code) string {
	if c.scheme == privateScheme && c.meaning != "" {
		if n, ok := measureAliases[squeeze(c.meaning)]; ok {
			return n
		}
		return c.meaning
	}
	if n, ok := measureAliases[squeeze(c.meaning)]; ok {
		return n
	}
	for _, m := range measureCodes {
		if m.scheme == c.scheme && m.value == c.value {
			return m.name
		}
	}
	if c.meaning != "" {
		return c.meaning
	}
	return c.value
}

// normalizeUnit maps unit codes carts write to the UCUM ones ecg12 uses.
func normalizeUnit(u string) string {
	switch strings.ToLower(u) {
	case "bpm", "/min", "{beats}/min", "beats/min", "1/min", "{beat}/min":
		return "/min"
	case "ms", "msec":
		return "ms"
	case "deg", "degrees", "°":
		return "deg"
	}
	return u
}

// unitMeaning is the code meaning written with a UCUM unit.
func unitMeaning(u string) string {
	switch u {
	case "ms":
		return "milliseconds"
	case "deg":
		return "degrees"
	case "/min":
		return "per minute"
	case "uV":
		return "microvolt"
	}
	return u
}
