package app

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func goodEHR() EHRSettings {
	return EHRSettings{BaseURL: "https://ehr.example.org/fhir/R4", MRNSystem: "urn:oid:1.2.36.146.595.217.0.1",
		ChartEvery: Duration(15 * time.Minute), SMARTClientID: "telewave-clinic-7", SMARTKeyFile: "/etc/telewave/smart.pem",
		SMARTKeyID: "k1", SMARTTokenURL: "https://ehr.example.org/oauth2/token", SMARTScopes: []string{"system/Observation.write"}}
}

func TestEHRSettingsValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*EHRSettings)
		want   string // "" when valid
	}{
		{"good", func(*EHRSettings) {}, ""},
		{"empty is no EHR", func(s *EHRSettings) { *s = EHRSettings{} }, ""},
		{"http on loopback", func(s *EHRSettings) { s.BaseURL = "http://127.0.0.1:8103/fhir/R4" }, ""},
		{"plain http off this machine", func(s *EHRSettings) { s.BaseURL = "http://ehr.example.org/fhir/R4" }, "TLS"},
		{"ftp", func(s *EHRSettings) { s.BaseURL = "ftp://ehr.example.org/" }, "scheme"},
		{"MRN system not a URI", func(s *EHRSettings) { s.MRNSystem = "clinic mrns" }, "MRN system"},
		{"interval too short", func(s *EHRSettings) { s.ChartEvery = Duration(time.Second) }, "chart interval"},
		{"client id without key", func(s *EHRSettings) { s.SMARTKeyFile = "" }, "go together"},
		{"key pasted in", func(s *EHRSettings) { s.SMARTKeyFile = "-----BEGIN PRIVATE KEY-----\nMIIE" }, "never the key"},
		{"relative key path", func(s *EHRSettings) { s.SMARTKeyFile = "smart.pem" }, "absolute path"},
		{"token URL over http", func(s *EHRSettings) { s.SMARTTokenURL = "http://ehr.example.org/token" }, "token URL"},
		{"scopes in one string", func(s *EHRSettings) { s.SMARTScopes = []string{"a/b.write c/d.read"} }, "one scope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := goodEHR()
			tc.change(&s)
			err := s.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("valid settings refused: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("err = %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestConfigFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "telewave", "config.json")
	c, err := LoadConfigFile(path)
	if err != nil || !reflect.DeepEqual(c, ConfigFile{}) {
		t.Fatalf("missing file: %+v, %v; want defaults and no error", c, err)
	}
	want := ConfigFile{EHR: goodEHR()}
	if err := SaveConfigFile(path, want); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("config file mode %v, %v; want 0600", fi.Mode(), err)
	}
	raw, _ := os.ReadFile(path)
	if !strings.Contains(string(raw), `"chart_interval": "15m0s"`) {
		t.Errorf("interval not written as text:\n%s", raw)
	}
	got, err := LoadConfigFile(path)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("loaded %+v, %v; want %+v", got, err, want)
	}
	bad := want
	bad.EHR.BaseURL = "http://ehr.example.org"
	if err := SaveConfigFile(path, bad); err == nil {
		t.Fatal("saved an invalid config")
	}
	if got, _ := LoadConfigFile(path); got.EHR.BaseURL != want.EHR.BaseURL {
		t.Fatal("a refused save changed the file")
	}
}

func TestLoadDamagedConfigKeepsDefaults(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    EHRSettings
		errHas  string
	}{
		{"truncated", `{"ehr": {"fhir_base_url": "https://ehr.example.org/fhir/R4"`, EHRSettings{}, "unexpected EOF"},
		{"not json", "\x00\x01garbage", EHRSettings{}, "invalid character"},
		{"unknown field", `{"ehr": {"fhir_url": "https://x.example"}}`, EHRSettings{}, "fhir_url"},
		{"bad duration", `{"ehr": {"chart_interval": "often"}}`, EHRSettings{}, "duration"},
		{"one bad field", `{"ehr": {"fhir_base_url": "http://ehr.example.org", "mrn_system": "urn:oid:1.2.3", "chart_interval": "5m"}}`,
			EHRSettings{MRNSystem: "urn:oid:1.2.3", ChartEvery: Duration(5 * time.Minute)}, "TLS"},
		{"bad SMART drops SMART only", `{"ehr": {"fhir_base_url": "https://ehr.example.org/fhir/R4", "smart_client_id": "c", "smart_key_file": "key.pem"}}`,
			EHRSettings{BaseURL: "https://ehr.example.org/fhir/R4"}, "absolute path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfigFile(path)
			if err == nil || !strings.Contains(err.Error(), tc.errHas) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err = %v, want one naming the file and %q", err, tc.errHas)
			}
			if !reflect.DeepEqual(c.EHR, tc.want) {
				t.Fatalf("kept %+v, want %+v", c.EHR, tc.want)
			}
		})
	}
}

func TestFlagsOverrideTheFile(t *testing.T) {
	file := goodEHR()
	got := file.With(EHRSettings{BaseURL: "http://localhost:8103/fhir/R4", ChartEvery: Duration(time.Minute)})
	if got.BaseURL != "http://localhost:8103/fhir/R4" || got.ChartInterval() != time.Minute {
		t.Errorf("flags not applied: %+v", got)
	}
	if got.MRNSystem != file.MRNSystem || got.SMARTClientID != file.SMARTClientID || !reflect.DeepEqual(got.SMARTScopes, file.SMARTScopes) {
		t.Errorf("unset flags replaced file values: %+v", got)
	}
	if (EHRSettings{}).ChartInterval() != DefaultChartEvery {
		t.Error("no default interval")
	}
}

func FuzzLoadConfigFile(f *testing.F) {
	f.Add([]byte(`{"ehr": {"fhir_base_url": "https://ehr.example.org/fhir/R4", "chart_interval": "5m"}}`))
	f.Add([]byte(`{"ehr": {"smart_scopes": ["a", ""]}}`))
	f.Add([]byte(`[]`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, b []byte) {
		path := filepath.Join(dir, "config.json")
		if err := os.WriteFile(path, b, 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := LoadConfigFile(path)
		if verr := c.EHR.Validate(); verr != nil {
			t.Fatalf("loaded settings fail validation: %v (load error %v)", verr, err)
		}
	})
}
