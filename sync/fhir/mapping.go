package fhir

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
)

// Systems names the identifier systems of one EHR integration.
type Systems struct {
	// Observation is our own URI for the business identifiers of the
	// Observations we send; it makes a resend find the first upload.
	Observation string
	// MRN is the EHR's system for medical record numbers, used to find the
	// Patient. Integrators supply it (often an OID).
	MRN string
	// Device names device serial numbers; DeviceMetric our channel ids.
	Device, DeviceMetric string
	// Strip is set, beside its own identifier, on every Observation of a
	// strip: a report finds the strip's segments by it.
	Strip string
	// Media identifies stethoscope clips (Media or DocumentReference),
	// Report the DiagnosticReports of clinicians' interpretations.
	Media, Report string
	// Provenance is the system of the meta.tag that makes a Provenance's
	// conditional create idempotent (R4 Provenance has no identifier).
	Provenance string
}

// Default identifier systems, used for any Systems field left empty.
const (
	DefaultObservationSystem  = "https://telewave.example/fhir/sid/observation"
	DefaultMRNSystem          = "urn:telewave:mrn"
	DefaultDeviceSystem       = "https://telewave.example/fhir/sid/device-serial"
	DefaultDeviceMetricSystem = "https://telewave.example/fhir/sid/device-metric"
	DefaultStripSystem        = "https://telewave.example/fhir/sid/strip"
	DefaultMediaSystem        = "https://telewave.example/fhir/sid/clip"
	DefaultReportSystem       = "https://telewave.example/fhir/sid/report"
	DefaultProvenanceSystem   = "https://telewave.example/fhir/sid/provenance"
)

func (s Systems) withDefaults() Systems {
	for _, f := range []struct {
		field *string
		def   string
	}{
		{&s.Observation, DefaultObservationSystem}, {&s.MRN, DefaultMRNSystem},
		{&s.Device, DefaultDeviceSystem}, {&s.DeviceMetric, DefaultDeviceMetricSystem},
		{&s.Strip, DefaultStripSystem}, {&s.Media, DefaultMediaSystem},
		{&s.Report, DefaultReportSystem}, {&s.Provenance, DefaultProvenanceSystem},
	} {
		if *f.field == "" {
			*f.field = f.def
		}
	}
	return s
}

// MDC codes of non-invasive blood pressure, which travel as components of
// one Observation rather than as three.
const (
	mdcNIBPSys  uint32 = 150021
	mdcNIBPDia  uint32 = 150022
	mdcNIBPMean uint32 = 150023
)

// MDC codes of body measurements (ISO/IEEE 11073-10101, as the weighing
// scale and height devices of 11073-104xx send them).
const (
	mdcMassBodyActual     uint32 = 188736
	mdcLenBodyActual      uint32 = 188740
	mdcRatioMassBodyLenSq uint32 = 188752
)

// vitalSign is how one MDC code maps to an R4 vital-signs profile.
type vitalSign struct {
	profile string   // core profile name, appended to profileBase
	loinc   []Coding // in order; the profile's required code first
	mdcName string   // reference id of the MDC code, used as display
	unit    string   // canonical UCUM code
	accept  []string // other UCUM codes valid for the profile
	alias   []string // non-UCUM spellings devices use for the canonical unit
}

var vitalSigns = map[uint32]vitalSign{
	devices.MDCPulsOximSatO2: {
		profile: "oxygensat",
		loinc: []Coding{
			{System: SystemLOINC, Code: "2708-6", Display: "Oxygen saturation in Arterial blood"},
			{System: SystemLOINC, Code: "59408-5", Display: "Oxygen saturation in Arterial blood by Pulse oximetry"},
		},
		mdcName: "MDC_PULS_OXIM_SAT_O2", unit: "%",
	},
	devices.MDCPulsOximPulsRt: {
		profile: "heartrate",
		loinc:   []Coding{{System: SystemLOINC, Code: "8867-4", Display: "Heart rate"}},
		mdcName: "MDC_PULS_OXIM_PULS_RATE", unit: "/min", alias: []string{"bpm", "1/min", "{beats}/min"},
	},
	devices.MDCECGHeartRate: {
		profile: "heartrate",
		loinc:   []Coding{{System: SystemLOINC, Code: "8867-4", Display: "Heart rate"}},
		mdcName: "MDC_ECG_HEART_RATE", unit: "/min", alias: []string{"bpm", "1/min", "{beats}/min"},
	},
	151562: {
		profile: "resprate",
		loinc:   []Coding{{System: SystemLOINC, Code: "9279-1", Display: "Respiratory rate"}},
		mdcName: "MDC_RESP_RATE", unit: "/min", alias: []string{"rpm", "1/min", "{breaths}/min", "brpm"},
	},
	150364: {
		profile: "bodytemp",
		loinc:   []Coding{{System: SystemLOINC, Code: "8310-5", Display: "Body temperature"}},
		mdcName: "MDC_TEMP_BODY", unit: "Cel", accept: []string{"[degF]"}, alias: []string{"°C", "C", "degC"},
	},
	mdcMassBodyActual: {
		profile: "bodyweight",
		loinc:   []Coding{{System: SystemLOINC, Code: "29463-7", Display: "Body weight"}},
		mdcName: "MDC_MASS_BODY_ACTUAL", unit: "kg", accept: []string{"g", "[lb_av]"},
	},
	mdcLenBodyActual: {
		profile: "bodyheight",
		loinc:   []Coding{{System: SystemLOINC, Code: "8302-2", Display: "Body height"}},
		mdcName: "MDC_LEN_BODY_ACTUAL", unit: "cm", accept: []string{"m", "[in_i]"},
	},
	mdcRatioMassBodyLenSq: {
		profile: "bmi",
		loinc:   []Coding{{System: SystemLOINC, Code: "39156-5", Display: "Body mass index (BMI) [Ratio]"}},
		mdcName: "MDC_RATIO_MASS_BODY_LEN_SQ", unit: "kg/m2", alias: []string{"kg/m²", "kg/m^2"},
	},
}

