package fhir

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"telewave/devices"
)

// Device is the R4 Device subset the workstation sends: the monitor,
// cart or stethoscope a strip or clip came from.
type Device struct {
	ResourceType string           `json:"resourceType"`
	ID           string           `json:"id,omitempty"`
	Identifier   []Identifier     `json:"identifier,omitempty"`
	Status       string           `json:"status,omitempty"`
	SerialNumber string           `json:"serialNumber,omitempty"`
	DeviceName   []DeviceName     `json:"deviceName,omitempty"`
	ModelNumber  string           `json:"modelNumber,omitempty"`
	Type         *CodeableConcept `json:"type,omitempty"`
	Version      []DeviceVersion  `json:"version,omitempty"`
}

// DeviceName is a name of a Device and what kind of name it is.
type DeviceName struct {
	Name string `json:"name"`
	Type string `json:"type"` // "model-name", "user-friendly-name", ...
}

// DeviceVersion is a firmware or software version of a Device.
type DeviceVersion struct {
	Type  *CodeableConcept `json:"type,omitempty"`
	Value string           `json:"value"`
}

// DeviceMetric is one channel of a Device: what it measures, in which unit,
// how often.
type DeviceMetric struct {
	ResourceType      string           `json:"resourceType"`
	ID                string           `json:"id,omitempty"`
	Identifier        []Identifier     `json:"identifier,omitempty"`
	Type              CodeableConcept  `json:"type"`
	Unit              *CodeableConcept `json:"unit,omitempty"`
	Source            *Reference       `json:"source,omitempty"`
	OperationalStatus string           `json:"operationalStatus,omitempty"`
	Category          string           `json:"category"`
	MeasurementPeriod *Timing          `json:"measurementPeriod,omitempty"`
}

// Timing is the subset of an R4 Timing that says "so many times per so
// long".
type Timing struct {
	Repeat *TimingRepeat `json:"repeat,omitempty"`
}

// TimingRepeat repeats an event Frequency times per Period PeriodUnit.
type TimingRepeat struct {
	Frequency  int     `json:"frequency,omitempty"`
	Period     float64 `json:"period,omitempty"`
	PeriodUnit string  `json:"periodUnit,omitempty"`
}

// deviceEntries maps the device behind a strip or clip to a Device upsert
// (a conditional update on its serial, so every unit from one device
// points at one Device) and a DeviceMetric upsert per signal. It returns
// the entries and the Device's Bundle-local reference.
func deviceEntries(d devices.DeviceInfo, signals []devices.Signal, sys Systems) ([]BundleEntry, string, error) {
	key := deviceKey(d)
	dev := Device{
		ResourceType: "Device",
		Identifier:   []Identifier{{System: sys.Device, Value: key}},
		Status:       "active",
		SerialNumber: d.Serial,
		ModelNumber:  d.Model,
	}
	if d.Model != "" {
		dev.DeviceName = append(dev.DeviceName, DeviceName{Name: d.Model, Type: "model-name"})
	}
	if d.Protocol != "" {
		dev.DeviceName = append(dev.DeviceName, DeviceName{Name: d.Protocol, Type: "other"})
	}
	if d.Firmware != "" {
		dev.Version = []DeviceVersion{{Type: &CodeableConcept{Text: "firmware"}, Value: d.Firmware}}
	}
	devURL := bundleLocal("device/" + key)
	entry, err := upsertEntry("Device", devURL, dev, sys.Device, key)
	if err != nil {
		return nil, "", err
	}
	out := []BundleEntry{entry}
	seen := map[string]bool{}
	for _, sig := range signals {
		concept, code := signalConcept(sig)
		mkey := key + "/" + code
		if seen[mkey] {
			continue
		}
		seen[mkey] = true
		id := uuid.NewSHA1(identifierNamespace, []byte("metric/"+mkey)).String()
		m := DeviceMetric{
			ResourceType:      "DeviceMetric",
			Identifier:        []Identifier{{System: sys.DeviceMetric, Value: id}},
			Type:              concept,
			Source:            &Reference{Reference: devURL},
			OperationalStatus: "on",
			Category:          "measurement",
			MeasurementPeriod: samplingTiming(sig.SampleRate),
		}
		if u, _ := ucumUnit(sig.Unit); u != "" {
			m.Unit = &CodeableConcept{Coding: []Coding{{System: SystemUCUM, Code: u}}}
		}
		e, err := upsertEntry("DeviceMetric", bundleLocal("metric/"+mkey), m, sys.DeviceMetric, id)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	return out, devURL, nil
}

// deviceKey is the Device's identifier value: its serial number, or, for a
// device that reports none, its protocol and model (all such devices of a
// model then share one Device).
func deviceKey(d devices.DeviceInfo) string {
	if s := strings.TrimSpace(d.Serial); s != "" {
		return s
	}
	return "unserialized:" + strings.TrimSpace(d.Protocol) + "/" + strings.TrimSpace(d.Model)
}

// samplingTiming says "rate times a second" as a Timing.
func samplingTiming(rate float64) *Timing {
	if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return nil
	}
	if rate == math.Trunc(rate) && rate < math.MaxInt32 {
		return &Timing{Repeat: &TimingRepeat{Frequency: int(rate), Period: 1, PeriodUnit: "s"}}
	}
	return &Timing{Repeat: &TimingRepeat{Frequency: 1, Period: 1 / rate, PeriodUnit: "s"}}
}

// upsertEntry is a conditional update on system|value: created the first
// time, matched (and left as it is) afterwards.
func upsertEntry(resourceType, fullURL string, resource any, system, value string) (BundleEntry, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return BundleEntry{}, fmt.Errorf("encode %s: %w", resourceType, err)
	}
	return BundleEntry{
		FullURL:  fullURL,
		Resource: raw,
		Request:  &EntryRequest{Method: "PUT", URL: resourceType + "?identifier=" + identifierToken(system, value)},
	}, nil
}

// createEntry is a conditional create on system|value.
func createEntry(resourceType, fullURL string, resource any, system, value string) (BundleEntry, error) {
	raw, err := json.Marshal(resource)
	if err != nil {
		return BundleEntry{}, fmt.Errorf("encode %s: %w", resourceType, err)
	}
	return BundleEntry{
		FullURL:  fullURL,
		Resource: raw,
		Request:  &EntryRequest{Method: "POST", URL: resourceType, IfNoneExist: "identifier=" + identifierToken(system, value)},
	}, nil
}

// identifierToken is system|value for a search URL. The value is escaped
// for FHIR search (a backslash before , | $ and \\) and then for the URL
// query, so a serial number with '&', '#' or ',' cannot change the search;
// a UUID passes unchanged. The system is our configured URI.
func identifierToken(system, value string) string {
	return system + "|" + url.QueryEscape(searchEscaper.Replace(value))
}

var searchEscaper = strings.NewReplacer(`\`, `\\`, ",", `\,`, "|", `\|`, "$", `\$`)

// bundleLocal is the urn:uuid placeholder of an entry, derived from key. It
// never equals an identifier value: Medplum rewrites every string equal to
// a fullUrl.
func bundleLocal(key string) string {
	return "urn:uuid:" + uuid.NewSHA1(identifierNamespace, []byte(key+"/fullUrl")).String()
}
