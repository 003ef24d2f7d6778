package ui

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"telewave/app"
)

func TestEHRSettingsScreen(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "telewave", "config.json")
	e := newEHRSettings(path, app.EHRSettings{}, errors.New("config x: unexpected EOF"))
	w := test.NewWindow(e.root)
	defer w.Close()
	if !strings.Contains(e.status.Text, "unexpected EOF") {
		t.Errorf("load problem not shown: %q", e.status.Text)
	}

	e.base.SetText("http://ehr.example.org/fhir/R4")
	test.Tap(e.save)
	if !strings.Contains(e.status.Text, "Not saved") || !strings.Contains(e.status.Text, "TLS") {
		t.Fatalf("status %q", e.status.Text)
	}
	e.base.SetText("https://ehr.example.org/fhir/R4")
	e.interval.SetText("often")
	test.Tap(e.save)
	if !strings.Contains(e.status.Text, "Chart interval often") {
		t.Fatalf("status %q", e.status.Text)
	}
	e.interval.SetText("15m")
	e.key.SetText("-----BEGIN PRIVATE KEY-----")
	e.client.SetText("clinic-7")
	test.Tap(e.save)
	if !strings.Contains(e.status.Text, "never the key itself") {
		t.Fatalf("status %q", e.status.Text)
	}
	e.key.SetText("/etc/telewave/smart.pem")
	e.scopes.SetText("system/Observation.write  system/Patient.read")
	test.Tap(e.save)
	waitFor(t, "the save", func() bool { return strings.HasPrefix(e.status.Text, "Saved") })
	c, err := app.LoadConfigFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := app.EHRSettings{BaseURL: "https://ehr.example.org/fhir/R4", ChartEvery: app.Duration(15 * time.Minute),
		SMARTClientID: "clinic-7", SMARTKeyFile: "/etc/telewave/smart.pem", SMARTScopes: []string{"system/Observation.write", "system/Patient.read"}}
	if c.EHR.BaseURL != want.BaseURL || c.EHR.ChartEvery != want.ChartEvery || c.EHR.SMARTKeyFile != want.SMARTKeyFile ||
		strings.Join(c.EHR.SMARTScopes, " ") != strings.Join(want.SMARTScopes, " ") {
		t.Fatalf("saved %+v, want %+v", c.EHR, want)
	}
}

func TestEHRSettingsTestConnection(t *testing.T) {
	test.NewTempApp(t)
	e := newEHRSettings(filepath.Join(t.TempDir(), "config.json"), app.EHRSettings{BaseURL: "https://ehr.example.org/fhir/R4"}, nil)
	w := test.NewWindow(e.root)
	defer w.Close()
	var asked app.EHRSettings
	e.check = func(_ context.Context, s app.EHRSettings) error {
		asked = s
		if strings.Contains(s.BaseURL, "down") {
			return errors.New("dial tcp: connection refused")
		}
		return nil
	}
	test.Tap(e.test)
	waitFor(t, "the test", func() bool { return strings.HasPrefix(e.status.Text, "Connected") })
	if asked.BaseURL != "https://ehr.example.org/fhir/R4" {
		t.Errorf("tested %+v", asked)
	}
	e.base.SetText("https://down.example.org/fhir/R4")
	test.Tap(e.test)
	waitFor(t, "the failure", func() bool { return strings.Contains(e.status.Text, "Connection failed: dial tcp: connection refused") })
}