var bpComponents = []struct {
	mdc     uint32
	loinc   Coding
	mdcName string
	needed  bool // the bp profile requires systolic and diastolic
}{
	{mdcNIBPSys, Coding{System: SystemLOINC, Code: "8480-6", Display: "Systolic blood pressure"}, "MDC_PRESS_BLD_NONINV_SYS", true},
	{mdcNIBPDia, Coding{System: SystemLOINC, Code: "8462-4", Display: "Diastolic blood pressure"}, "MDC_PRESS_BLD_NONINV_DIA", true},
	{mdcNIBPMean, Coding{System: SystemLOINC, Code: "8478-0", Display: "Mean blood pressure"}, "MDC_PRESS_BLD_NONINV_MEAN", false},
}

// unit returns the UCUM code to send for u, and false when u is not a unit
// this vital sign may carry (the caller then falls back to MDC only).
func (v vitalSign) ucum(u string) (string, bool) {
	if u == "" || u == v.unit {
		return v.unit, true
	}
	for _, a := range v.accept {
		if u == a {
			return a, true
		}
	}
	for _, a := range v.alias {
		if strings.EqualFold(u, a) {
			return v.unit, true
		}
	}
	return "", false
}

// identifierNamespace scopes the UUIDs derived from chart ids. Fixed forever:
// changing it would make every resend after an upgrade a duplicate.
var identifierNamespace = uuid.MustParse("5b0f9d2e-7c1a-4e53-9a64-3f1e2d8c7b10")

// ErrEmptyChart is returned for a chart without vitals: a panel needs members.
var ErrEmptyChart = errors.New("chart has no vitals")

// ObservationIdentifier returns the business identifier value of the
// Observation sent for key ("panel", "bp" or a decimal MDC code) of chart
// chartID: a name-based UUID, so a resend carries the same value.
func ObservationIdentifier(chartID, key string) string {
	return uuid.NewSHA1(identifierNamespace, []byte(chartID+"/"+key)).String()
}

// fullURL is the Bundle-local placeholder of the same Observation. It must
// differ from the identifier: Medplum rewrites every string equal to a
// fullUrl, identifiers included, which would break the resend's match.
func fullURL(chartID, key string) string {
	return "urn:uuid:" + uuid.NewSHA1(identifierNamespace, []byte(chartID+"/"+key+"/fullUrl")).String()
}

// ChartBundle builds the one transaction Bundle of a charted vitals panel
// (see MapChart): the members, the panel that has them as members, the
// Device upsert of a device's chart and a Provenance. Every entry is a
// conditional create (or, for the Device, update) on its own identifier,
// so sending it twice stores it once. patientRef is the EHR's
// "Patient/<id>". A chart too large for one transaction is refused with
// ErrChartSplit; MapChart sends it in parts.
func ChartBundle(c storage.Chart, patientRef string, sys Systems) (Bundle, error) {
	u, err := MapChart(c, patientRef, sys)
	if err != nil {
		return Bundle{}, fmt.Errorf("chart bundle: %w", err)
	}
	if n := u.Transactions(); n > 1 {
		return Bundle{}, fmt.Errorf("chart bundle %s: %d members take %d transactions: %w", c.ID, len(u.members), n, ErrChartSplit)
	}
	return u.Panel(nil)
}

func isNIBP(code uint32) bool {
	return code == mdcNIBPSys || code == mdcNIBPDia || code == mdcNIBPMean
}

func hasCode(vs []storage.Vital, code uint32) bool {
	for _, v := range vs {
		if v.Code == code {
			return true
		}
	}
	return false
}

