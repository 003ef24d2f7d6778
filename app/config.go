package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"telewave/sync/fhir"
)

// ConfigFile is what the workstation keeps in its configuration file
// ($XDG_CONFIG_HOME/telewave/config.json, or --config). It holds no secret:
// the SMART key stays in its own file, named here by path.
type ConfigFile struct {
	EHR EHRSettings `json:"ehr"`
}

// EHRSettings say how the workstation reaches the EHR. The zero value is
// "no EHR": work queues in the outbox.
type EHRSettings struct {
	// BaseURL is the FHIR R4 base (".../fhir/R4"): https, or http to a
	// loopback host only.
	BaseURL string `json:"fhir_base_url,omitempty"`
	// MRNSystem is the EHR's identifier system of medical record numbers.
	MRNSystem string `json:"mrn_system,omitempty"`
	// ChartEvery is the charting interval (default one minute).
	ChartEvery Duration `json:"chart_interval,omitempty"`
	// SMART Backend Services; all empty: no authorization.
	SMARTClientID string   `json:"smart_client_id,omitempty"`
	SMARTTokenURL string   `json:"smart_token_url,omitempty"` // empty: discovered
	SMARTKeyFile  string   `json:"smart_key_file,omitempty"`  // absolute path of the PEM key
	SMARTKeyID    string   `json:"smart_kid,omitempty"`
	SMARTScopes   []string `json:"smart_scopes,omitempty"` // empty: the default scopes
}

// Duration is a time.Duration written as text ("15m") in the file.
type Duration time.Duration

// MarshalJSON writes the duration as "1m30s".
func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

// UnmarshalJSON reads "90s", "15m" and the like.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("duration: want text such as \"15m\": %w", err)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("duration: %w", err)
	}
	*d = Duration(v)
	return nil
}

// Bounds of the charting interval.
const (
	DefaultChartEvery = time.Minute
	minChartEvery     = 10 * time.Second
	maxChartEvery     = 24 * time.Hour
	maxConfigBytes    = 1 << 20
)

// ChartInterval is the charting interval, the default when unset.
func (s EHRSettings) ChartInterval() time.Duration {
	if s.ChartEvery == 0 {
		return DefaultChartEvery
	}
	return time.Duration(s.ChartEvery)
}

// Validate checks every field and reports all that are wrong at once.
func (s EHRSettings) Validate() error {
	var errs []error
	if s.BaseURL != "" {
		if _, err := fhir.NewClient(s.BaseURL); err != nil {
			errs = append(errs, fmt.Errorf("FHIR base URL: %w", err))
		}
	}
	if s.MRNSystem != "" {
		if u, err := url.Parse(s.MRNSystem); err != nil || u.Scheme == "" || strings.ContainsAny(s.MRNSystem, " |") {
			errs = append(errs, fmt.Errorf("MRN system %q: want an absolute URI such as urn:oid:1.2.3 or https://…", s.MRNSystem))
		}
	}
	if d := time.Duration(s.ChartEvery); d != 0 && (d < minChartEvery || d > maxChartEvery) {
		errs = append(errs, fmt.Errorf("chart interval %v: want between %v and %v", d, minChartEvery, maxChartEvery))
	}
	errs = append(errs, s.validateSMART()...)
	return errors.Join(errs...)
}

func (s EHRSettings) validateSMART() []error {
	var errs []error
	if (s.SMARTClientID == "") != (s.SMARTKeyFile == "") {
		errs = append(errs, errors.New("SMART: client id and key file go together"))
	}
	if k := s.SMARTKeyFile; k != "" {
		switch {
		case strings.Contains(k, "-----BEGIN") || strings.ContainsAny(k, "\r\n"):
			errs = append(errs, errors.New("SMART key file: give the key file's path, never the key itself"))
		case !filepath.IsAbs(k):
			errs = append(errs, fmt.Errorf("SMART key file %q: want an absolute path", k))
		}
	}
	if s.SMARTTokenURL != "" {
		if u, err := url.Parse(s.SMARTTokenURL); err != nil || u.Host == "" || (u.Scheme != "https" && !(u.Scheme == "http" && loopbackHost(u.Hostname()))) {
			errs = append(errs, errors.New("SMART token URL: want https (http only to this machine)"))
		}
	}
	for _, sc := range s.SMARTScopes {
		if sc == "" || strings.ContainsAny(sc, " \t\r\n") {
			errs = append(errs, fmt.Errorf("SMART scope %q: one scope per entry, no spaces", sc))
		}
	}
	return errs
}

