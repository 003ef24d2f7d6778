package fhir

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// observationElements are the R4 Observation elements; anything else at the
// top level would be rejected by a conformant server.
var observationElements = map[string]bool{
	"resourceType": true, "id": true, "meta": true, "implicitRules": true, "language": true, "text": true,
	"contained": true, "extension": true, "modifierExtension": true, "identifier": true, "basedOn": true,
	"partOf": true, "status": true, "category": true, "code": true, "subject": true, "focus": true,
	"encounter": true, "effectiveDateTime": true, "effectivePeriod": true, "effectiveTiming": true,
	"effectiveInstant": true, "issued": true, "performer": true, "valueQuantity": true,
	"valueCodeableConcept": true, "valueString": true, "valueBoolean": true, "valueInteger": true,
	"valueRange": true, "valueRatio": true, "valueSampledData": true, "valueTime": true,
	"valueDateTime": true, "valuePeriod": true, "dataAbsentReason": true, "interpretation": true,
	"note": true, "bodySite": true, "method": true, "specimen": true, "device": true,
	"referenceRange": true, "hasMember": true, "derivedFrom": true, "component": true,
}

var (
	observationStatus = map[string]bool{
		"registered": true, "preliminary": true, "final": true, "amended": true,
		"corrected": true, "cancelled": true, "entered-in-error": true, "unknown": true,
	}
	// R4 dateTime with the seconds and zone a vital sign must carry.
	dateTimeWithZone = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$`)
	urnUUID          = regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	uuidValue        = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	ucumCode         = regexp.MustCompile(`^[^\s]+$`)
)

// checkTransaction validates a transaction Bundle the way a strict R4
// server would, plus our own rules (idempotent conditional creates, ids
// that never reuse a fullUrl). It returns the decoded Observations by
// fullUrl.
func checkTransaction(tb testing.TB, b Bundle, patientRef string, sys Systems) map[string]Observation {
	tb.Helper()
	if b.ResourceType != "Bundle" || b.Type != "transaction" {
		tb.Fatalf("bundle is %s/%s, want Bundle/transaction", b.ResourceType, b.Type)
	}
	if len(b.Entry) == 0 {
		tb.Fatal("bundle has no entries")
	}
	out := make(map[string]Observation)
	idents := make(map[string]bool)
	for i, e := range b.Entry {
		if !urnUUID.MatchString(e.FullURL) {
			tb.Errorf("entry %d fullUrl %q is not urn:uuid:<uuid>", i, e.FullURL)
		}
		if _, dup := out[e.FullURL]; dup {
			tb.Errorf("entry %d repeats fullUrl %s", i, e.FullURL)
		}
		if checkCompanion(tb, i, e) {
			continue
		}
		o := checkObservation(tb, i, e.Resource, patientRef)
		out[e.FullURL] = o
		if len(o.Identifier) != 1 || o.Identifier[0].System != sys.Observation || !uuidValue.MatchString(o.Identifier[0].Value) {
			tb.Errorf("entry %d identifier %+v, want one %s|<uuid>", i, o.Identifier, sys.Observation)
			continue
		}
		id := o.Identifier[0].Value
		if idents[id] {
			tb.Errorf("entry %d repeats identifier %s", i, id)
		}
		idents[id] = true
		if strings.Contains(e.FullURL, id) {
			tb.Errorf("entry %d identifier %s reuses the fullUrl", i, id)
		}
		want := EntryRequest{Method: "POST", URL: "Observation", IfNoneExist: "identifier=" + sys.Observation + "|" + id}
		if e.Request == nil || *e.Request != want {
			tb.Errorf("entry %d request %+v, want %+v", i, e.Request, want)
		}
		if e.Response != nil || e.Search != nil {
			tb.Errorf("entry %d carries response/search in a request bundle", i)
		}
	}
	for id := range idents {
		for full := range out {
			if strings.Contains(full, id) {
				tb.Errorf("identifier %s reuses fullUrl %s", id, full)
			}
		}
	}
	return out
}

// checkCompanion checks a Device upsert or a Provenance beside a chart's
// Observations, and reports whether the entry was one.
func checkCompanion(tb testing.TB, i int, e BundleEntry) bool {
	tb.Helper()
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	if err := json.Unmarshal(e.Resource, &head); err != nil {
		tb.Fatalf("entry %d resource: %v", i, err)
	}
	switch head.ResourceType {
	case "Device":
		if e.Request == nil || e.Request.Method != "PUT" || !strings.HasPrefix(e.Request.URL, "Device?identifier=") {
			tb.Errorf("entry %d: Device request %+v, want a conditional update on its identifier", i, e.Request)
		}
	case "Provenance":
		if e.Request == nil || e.Request.Method != "POST" || !strings.HasPrefix(e.Request.IfNoneExist, "_tag=") {
			tb.Errorf("entry %d: Provenance request %+v, want a conditional create on its tag", i, e.Request)
		}
	default:
		return false
	}
	return true
}

func checkObservation(tb testing.TB, i int, raw json.RawMessage, patientRef string) Observation {
	tb.Helper()
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		tb.Fatalf("entry %d resource: %v", i, err)
	}
	for k := range fields {
		if !observationElements[k] {
			tb.Errorf("entry %d: %q is not an R4 Observation element", i, k)
		}
	}
	var o Observation
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		tb.Fatalf("entry %d: %v", i, err)
	}
	if o.ResourceType != "Observation" || o.ID != "" {
		tb.Errorf("entry %d: resourceType %q id %q, want Observation without id", i, o.ResourceType, o.ID)
	}
	if !observationStatus[o.Status] {
		tb.Errorf("entry %d: status %q is not an R4 code", i, o.Status)
	}
	if !hasCoding(o.Category, SystemObsCategory, categoryVitalSigns) {
		tb.Errorf("entry %d: category %+v lacks vital-signs", i, o.Category)
	}
	if len(o.Code.Coding) == 0 {
		tb.Errorf("entry %d: code has no coding", i)
	}
	for _, c := range o.Code.Coding {
		if c.System == "" || c.Code == "" {
			tb.Errorf("entry %d: coding %+v lacks system or code", i, c)
		}
	}
	if o.Subject == nil || o.Subject.Reference != patientRef {
		tb.Errorf("entry %d: subject %+v, want %s", i, o.Subject, patientRef)
	}
	if !dateTimeWithZone.MatchString(o.EffectiveDateTime) {
		tb.Errorf("entry %d: effectiveDateTime %q lacks seconds or zone", i, o.EffectiveDateTime)
	} else if _, err := time.Parse(time.RFC3339, o.EffectiveDateTime); err != nil {
		tb.Errorf("entry %d: effectiveDateTime: %v", i, err)
	}
	checkQuantity(tb, i, o.ValueQuantity)
	if o.ValueQuantity != nil && o.DataAbsentReason != nil {
		tb.Errorf("entry %d: both a value and a dataAbsentReason", i)
	}
	if o.DataAbsentReason != nil && !hasSystem(o.DataAbsentReason.Coding, SystemDataAbsent) {
		tb.Errorf("entry %d: dataAbsentReason %+v not from %s", i, o.DataAbsentReason, SystemDataAbsent)
	}
	if o.ValueQuantity == nil && o.DataAbsentReason == nil && len(o.Component) == 0 && len(o.HasMember) == 0 {
		tb.Errorf("entry %d: no value, dataAbsentReason, component or member", i)
	}
	for j, c := range o.Component {
		if len(c.Code.Coding) == 0 {
			tb.Errorf("entry %d component %d: no code", i, j)
		}
		if (c.ValueQuantity == nil) == (c.DataAbsentReason == nil) {
			tb.Errorf("entry %d component %d: want exactly one of value and dataAbsentReason", i, j)
		}
		checkQuantity(tb, i, c.ValueQuantity)
	}
	if o.Meta != nil {
		for _, p := range o.Meta.Profile {
			if !strings.HasPrefix(p, profileBase) {
				tb.Errorf("entry %d: profile %q is not an R4 core profile", i, p)
			}
		}
	}
	return o
}

func checkQuantity(tb testing.TB, i int, q *Quantity) {
	tb.Helper()
	if q == nil || q.Code == "" {
		return
	}
	if q.System != SystemUCUM || !ucumCode.MatchString(q.Code) {
		tb.Errorf("entry %d: quantity %+v, want a UCUM code", i, q)
	}
}

func hasCoding(cs []CodeableConcept, system, code string) bool {
	for _, c := range cs {
		for _, k := range c.Coding {
			if k.System == system && k.Code == code {
				return true
			}
		}
	}
	return false
}

func hasSystem(cs []Coding, system string) bool {
	for _, c := range cs {
		if c.System == system {
			return true
		}
	}
	return false
}
