package fhir

import "fmt"

// Provenance codes (R4 v3-DataOperation and provenance-participant-type).
var (
	activityCreate = CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/v3-DataOperation", Code: "CREATE", Display: "create"}}}
	agentDevice    = CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/provenance-participant-type", Code: "device", Display: "Device"}}}
	agentAuthor    = CodeableConcept{Coding: []Coding{{System: "http://terminology.hl7.org/CodeSystem/provenance-participant-type", Code: "author", Display: "Author"}}}
)

// provenanceEntry says that the device (when deviceRef is set) recorded
// targets and author (when set) confirmed them; one of them must be. R4 Provenance has no identifier, so its idempotency key
// (derived from the unit and key) travels as a meta.tag and the
// conditional create searches _tag: unlike "target=urn:uuid:…" it does not
// rely on the server rewriting placeholders inside the condition.
func provenanceEntry(unitID, key string, targets []Reference, recorded, deviceRef, author, system string) (BundleEntry, error) {
	tag := ObservationIdentifier(unitID, key)
	p := Provenance{
		ResourceType: "Provenance",
		Meta:         &Meta{Tag: []Coding{{System: system, Code: tag}}},
		Target:       targets,
		Recorded:     recorded,
		Activity:     &activityCreate,
	}
	if deviceRef != "" {
		p.Agent = append(p.Agent, ProvenanceAgent{Type: &agentDevice, Who: Reference{Reference: deviceRef}})
	}
	if author != "" {
		p.Agent = append(p.Agent, ProvenanceAgent{Type: &agentAuthor, Who: Reference{Display: author}})
	}
	e, err := createEntry("Provenance", fullURL(unitID, key), p, system, tag)
	if err != nil {
		return BundleEntry{}, fmt.Errorf("provenance of %s: %w", unitID, err)
	}
	e.Request.IfNoneExist = "_tag=" + identifierToken(system, tag)
	return e, nil
}
