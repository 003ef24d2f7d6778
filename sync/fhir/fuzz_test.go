package fhir

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"telewave/devices"
	"telewave/storage"
)

func FuzzParseEntryStatus(f *testing.F) {
	for _, s := range []string{"201 Created", "200", "400 Bad Request", "", "OK", "2011", " 204 ", "099"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseEntryStatus(s)
		if err != nil {
			return
		}
		if n < 100 || n > 999 {
			t.Fatalf("status %d from %q", n, s)
		}
		// Round trip: the code we read is the code the text starts with.
		if back, err := parseEntryStatus(strconv.Itoa(n) + " Reason Phrase"); err != nil || back != n {
			t.Fatalf("round trip of %d: %d, %v", n, back, err)
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "120", "-1", "", "Sun, 01 Mar 2026 12:00:30 GMT", "Sunday, 01-Mar-26 12:00:30 GMT", "1e9", "9223372036854775807"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := parseRetryAfter(s, now)
		if d < 0 {
			t.Fatalf("negative wait %v from %q", d, s)
		}
		if !ok && d != 0 {
			t.Fatalf("wait %v without ok from %q", d, s)
		}
		if secs, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64); err == nil && secs >= 0 && secs < 86400 {
			if !ok || d != time.Duration(secs)*time.Second {
				t.Fatalf("%q: got %v, %v; want %ds", s, d, ok, secs)
			}
		}
	})
}

func FuzzBundleDecode(f *testing.F) {
	f.Add([]byte(`{"resourceType":"Bundle","type":"transaction-response","entry":[{"response":{"status":"201 Created","location":"Observation/1","outcome":{"resourceType":"OperationOutcome","issue":[{"severity":"information","code":"informational"}]}}}]}`))
	f.Add([]byte(`{"resourceType":"Bundle","type":"searchset","total":1,"link":[{"relation":"next","url":"x"}],"entry":[{"search":{"mode":"match"},"resource":{"resourceType":"Patient","id":"p"}}]}`))
	f.Add([]byte(`{"resourceType":"OperationOutcome","issue":[{"severity":"error","details":{"text":"é"},"expression":["Observation.code"]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// The outcome text must stay short and valid whatever the server says.
		if txt := outcomeText(data); len(txt) > maxOutcomeText+len("…") || !utf8.ValidString(txt) && utf8.Valid(data) {
			t.Fatalf("outcome text %q", txt)
		}
		var b Bundle
		if json.Unmarshal(data, &b) != nil {
			return
		}
		_, _ = parseBundleResponse(b, len(b.Entry))
		// Round trip: encoding is stable once decoded.
		once, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		var again Bundle
		if err := json.Unmarshal(once, &again); err != nil {
			t.Fatalf("decode own encoding: %v", err)
		}
		twice, err := json.Marshal(again)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once, twice) {
			t.Fatalf("not stable:\n%s\n%s", once, twice)
		}
	})
}

func FuzzChartBundle(f *testing.F) {
	f.Add(uint32(150456), 97.0, "%", uint8(0), uint32(149530), 72.0, "/min", uint8(1))
	f.Add(uint32(150021), 120.0, "mmHg", uint8(0), uint32(150022), math.Inf(1), "", uint8(2))
	f.Add(uint32(0), math.NaN(), "\x00", uint8(9), uint32(150364), -40.0, "[degF]", uint8(0))
	f.Fuzz(func(t *testing.T, c1 uint32, v1 float64, u1 string, s1 uint8, c2 uint32, v2 float64, u2 string, s2 uint8) {
		c := storage.Chart{ID: "fuzz-chart", PatientMRN: "M", Time: chartTime, Vitals: []storage.Vital{
			{Code: c1, Value: v1, Unit: u1, Status: devices.NumericStatus(s1 % 3)},
			{Code: c2, Value: v2, Unit: u2, Status: devices.NumericStatus(s2 % 3)},
		}}
		b, err := ChartBundle(c, testPatient, testSystems)
		if err != nil {
			t.Fatalf("ChartBundle: %v", err)
		}
		members := len(b.Entry) - 1
		if members < 1 || members > 2 {
			t.Fatalf("%d members for 2 vitals", members)
		}
		var panel Observation
		if err := json.Unmarshal(b.Entry[members].Resource, &panel); err != nil {
			t.Fatal(err)
		}
		if len(panel.HasMember) != members {
			t.Fatalf("panel has %d members, bundle %d", len(panel.HasMember), members)
		}
		for i, e := range b.Entry {
			var o Observation
			if err := json.Unmarshal(e.Resource, &o); err != nil {
				t.Fatalf("entry %d: %v", i, err)
			}
			if o.Identifier[0].Value == strings.TrimPrefix(e.FullURL, "urn:uuid:") {
				t.Fatalf("entry %d identifier equals fullUrl", i)
			}
		}
	})
}