func indexOf(s []string, v string) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func observationEntry(o Observation, chartID, key, system string) (BundleEntry, error) {
	id := ObservationIdentifier(chartID, key)
	o.Identifier = []Identifier{{System: system, Value: id}}
	raw, err := json.Marshal(o)
	if err != nil {
		return BundleEntry{}, fmt.Errorf("encode observation %s of chart %s: %w", key, chartID, err)
	}
	return BundleEntry{
		FullURL:  fullURL(chartID, key),
		Resource: raw,
		Request: &EntryRequest{
			Method:      "POST",
			URL:         "Observation",
			IfNoneExist: "identifier=" + system + "|" + id,
		},
	}, nil
}

func vitalSignsCategory() CodeableConcept {
	return CodeableConcept{
		Coding: []Coding{{System: SystemObsCategory, Code: categoryVitalSigns, Display: "Vital Signs"}},
		Text:   "Vital Signs",
	}
}

func deviceReference(d devices.DeviceInfo) *Reference {
	name := strings.TrimSpace(strings.Join([]string{d.Model, d.Protocol}, " "))
	if name == "" {
		return nil
	}
	if d.Serial != "" {
		name += " SN " + d.Serial
	}
	return &Reference{Display: name}
}

func mdcCoding(code uint32, display string) Coding {
	return Coding{System: SystemMDC, Code: strconv.FormatUint(uint64(code), 10), Display: display}
}

// vitalObservation maps one vital; codes without a profile mapping (or with a
// unit the profile does not allow) keep their MDC code and raw unit.
func vitalObservation(base Observation, v storage.Vital) Observation {
	o := base
	spec, known := vitalSigns[v.Code]
	unit := v.Unit
	if known {
		if u, ok := spec.ucum(v.Unit); ok {
			unit = u
		} else {
			known = false
		}
	}
	if known {
		o.Meta = &Meta{Profile: []string{profileBase + spec.profile}}
		o.Code = CodeableConcept{Coding: append(append([]Coding(nil), spec.loinc...), mdcCoding(v.Code, spec.mdcName))}
		if v.Label != "" {
			o.Code.Text = v.Label
		}
	} else {
		o.Code = CodeableConcept{Coding: []Coding{mdcCoding(v.Code, v.Label)}, Text: v.Label}
	}
	q, absent := measured(v, unit)
	o.ValueQuantity, o.DataAbsentReason = q, absent
	if v.Status == devices.QuestionableValue {
		o.Status = "preliminary"
	}
	return o
}

// measured returns the value as a Quantity, or why there is none.
func measured(v storage.Vital, unit string) (*Quantity, *CodeableConcept) {
	reason := ""
	switch {
	case v.Status == devices.Unavailable:
		reason = "unknown"
	case math.IsNaN(v.Value):
		reason = "NaN"
	case math.IsInf(v.Value, 1):
		reason = "PINF"
	case math.IsInf(v.Value, -1):
		reason = "NINF"
	}
	if reason != "" {
		return nil, &CodeableConcept{Coding: []Coding{{System: SystemDataAbsent, Code: reason}}}
	}
	q := &Quantity{Value: v.Value, Unit: unit}
	if unit != "" {
		q.System, q.Code = SystemUCUM, unit
	}
	return q, nil
}

// bloodPressure folds the NIBP vitals of one chart into one bp Observation.
// The profile needs systolic and diastolic: a missing one is sent as absent.
func bloodPressure(base Observation, vitals []storage.Vital) Observation {
	o := base
	o.Meta = &Meta{Profile: []string{profileBase + "bp"}}
	o.Code = CodeableConcept{
		Coding: []Coding{
			{System: SystemLOINC, Code: "85354-9", Display: "Blood pressure panel with all children optional"},
			mdcCoding(150020, "MDC_PRESS_BLD_NONINV"),
		},
		Text: "Blood pressure",
	}
	preliminary := false
	for _, c := range bpComponents {
		comp := ObservationComponent{Code: CodeableConcept{Coding: []Coding{c.loinc, mdcCoding(c.mdc, c.mdcName)}}}
		var found *storage.Vital
		for i := range vitals {
			if vitals[i].Code == c.mdc {
				found = &vitals[i]
				break
			}
		}
		switch {
		case found != nil:
			unit := found.Unit
			if unit == "" || strings.EqualFold(unit, "mmHg") {
				unit = "mm[Hg]"
			}
			comp.ValueQuantity, comp.DataAbsentReason = measured(*found, unit)
			preliminary = preliminary || found.Status == devices.QuestionableValue
		case c.needed:
			comp.DataAbsentReason = &CodeableConcept{Coding: []Coding{{System: SystemDataAbsent, Code: "unknown"}}}
		default:
			continue
		}
		o.Component = append(o.Component, comp)
	}
	if preliminary {
		o.Status = "preliminary"
	}
	return o
}