func loopbackHost(h string) bool {
	return h == "localhost" || h == "::1" || strings.HasPrefix(h, "127.")
}

// With returns s with every field o sets replacing s's: command-line flags
// over the file.
func (s EHRSettings) With(o EHRSettings) EHRSettings {
	for _, f := range []struct{ dst, src *string }{
		{&s.BaseURL, &o.BaseURL}, {&s.MRNSystem, &o.MRNSystem}, {&s.SMARTClientID, &o.SMARTClientID},
		{&s.SMARTTokenURL, &o.SMARTTokenURL}, {&s.SMARTKeyFile, &o.SMARTKeyFile}, {&s.SMARTKeyID, &o.SMARTKeyID},
	} {
		if *f.src != "" {
			*f.dst = *f.src
		}
	}
	if o.ChartEvery != 0 {
		s.ChartEvery = o.ChartEvery
	}
	if len(o.SMARTScopes) > 0 {
		s.SMARTScopes = o.SMARTScopes
	}
	return s
}

// ClientOptions are the FHIR client options the settings call for: SMART
// Backend Services when a client id is set (the key file is read now).
func (s EHRSettings) ClientOptions() ([]fhir.Option, error) {
	if s.SMARTClientID == "" {
		return nil, nil
	}
	cfg, err := fhir.NewSMARTConfig(s.SMARTTokenURL, s.SMARTClientID, s.SMARTKeyID, s.SMARTKeyFile, s.SMARTScopes)
	if err != nil {
		return nil, fmt.Errorf("SMART settings: %w", err)
	}
	return []fhir.Option{fhir.WithSMART(cfg)}, nil
}

// NewClient builds the FHIR client for these settings.
func (s EHRSettings) NewClient(opts ...fhir.Option) (*fhir.Client, error) {
	if s.BaseURL == "" {
		return nil, errors.New("no FHIR base URL configured")
	}
	smart, err := s.ClientOptions()
	if err != nil {
		return nil, err
	}
	return fhir.NewClient(s.BaseURL, append(smart, opts...)...)
}

// DefaultConfigPath is $XDG_CONFIG_HOME/telewave/config.json (or the
// platform's user configuration directory).
func DefaultConfigPath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("config path: %w", err)
	}
	return filepath.Join(dir, "telewave", "config.json"), nil
}

// LoadConfigFile reads the configuration at path. A missing file gives the
// defaults and no error. A damaged file gives the defaults for whatever is
// wrong — everything when it is not readable JSON, else only the bad
// fields — and an error saying what.
func LoadConfigFile(path string) (ConfigFile, error) {
	var c ConfigFile
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("config %s: %w", path, err)
	}
	if len(b) > maxConfigBytes {
		return c, fmt.Errorf("config %s: %d bytes, more than %d; using defaults", path, len(b), maxConfigBytes)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var read ConfigFile
	if err := dec.Decode(&read); err != nil {
		return c, fmt.Errorf("config %s: %w; using defaults", path, err)
	}
	c.EHR, err = keepValid(read.EHR)
	if err != nil {
		return c, fmt.Errorf("config %s: %w; those settings use their defaults", path, err)
	}
	return c, nil
}

// keepValid drops the fields that fail validation, field by field, and
// returns what was wrong.
func keepValid(s EHRSettings) (EHRSettings, error) {
	err := s.Validate()
	if err == nil {
		return s, nil
	}
	if (EHRSettings{BaseURL: s.BaseURL}).Validate() != nil {
		s.BaseURL = ""
	}
	if (EHRSettings{MRNSystem: s.MRNSystem}).Validate() != nil {
		s.MRNSystem = ""
	}
	if (EHRSettings{ChartEvery: s.ChartEvery}).Validate() != nil {
		s.ChartEvery = 0
	}
	if len(s.validateSMART()) > 0 {
		s.SMARTClientID, s.SMARTTokenURL, s.SMARTKeyFile, s.SMARTKeyID, s.SMARTScopes = "", "", "", "", nil
	}
	return s, err
}

// SaveConfigFile validates c and writes it to path (0600, its directory
// 0700), replacing the old file in one rename so a crash leaves one or
// the other.
func SaveConfigFile(path string, c ConfigFile) error {
	if err := c.EHR.Validate(); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".config-*.json")
	if err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	defer os.Remove(tmp.Name()) // after the rename there is nothing to remove
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("save config: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("save config: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save config: %w", err)
	}
	return nil
}
