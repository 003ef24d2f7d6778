package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"telewave/sync/fhir"
	"telewave/test/fhirserver"
)

// lossyProxy forwards to the EHR but loses the reply of the first
// transaction (the server has stored it; the client sees a 502), as a
// flaky clinic link does. The retry must not create a duplicate.
type lossyProxy struct {
	target string
	lost   atomic.Int32
}

func (p *lossyProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	req, _ := http.NewRequestWithContext(r.Context(), r.Method, p.target+strings.TrimPrefix(r.URL.RequestURI(), "/fhir/R4"), bytes.NewReader(body))
	req.Header = r.Header.Clone()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	reply, _ := io.ReadAll(resp.Body)
	isTx := r.Method == http.MethodPost && bytes.Contains(body, []byte(`"transaction"`))
	if isTx && p.lost.Add(1) == 1 {
		http.Error(w, "upstream reply lost", http.StatusBadGateway)
		return
	}
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(reply)
}

func TestSyncDeliversEachObservationOnceAfterALostReply(t *testing.T) {
	base := fhirserver.Start(t)
	proxy := &lossyProxy{target: base}
	srv := httptest.NewServer(proxy) // 127.0.0.1, a free port
	defer srv.Close()
	ehr := srv.URL + "/fhir/R4"

	// The EHR knows the patient by MRN; a device app never creates one.
	patient := `{"resourceType":"Patient","identifier":[{"system":"urn:telewave:mrn","value":"MRN-7"}],"name":[{"family":"Franklin","given":["Rosalind"]}]}`
	resp, err := http.Post(base+"/Patient", "application/fhir+json", strings.NewReader(patient))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create patient: %v %v", resp, err)
	}
	resp.Body.Close()

	vars := storeVars(t)
	run := func(args ...string) string { return runOK(t, vars, args...) }
	run("store", "init")
	run("patients", "add", "--mrn", "MRN-7", "--name", "Rosalind Franklin")
	chartRE := regexp.MustCompile(`chart=([0-9a-f-]{36})`)
	var charts []string
	for _, args := range [][]string{{"--spo2", "97", "--hr", "72"}, {"--spo2", "95", "--hr", "80"}} {
		out := run(append([]string{"chart", "--patient", "MRN-7"}, args...)...)
		m := chartRE.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("chart printed %q", out)
		}
		charts = append(charts, m[1])
	}

	out := run("sync", "--ehr", ehr, "--once", "--json")
	var res map[string]int
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("sync printed %q: %v", out, err)
	}
	if res["sent"] != 2 || res["pending"] != 0 || res["parked"] != 0 {
		t.Fatalf("sync result %v", res)
	}
	if proxy.lost.Load() < 3 {
		t.Fatalf("the proxy saw %d transactions; the lost reply was not retried", proxy.lost.Load())
	}
	// A second sync finds nothing left to send.
	if out := run("sync", "--ehr", ehr, "--once"); !strings.Contains(out, "sent=0") {
		t.Fatalf("second sync: %q", out)
	}

	client, err := fhir.NewClient(base)
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	for _, chart := range charts {
		for _, key := range []string{"panel", "150456", "147842"} {
			id := fhir.ObservationIdentifier(chart, key)
			b, err := client.Search(context.Background(), "Observation",
				url.Values{"identifier": {fhir.DefaultObservationSystem + "|" + id}})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(b.Entry); n != 1 {
				t.Errorf("chart %s %s: %d Observations on the EHR, want exactly 1", chart, key, n)
			}
		}
	}
}
