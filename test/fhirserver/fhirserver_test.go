package fhirserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"telewave/test/fhirserver"
)

const fhirJSON = "application/fhir+json"

type reply struct {
	status int
	header http.Header
	body   map[string]any
}

func do(tb testing.TB, method, u string, body []byte, header ...string) reply {
	tb.Helper()
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", fhirJSON)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
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
	r := reply{status: resp.StatusCode, header: resp.Header}
	if len(data) > 0 {
		if err := json.Unmarshal(data, &r.body); err != nil {
			tb.Fatalf("%s %s: %d %q: %v", method, u, resp.StatusCode, data, err)
		}
	}
	return r
}

func observation(identifier, text string) string {
	return fmt.Sprintf(`{"resourceType":"Observation","status":"final","identifier":[{"system":"urn:test","value":%q}],`+
		`"code":{"text":%q}}`, identifier, text)
}

func count(tb testing.TB, base, identifier string) int {
	tb.Helper()
	r := do(tb, http.MethodGet, base+"/Observation?identifier="+url.QueryEscape("urn:test|"+identifier), nil)
	entries, _ := r.body["entry"].([]any)
	return len(entries)
}

func TestServer(t *testing.T) {
	base := fhirserver.Start(t)
	if !strings.HasPrefix(base, "http://127.0.0.1:") || !strings.HasSuffix(base, "/fhir/R4") {
		t.Fatalf("base URL %q", base)
	}
	root := strings.TrimSuffix(base, "/fhir/R4")

	t.Run("healthcheck and metadata", func(t *testing.T) {
		if r := do(t, http.MethodGet, root+"/healthcheck", nil); r.status != http.StatusOK {
			t.Errorf("healthcheck %d", r.status)
		}
		r := do(t, http.MethodGet, base+"/metadata", nil)
		if r.status != http.StatusOK || r.body["resourceType"] != "CapabilityStatement" || r.body["fhirVersion"] != "4.0.1" {
			t.Errorf("metadata %d %v", r.status, r.body["resourceType"])
		}
	})

	t.Run("conditional create", func(t *testing.T) {
		for i, want := range []int{http.StatusCreated, http.StatusOK} {
			r := do(t, http.MethodPost, base+"/Observation", []byte(observation("cc-1", "x")), "If-None-Exist", "identifier=urn:test|cc-1")
			if r.status != want {
				t.Fatalf("post %d: status %d, want %d", i, r.status, want)
			}
		}
		if n := count(t, base, "cc-1"); n != 1 {
			t.Fatalf("%d stored, want 1", n)
		}
	})

	t.Run("transaction is all or nothing", func(t *testing.T) {
		tx := `{"resourceType":"Bundle","type":"transaction","entry":[` +
			`{"fullUrl":"urn:uuid:8a4c0e3e-6f0f-4c59-9d0e-6f2b1f9d0a01","resource":` + observation("tx-good", "ok") +
			`,"request":{"method":"POST","url":"Observation"}},` +
			`{"fullUrl":"urn:uuid:8a4c0e3e-6f0f-4c59-9d0e-6f2b1f9d0a02","resource":{"resourceType":"Observation","status":"final","foo":1}` +
			`,"request":{"method":"POST","url":"Observation"}}]}`
		r := do(t, http.MethodPost, base, []byte(tx))
		if r.status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", r.status)
		}
		if n := count(t, base, "tx-good"); n != 0 {
			t.Fatalf("%d resources left by a failed transaction, want 0", n)
		}
	})

	t.Run("ifNoneExist in a transaction", func(t *testing.T) {
		tx := `{"resourceType":"Bundle","type":"transaction","entry":[` +
			`{"fullUrl":"urn:uuid:8a4c0e3e-6f0f-4c59-9d0e-6f2b1f9d0a03","resource":` + observation("tx-1", "ok") +
			`,"request":{"method":"POST","url":"Observation","ifNoneExist":"identifier=urn:test|tx-1"}}]}`
		for i, want := range []string{"201", "200"} {
			r := do(t, http.MethodPost, base, []byte(tx))
			entries, _ := r.body["entry"].([]any)
			if r.status != http.StatusOK || len(entries) != 1 {
				t.Fatalf("send %d: status %d, %d entries", i, r.status, len(entries))
			}
			status := entries[0].(map[string]any)["response"].(map[string]any)["status"]
			if status != want {
				t.Fatalf("send %d: entry status %v, want %s", i, status, want)
			}
		}
		if n := count(t, base, "tx-1"); n != 1 {
			t.Fatalf("%d stored, want 1", n)
		}
	})

	t.Run("body limits", func(t *testing.T) {
		big := strings.Repeat("x", 1<<20)
		r := do(t, http.MethodPost, base+"/Observation", []byte(observation("big-1", big)))
		if r.status != http.StatusRequestEntityTooLarge || r.body["resourceType"] != "OperationOutcome" {
			t.Fatalf("1 MiB resource: status %d %v, want a 413 OperationOutcome", r.status, r.body["resourceType"])
		}
		tx := `{"resourceType":"Bundle","type":"transaction","entry":[` +
			`{"fullUrl":"urn:uuid:8a4c0e3e-6f0f-4c59-9d0e-6f2b1f9d0a04","resource":` + observation("big-2", big) +
			`,"request":{"method":"POST","url":"Observation"}}]}`
		if r := do(t, http.MethodPost, base, []byte(tx)); r.status != http.StatusOK {
			t.Fatalf("1 MiB Bundle: status %d, want 200 (Bundles may reach 50 MiB)", r.status)
		}
	})

	t.Run("identifier index follows updates", func(t *testing.T) {
		r := do(t, http.MethodPost, base+"/Observation", []byte(observation("ix-old", "x")))
		id, _ := r.body["id"].(string)
		if r.status != http.StatusCreated || id == "" {
			t.Fatalf("create: %d %v", r.status, r.body)
		}
		moved := strings.Replace(observation("ix-new", "x"), `{"resourceType":"Observation",`,
			`{"resourceType":"Observation","id":"`+id+`",`, 1)
		if r := do(t, http.MethodPut, base+"/Observation/"+id, []byte(moved)); r.status != http.StatusOK {
			t.Fatalf("update: %d %v", r.status, r.body)
		}
		if n := count(t, base, "ix-old"); n != 0 {
			t.Errorf("old identifier still finds %d", n)
		}
		if n := count(t, base, "ix-new"); n != 1 {
			t.Errorf("new identifier finds %d, want 1", n)
		}
		// Without a system the search takes the engine's own path.
		r = do(t, http.MethodGet, base+"/Observation?identifier=ix-new", nil)
		if entries, _ := r.body["entry"].([]any); len(entries) != 1 {
			t.Errorf("search without system finds %d, want 1", len(entries))
		}
	})

	t.Run("tag index answers conditional creates", func(t *testing.T) {
		tagged := func(code, text string) []byte {
			return []byte(`{"resourceType":"Observation","status":"final","meta":{"tag":[{"system":"urn:tag","code":"` +
				code + `"}]},"code":{"text":"` + text + `"}}`)
		}
		for i, want := range []int{http.StatusCreated, http.StatusOK} {
			r := do(t, http.MethodPost, base+"/Observation", tagged("t-1", "x"), "If-None-Exist", "_tag=urn:tag|t-1")
			if r.status != want {
				t.Fatalf("post %d: status %d, want %d", i, r.status, want)
			}
		}
		do(t, http.MethodPost, base+"/Observation", tagged("t-2", "y"), "If-None-Exist", "_tag=urn:tag|t-2")
		for _, q := range []string{"_tag=" + url.QueryEscape("urn:tag|t-1"), "_tag=t-1", "_tag=" + url.QueryEscape("urn:other|t-1")} {
			r := do(t, http.MethodGet, base+"/Observation?"+q, nil)
			entries, _ := r.body["entry"].([]any)
			want := 1
			if strings.Contains(q, "other") {
				want = 0
			}
			if len(entries) != want {
				t.Errorf("%s finds %d, want %d", q, len(entries), want)
			}
		}
	})

	t.Run("unknown path", func(t *testing.T) {
		if r := do(t, http.MethodGet, root+"/other", nil); r.status != http.StatusNotFound {
			t.Errorf("status %d, want 404", r.status)
		}
	})
}

func TestServersAreIndependent(t *testing.T) {
	a, b := fhirserver.Start(t), fhirserver.Start(t)
	if a == b {
		t.Fatalf("two servers share %s", a)
	}
	do(t, http.MethodPost, a+"/Observation", []byte(observation("only-a", "x")))
	if n := count(t, b, "only-a"); n != 0 {
		t.Fatalf("server b sees %d of server a's resources", n)
	}
}
