package fhir

import (
	"errors"
	"fmt"
	"strings"

	"telewave/storage"
)

// DiagnosticReport is the R4 DiagnosticReport subset for a clinician's
// interpretation of strips.
type DiagnosticReport struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id,omitempty"`
	Identifier        []Identifier      `json:"identifier,omitempty"`
	Status            string            `json:"status"`
	Category          []CodeableConcept `json:"category,omitempty"`
	Code              CodeableConcept   `json:"code"`
	Subject           *Reference        `json:"subject,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	Issued            string            `json:"issued,omitempty"`
	Performer         []Reference       `json:"performer,omitempty"`
	Result            []Reference       `json:"result,omitempty"`
	Conclusion        string            `json:"conclusion,omitempty"`
}

// electrocardiac is the HL7 v2 diagnostic service section of ECG reports.
var electrocardiac = CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v2-0074", Code: "EC", Display: "Electrocardiac (e.g., EKG, EEC, Holter)"}}}

// ReportBundle builds the transaction for a clinician's report: one
// DiagnosticReport, a conditional create on the report's own identifier,
// whose results are the strips' Observations already on the server
// (results: "Observation/<id>"). A report on strips is coded LOINC 11524-6
// "EKG study"; one without strips carries only its text.
func ReportBundle(r storage.Report, results []string, patientRef string, sys Systems) (Bundle, error) {
	sys = sys.withDefaults()
	switch {
	case r.ID == "":
		return Bundle{}, errors.New("report bundle: report has no id")
	case !strings.HasPrefix(patientRef, "Patient/") || len(patientRef) == len("Patient/"):
		return Bundle{}, fmt.Errorf("report bundle %s: patient reference %q is not Patient/<id>", r.ID, patientRef)
	case r.Time.IsZero() || strings.TrimSpace(r.Text) == "":
		return Bundle{}, fmt.Errorf("report bundle %s: needs a time and a text", r.ID)
	}
	id := ObservationIdentifier(r.ID, "report")
	d := DiagnosticReport{
		ResourceType:      "DiagnosticReport",
		Identifier:        []Identifier{{System: sys.Report, Value: id}},
		Status:            "final",
		Code:              CodeableConcept{Text: "Clinician's interpretation"},
		Subject:           &Reference{Reference: patientRef},
		EffectiveDateTime: formatTime(r.Time),
		Issued:            formatTime(r.Time),
		Conclusion:        r.Text,
	}
	if len(r.Strips) > 0 {
		d.Category = []CodeableConcept{electrocardiac}
		d.Code = CodeableConcept{Coding: []Coding{ecgStudyLOINC}, Text: "ECG interpretation"}
	}
	if r.Author != "" {
		d.Performer = []Reference{{Display: r.Author}}
	}
	for _, ref := range results {
		if !strings.HasPrefix(ref, "Observation/") {
			return Bundle{}, fmt.Errorf("report bundle %s: result %q is not Observation/<id>", r.ID, ref)
		}
		d.Result = append(d.Result, Reference{Reference: ref})
	}
	e, err := createEntry("DiagnosticReport", fullURL(r.ID, "report"), d, sys.Report, id)
	if err != nil {
		return Bundle{}, fmt.Errorf("report bundle %s: %w", r.ID, err)
	}
	return Bundle{ResourceType: "Bundle", Type: "transaction", Entry: []BundleEntry{e}}, nil
}
