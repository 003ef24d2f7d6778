// Package fhir maps charted vitals to FHIR R4 resources and sends them to an
// EHR: typed resources, the vital-signs mapping (reference/fhir.md §4), a
// retrying client that refuses plain HTTP off the machine, and the Sender the
// outbox drains through. It never creates Patients: unmatched work waits for
// a clinician.
package fhir

import "encoding/json"

// Code systems and URIs used in emitted resources.
const (
	SystemLOINC        = "http://loinc.org"
	SystemMDC          = "urn:iso:std:iso:11073:10101"
	SystemUCUM         = "http://unitsofmeasure.org"
	SystemObsCategory  = "http://terminology.hl7.org/CodeSystem/observation-category"
	SystemDataAbsent   = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
	SystemSNOMED       = "http://snomed.info/sct"
	profileBase        = "http://hl7.org/fhir/StructureDefinition/"
	categoryVitalSigns = "vital-signs"
)

// Coding is a code from a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is a set of codings meaning one thing, with optional text.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is a business identifier: a value unique within its system.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference points at another resource, by literal reference, by
// identifier, or only by a display text.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// Quantity is a measured amount with a UCUM unit.
type Quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

// Meta carries the profiles a resource claims and the server's version.
type Meta struct {
	VersionID   string   `json:"versionId,omitempty"`
	LastUpdated string   `json:"lastUpdated,omitempty"`
	Profile     []string `json:"profile,omitempty"`
	// Tag carries our idempotency key on resources that have no
	// identifier element (Provenance).
	Tag []Coding `json:"tag,omitempty"`
}

// ObservationComponent is one part of a multi-part observation, such as the
// systolic value of a blood pressure.
type ObservationComponent struct {
	Code             CodeableConcept  `json:"code"`
	ValueQuantity    *Quantity        `json:"valueQuantity,omitempty"`
	ValueSampledData *SampledData     `json:"valueSampledData,omitempty"`
	DataAbsentReason *CodeableConcept `json:"dataAbsentReason,omitempty"`
}

// Observation is the R4 Observation subset the workstation emits and reads.
type Observation struct {
	ResourceType      string                 `json:"resourceType"`
	ID                string                 `json:"id,omitempty"`
	Meta              *Meta                  `json:"meta,omitempty"`
	Identifier        []Identifier           `json:"identifier,omitempty"`
	Status            string                 `json:"status"`
	Category          []CodeableConcept      `json:"category,omitempty"`
	Code              CodeableConcept        `json:"code"`
	Subject           *Reference             `json:"subject,omitempty"`
	EffectiveDateTime string                 `json:"effectiveDateTime,omitempty"`
	EffectivePeriod   *Period                `json:"effectivePeriod,omitempty"`
	Performer         []Reference            `json:"performer,omitempty"`
	ValueQuantity     *Quantity              `json:"valueQuantity,omitempty"`
	DataAbsentReason  *CodeableConcept       `json:"dataAbsentReason,omitempty"`
	Device            *Reference             `json:"device,omitempty"`
	HasMember         []Reference            `json:"hasMember,omitempty"`
	Component         []ObservationComponent `json:"component,omitempty"`
}

// Patient is the part of an R4 Patient the workstation reads when matching.
type Patient struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
}

// Bundle is an R4 Bundle: a transaction the workstation sends, or a
// searchset or transaction-response it reads. Resources stay raw JSON so one
// type carries any resource; decode them into the typed structs above.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Type         string        `json:"type"`
	Total        *int          `json:"total,omitempty"`
	Link         []BundleLink  `json:"link,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleLink is a paging or self link of a searchset.
type BundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// BundleEntry is one resource of a Bundle with what to do with it (request)
// or what was done (response).
type BundleEntry struct {
	FullURL  string          `json:"fullUrl,omitempty"`
	Resource json.RawMessage `json:"resource,omitempty"`
	Search   *EntrySearch    `json:"search,omitempty"`
	Request  *EntryRequest   `json:"request,omitempty"`
	Response *EntryResponse  `json:"response,omitempty"`
}

// EntrySearch says why a searchset entry is there ("match" or "include").
type EntrySearch struct {
	Mode string `json:"mode,omitempty"`
}

// EntryRequest is the REST call a transaction entry stands for.
type EntryRequest struct {
	Method      string `json:"method"`
	URL         string `json:"url"`
	IfNoneExist string `json:"ifNoneExist,omitempty"`
}

// EntryResponse is a server's answer to one transaction entry.
type EntryResponse struct {
	Status   string          `json:"status"`
	Location string          `json:"location,omitempty"`
	Outcome  json.RawMessage `json:"outcome,omitempty"`
}

// OperationOutcome is how a FHIR server explains an error.
type OperationOutcome struct {
	ResourceType string         `json:"resourceType"`
	Issue        []OutcomeIssue `json:"issue,omitempty"`
}

// OutcomeIssue is one problem an OperationOutcome reports.
type OutcomeIssue struct {
	Severity    string           `json:"severity,omitempty"`
	Code        string           `json:"code,omitempty"`
	Details     *CodeableConcept `json:"details,omitempty"`
	Diagnostics string           `json:"diagnostics,omitempty"`
	Expression  []string         `json:"expression,omitempty"`
}

// Period is a time range; an open end is left empty.
type Period struct {
	Start string `json:"start,omitempty"`
	End   string `json:"end,omitempty"`
}

// SampledData is a series of samples at a fixed period: the value of
// sample i is Origin + Factor × data[i]. Data holds the integer counts,
// space-separated, with "E" for no value and "L"/"U" beyond the limits.
type SampledData struct {
	Origin     Quantity `json:"origin"`
	Period     float64  `json:"period"` // milliseconds between samples
	Factor     *float64 `json:"factor,omitempty"`
	LowerLimit *float64 `json:"lowerLimit,omitempty"`
	UpperLimit *float64 `json:"upperLimit,omitempty"`
	Dimensions int      `json:"dimensions"`
	Data       string   `json:"data,omitempty"`
}

// Attachment points at content held elsewhere (a Binary) and describes it.
type Attachment struct {
	ContentType string `json:"contentType,omitempty"`
	URL         string `json:"url,omitempty"`
	Size        int    `json:"size,omitempty"`
	Hash        string `json:"hash,omitempty"` // SHA-1, base64
	Title       string `json:"title,omitempty"`
	Creation    string `json:"creation,omitempty"`
}

// Provenance says who and what produced the target resources.
type Provenance struct {
	ResourceType string            `json:"resourceType"`
	ID           string            `json:"id,omitempty"`
	Meta         *Meta             `json:"meta,omitempty"`
	Target       []Reference       `json:"target"`
	Recorded     string            `json:"recorded"`
	Activity     *CodeableConcept  `json:"activity,omitempty"`
	Agent        []ProvenanceAgent `json:"agent"`
}

// ProvenanceAgent is one actor of a Provenance: a device or an author.
type ProvenanceAgent struct {
	Type *CodeableConcept `json:"type,omitempty"`
	Who  Reference        `json:"who"`
}
