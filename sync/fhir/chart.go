package fhir

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"telewave/storage"
)

// ErrChartSplit is returned by ChartBundle for a chart whose entries do not
// fit in one transaction; MapChart and a Sender send such charts in parts.
var ErrChartSplit = errors.New("chart needs more than one transaction")

// ChartUpload is a charted vitals panel mapped to FHIR: an Observation per
// vital (blood pressure parts as components of one), the vital-signs panel
// that has them as members, the Device upsert of a device's chart, and a
// Provenance (device and author) of each transaction's Observations.
//
// A transaction holds at most MaxTransactionEntries entries, so a chart
// with many vitals is split: Parts carry the first members, each part
// standing alone (its own Device upsert and Provenance), and the panel's
// transaction (Panel) comes last with the remaining members, referring to
// the parts' members by the server ids the parts' replies named. Every
// entry is a conditional create on its own identifier, so sending any
// transaction again stores nothing new.
type ChartUpload struct {
	chartID    string
	sys        Systems
	device     *BundleEntry // nil for a chart entered by hand
	deviceRef  string       // the Device's Bundle-local reference, "" without one
	author     string
	recorded   string
	members    []BundleEntry
	identifier []string // identifier value of each member
	panel      Observation
	perPart    int // members in each part
	inParts    int // members carried by parts: members[:inParts]
}

// MapChart maps a chart for patientRef ("Patient/<id>") and packs it into
// transactions.
func MapChart(c storage.Chart, patientRef string, sys Systems) (*ChartUpload, error) {
	sys = sys.withDefaults()
	switch {
	case c.ID == "":
		return nil, errors.New("map chart: chart has no id")
	case !strings.HasPrefix(patientRef, "Patient/") || len(patientRef) == len("Patient/"):
		return nil, fmt.Errorf("map chart %s: patient reference %q is not Patient/<id>", c.ID, patientRef)
	case c.Time.IsZero():
		return nil, fmt.Errorf("map chart %s: no charting time", c.ID)
	case len(c.Vitals) == 0:
		return nil, fmt.Errorf("map chart %s: %w", c.ID, ErrEmptyChart)
	}
	u := &ChartUpload{chartID: c.ID, sys: sys, author: c.Author, recorded: c.Time.Format(time.RFC3339)}
	base := Observation{
		ResourceType:      "Observation",
		Status:            "final",
		Category:          []CodeableConcept{vitalSignsCategory()},
		Subject:           &Reference{Reference: patientRef},
		EffectiveDateTime: c.Time.Format(time.RFC3339),
		Device:            deviceReference(c.Device),
	}
	if base.Device != nil || strings.TrimSpace(c.Device.Serial) != "" {
		dev, ref, err := deviceEntries(c.Device, nil, sys)
		if err != nil {
			return nil, fmt.Errorf("map chart %s: %w", c.ID, err)
		}
		u.device, u.deviceRef = &dev[0], ref
		if base.Device == nil {
			base.Device = &Reference{}
		}
		base.Device.Reference = ref
	}
	if c.Author != "" {
		base.Performer = []Reference{{Display: c.Author}}
	}

	obs, keys := chartMembers(base, c.Vitals)
	for i := range obs {
		if seen := indexOf(keys[:i], keys[i]); seen >= 0 {
			// Two values of one code in one chart would share an identifier;
			// number the repeats so that neither is dropped.
			keys[i] = fmt.Sprintf("%s#%d", keys[i], i)
		}
		e, err := observationEntry(obs[i], c.ID, keys[i], sys.Observation)
		if err != nil {
			return nil, err
		}
		u.members = append(u.members, e)
		u.identifier = append(u.identifier, ObservationIdentifier(c.ID, keys[i]))
	}
	u.panel = base
	u.panel.Meta = &Meta{Profile: []string{profileBase + "vitalspanel"}}
	u.panel.Code = CodeableConcept{
		Coding: []Coding{{System: SystemLOINC, Code: "85353-1", Display: "Vital signs, weight, height, head circumference, oxygen saturation and BMI panel"}},
		Text:   "Vital signs panel",
	}
	u.pack()
	return u, nil
}

// chartMembers maps the vitals to the panel's members and the keys their
// identifiers derive from ("bp" or the decimal MDC code).
func chartMembers(base Observation, vitals []storage.Vital) ([]Observation, []string) {
	var members []Observation
	var keys []string
	var bp []storage.Vital
	for _, v := range vitals {
		if isNIBP(v.Code) && !hasCode(bp, v.Code) {
			bp = append(bp, v)
			continue
		}
		// A repeated blood pressure part has no component left to go into;
		// it travels as its own MDC-coded Observation rather than be lost.
		members = append(members, vitalObservation(base, v))
		keys = append(keys, strconv.FormatUint(uint64(v.Code), 10))
	}
	if len(bp) > 0 {
		members = append(members, bloodPressure(base, bp))
		keys = append(keys, "bp")
	}
	return members, keys
}

