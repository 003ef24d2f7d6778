package fhirserver_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"telewave/test/fhirserver"
)

// rawRequest sends body with contentType and accept, and returns the status,
// headers and body bytes.
func rawRequest(tb testing.TB, method, u, contentType, accept string, body []byte) (int, http.Header, []byte) {
	tb.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp.StatusCode, resp.Header, data
}

// TestRawBinary uploads raw bytes as real EHRs take them and reads them back
// both raw and as a FHIR Binary.
func TestRawBinary(t *testing.T) {
	base := fhirserver.Start(t)
	rng := rand.New(rand.NewPCG(1, 2))
	wav := make([]byte, 70_000)
	for i := range wav {
		wav[i] = byte(rng.Uint32())
	}
	copy(wav, "RIFF\x00\x00\x00\x00WAVE")
	tests := []struct {
		name, contentType string
		body              []byte
	}{
		{"stethoscope wav", "audio/wav", wav},
		{"octet stream with NUL and invalid UTF-8", "application/octet-stream", []byte{0, 0xff, 0xfe, 0x80, 'a', 0}},
		{"pdf with parameters", "application/pdf; name=report", []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")},
		{"empty", "text/plain", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, h, data := rawRequest(t, http.MethodPost, base+"/Binary", tt.contentType, "application/fhir+json", tt.body)
			if status != http.StatusCreated {
				t.Fatalf("POST: %d %s", status, data)
			}
			var created struct {
				ResourceType, ID, ContentType string
				Data                          *string
			}
			if err := json.Unmarshal(data, &created); err != nil {
				t.Fatalf("POST reply %q: %v", data, err)
			}
			if created.ResourceType != "Binary" || created.ID == "" || created.ContentType != tt.contentType {
				t.Fatalf("POST reply %+v", created)
			}
			if created.Data != nil {
				t.Error("POST reply repeats the data")
			}
			if loc := h.Get("Location"); !strings.Contains(loc, "/fhir/R4/Binary/"+created.ID+"/_history/") {
				t.Errorf("Location %q does not name Binary/%s", loc, created.ID)
			}

			for _, accept := range []string{tt.contentType, "*/*", ""} {
				status, h, got := rawRequest(t, http.MethodGet, base+"/Binary/"+created.ID, "", accept, nil)
				if status != http.StatusOK || h.Get("Content-Type") != tt.contentType {
					t.Fatalf("GET Accept %q: %d %q", accept, status, h.Get("Content-Type"))
				}
				if !bytes.Equal(got, tt.body) {
					t.Fatalf("GET Accept %q: %d bytes differ from the %d uploaded", accept, len(got), len(tt.body))
				}
			}

			status, _, data = rawRequest(t, http.MethodGet, base+"/Binary/"+created.ID, "", "application/fhir+json", nil)
			var asFHIR struct{ ResourceType, ContentType, Data string }
			if err := json.Unmarshal(data, &asFHIR); status != http.StatusOK || err != nil {
				t.Fatalf("GET as FHIR: %d %v", status, err)
			}
			if asFHIR.ResourceType != "Binary" || asFHIR.ContentType != tt.contentType {
				t.Errorf("GET as FHIR: %+v", asFHIR)
			}
			if err := fhirserver.ValidateR4(t, data); err != nil {
				t.Errorf("stored Binary is not R4: %v", err)
			}
		})
	}

	t.Run("unknown id", func(t *testing.T) {
		if status, _, _ := rawRequest(t, http.MethodGet, base+"/Binary/no-such-id", "", "audio/wav", nil); status != http.StatusNotFound {
			t.Errorf("status %d, want 404", status)
		}
	})
	t.Run("FHIR JSON Binary still goes through the engine", func(t *testing.T) {
		status, _, data := rawRequest(t, http.MethodPost, base+"/Binary", "application/fhir+json", "",
			[]byte(`{"resourceType":"Binary","contentType":"text/plain","data":"aGk="}`))
		var b struct{ ID string }
		if err := json.Unmarshal(data, &b); status != http.StatusCreated || err != nil || b.ID == "" {
			t.Fatalf("POST: %d %s", status, data)
		}
		status, _, got := rawRequest(t, http.MethodGet, base+"/Binary/"+b.ID, "", "text/plain", nil)
		if status != http.StatusOK || string(got) != "hi" {
			t.Errorf("GET: %d %q, want \"hi\"", status, got)
		}
	})
}

// TestRawBinaryLimit makes sure a raw upload is held to FHIR_PEER_MAX_BATCH.
func TestRawBinaryLimit(t *testing.T) {
	base := fhirserver.StartWith(t, fhirserver.Options{Env: map[string]string{"FHIR_PEER_MAX_BATCH": "1000"}})
	if status, _, _ := rawRequest(t, http.MethodPost, base+"/Binary", "audio/wav", "", make([]byte, 1001)); status != http.StatusRequestEntityTooLarge {
		t.Errorf("1001 bytes: status %d, want 413", status)
	}
	if status, _, data := rawRequest(t, http.MethodPost, base+"/Binary", "audio/wav", "", make([]byte, 900)); status != http.StatusCreated {
		t.Errorf("900 bytes: status %d %s, want 201", status, data)
	}
}

// TestHideMedia checks FHIR_PEER_HIDE_MEDIA: the CapabilityStatement lists no
// Media, as Epic's does not, and keeps everything else.
func TestHideMedia(t *testing.T) {
	for _, hide := range []bool{false, true} {
		env := map[string]string{}
		if hide {
			env["FHIR_PEER_HIDE_MEDIA"] = "1"
		}
		base := fhirserver.StartWith(t, fhirserver.Options{Env: env})
		r := do(t, http.MethodGet, base+"/metadata", nil)
		types := map[string]bool{}
		rest, _ := r.body["rest"].([]any)
		for _, m := range rest {
			res, _ := m.(map[string]any)["resource"].([]any)
			for _, x := range res {
				typ, _ := x.(map[string]any)["type"].(string)
				types[typ] = true
			}
		}
		if types["Media"] == hide || !types["DocumentReference"] || !types["Observation"] {
			t.Errorf("hide=%v: Media %v, DocumentReference %v, Observation %v", hide, types["Media"], types["DocumentReference"], types["Observation"])
		}
	}
}