// pack decides how many members go before the panel's transaction.
func (u *ChartUpload) pack() {
	room := MaxTransactionEntries
	if u.device != nil {
		room--
	}
	if u.hasProvenance() {
		room--
	}
	u.perPart = room
	if m := len(u.members); m > room-1 { // the panel takes one place
		parts := (m - (room - 1) + room - 1) / room
		u.inParts = min(parts*room, m)
	}
}

func (u *ChartUpload) hasProvenance() bool { return u.deviceRef != "" || u.author != "" }

// Transactions is how many transactions the chart takes: its parts and the
// panel's.
func (u *ChartUpload) Transactions() int { return len(u.partRanges()) + 1 }

// partRanges are the member index ranges [from, to) of the parts.
func (u *ChartUpload) partRanges() [][2]int {
	var out [][2]int
	for from := 0; from < u.inParts; from += u.perPart {
		out = append(out, [2]int{from, min(from+u.perPart, u.inParts)})
	}
	return out
}

// Parts are the transactions that go before the panel's, in order; none
// when the chart fits in one. Each holds the Device upsert (first, for a
// device's chart), members, and their Provenance (last).
func (u *ChartUpload) Parts() ([]Bundle, error) {
	var out []Bundle
	for _, r := range u.partRanges() {
		b, err := u.transaction(u.members[r[0]:r[1]], fmt.Sprintf("provenance/%d+%d", r[0], r[1]-r[0]))
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}

// Panel is the last transaction: the members no part carries and the panel,
// with the Device upsert and a Provenance. partMembers are the references
// ("Observation/<id>") of the parts' members on the server, in member
// order, as the parts' replies named them; empty when there are no parts.
func (u *ChartUpload) Panel(partMembers []string) (Bundle, error) {
	if len(partMembers) != u.inParts {
		return Bundle{}, fmt.Errorf("panel of chart %s: %d member references, want %d", u.chartID, len(partMembers), u.inParts)
	}
	panel := u.panel
	panel.HasMember = nil
	for _, ref := range partMembers {
		if _, ok := observationRef(ref); !ok {
			return Bundle{}, fmt.Errorf("panel of chart %s: member %q is not Observation/<id>", u.chartID, ref)
		}
		panel.HasMember = append(panel.HasMember, Reference{Reference: ref})
	}
	rest := u.members[u.inParts:]
	for _, e := range rest {
		panel.HasMember = append(panel.HasMember, Reference{Reference: e.FullURL})
	}
	entry, err := observationEntry(panel, u.chartID, "panel", u.sys.Observation)
	if err != nil {
		return Bundle{}, err
	}
	return u.transaction(append(append([]BundleEntry(nil), rest...), entry), "provenance/panel")
}

// transaction wraps Observation entries with the Device upsert and their
// Provenance.
func (u *ChartUpload) transaction(obs []BundleEntry, provKey string) (Bundle, error) {
	b := Bundle{ResourceType: "Bundle", Type: "transaction"}
	if u.device != nil {
		b.Entry = append(b.Entry, *u.device)
	}
	b.Entry = append(b.Entry, obs...)
	if u.hasProvenance() {
		targets := make([]Reference, len(obs))
		for i, e := range obs {
			targets[i] = Reference{Reference: e.FullURL}
		}
		prov, err := provenanceEntry(u.chartID, provKey, targets, u.recorded, u.deviceRef, u.author, u.sys.Provenance)
		if err != nil {
			return Bundle{}, err
		}
		b.Entry = append(b.Entry, prov)
	}
	return b, nil
}

// partMembers returns, for part i, each member's position in the part's
// transaction and its identifier value, in member order.
func (u *ChartUpload) partMembers(i int) (entries []int, identifiers []string) {
	r := u.partRanges()[i]
	first := 0
	if u.device != nil {
		first = 1
	}
	for j := r[0]; j < r[1]; j++ {
		entries = append(entries, first+j-r[0])
		identifiers = append(identifiers, u.identifier[j])
	}
	return entries, identifiers
}

// observationRef reads "Observation/<id>" out of a reference or a
// Location: relative or absolute, with or without "/_history/<vid>".
func observationRef(loc string) (string, bool) {
	loc, _, _ = strings.Cut(loc, "?")
	parts := strings.Split(strings.Trim(loc, "/"), "/")
	for i := len(parts) - 2; i >= 0; i-- {
		if parts[i] == "Observation" && validID(parts[i+1]) && (i+2 == len(parts) || parts[i+2] == "_history") {
			return "Observation/" + parts[i+1], true
		}
	}
	return "", false
}
