package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"telewave/storage"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
)

// SyncAdminStore is what the sync screen needs of the record store.
type SyncAdminStore interface {
	ListOutbox(ctx context.Context, q sqlite.OutboxQuery) ([]sqlite.OutboxEntry, error)
	RetryUnit(ctx context.Context, unitID int64) error
	RetargetUnit(ctx context.Context, unitID, patientID int64) error
	DiscardUnit(ctx context.Context, unitID int64, reason string) error
	CacheEHRPatients(ctx context.Context, ps []sqlite.EHRPatient, at time.Time) error
	EHRPatients(ctx context.Context) ([]sqlite.EHRPatient, time.Time, error)
	Patients(ctx context.Context) ([]storage.Patient, error)
	PatientByMRN(ctx context.Context, mrn string) (storage.Patient, error)
	AddPatient(ctx context.Context, p storage.Patient) (storage.Patient, error)
}

var _ SyncAdminStore = (*sqlite.Store)(nil)

// PatientSearcher finds Patients at the EHR; EHRPatientSearch is the
// FHIR one.
type PatientSearcher interface {
	ByMRN(ctx context.Context, mrn string) ([]sqlite.EHRPatient, error)
	ByName(ctx context.Context, name string) ([]sqlite.EHRPatient, error)
}

// matchReasons are the texts of a unit's reason that mean "the EHR has no
// patient with this MRN": the work waits for a clinician to match it.
var matchReasons = []string{fhir.ErrPatientNotMatched.Error(), "no patient with this MRN"}

// WaitsForMatch reports whether a unit's reason says it waits for a
// clinician to match its patient.
func WaitsForMatch(reason string) bool {
	r := strings.ToLower(reason)
	for _, m := range matchReasons {
		if strings.Contains(r, strings.ToLower(m)) {
			return true
		}
	}
	return false
}

// SyncUnit is an undelivered unit with the local patient it is for (zero
// when the row is gone).
type SyncUnit struct {
	sqlite.OutboxEntry
	Patient storage.Patient
}

// SyncView is everything the sync screen shows, read in one go off the UI
// thread.
type SyncView struct {
	SyncStatus
	InFlight int
	Progress Progress
	Parked   []SyncUnit // failed permanently, for another reason than the patient
	Waiting  []SyncUnit // waiting for a clinician to match the patient
	// CacheRefreshed is when the EHR's patient list was last fetched.
	CacheRefreshed time.Time
}

// SyncAdmin is the sync screen's work: the lists of units that need a
// person, and what a person may do with them. Its methods touch the disk
// or the network; call them off the UI thread.
type SyncAdmin struct {
	Store SyncAdminStore
	// Search reaches the EHR; nil when none is configured.
	Search PatientSearcher
	// Kick wakes the sync after a unit became due (Drainer.Kick); may be nil.
	Kick func()
	// Now is the clock (default time.Now).
	Now func() time.Time

	mu       sync.Mutex // guards progress
	progress DrainProgress
}

// listLimit bounds each list on screen; the counts come from the stats.
const listLimit = 200

// Load reads the lists and combines them with st, the drainer's state.
func (a *SyncAdmin) Load(ctx context.Context, st SyncStatus) (SyncView, error) {
	v := SyncView{SyncStatus: st}
	inFlight, err := a.Store.ListOutbox(ctx, sqlite.OutboxQuery{States: []storage.UnitState{storage.InFlight}, Limit: listLimit})
	if err != nil {
		return v, fmt.Errorf("sync screen: %w", err)
	}
	v.InFlight = len(inFlight)
	waiting, err := a.Store.ListOutbox(ctx, sqlite.OutboxQuery{States: []storage.UnitState{storage.Pending, storage.Parked},
		ReasonContains: matchReasons, Limit: listLimit})
	if err != nil {
		return v, fmt.Errorf("sync screen: %w", err)
	}
	parked, err := a.Store.ListOutbox(ctx, sqlite.OutboxQuery{States: []storage.UnitState{storage.Parked}, Limit: listLimit})
	if err != nil {
		return v, fmt.Errorf("sync screen: %w", err)
	}
	patients, err := a.Store.Patients(ctx)
	if err != nil {
		return v, fmt.Errorf("sync screen: %w", err)
	}
	byID := make(map[int64]storage.Patient, len(patients))
	for _, p := range patients {
		byID[p.ID] = p
	}
	waitingPending := 0
	for _, e := range waiting {
		v.Waiting = append(v.Waiting, SyncUnit{OutboxEntry: e, Patient: byID[e.PatientID]})
		if e.State != storage.Parked {
			waitingPending++
		}
	}
	// Work waiting for a match is not part of the drain: it would hold the
	// progress short of its end until a clinician acts.
	a.mu.Lock()
	v.Progress = a.progress.Update(st.Sent, st.Queue.Pending-waitingPending)
	a.mu.Unlock()
	for _, e := range parked {
		if !WaitsForMatch(e.Reason) {
			v.Parked = append(v.Parked, SyncUnit{OutboxEntry: e, Patient: byID[e.PatientID]})
		}
	}
	if _, v.CacheRefreshed, err = a.Store.EHRPatients(ctx); err != nil {
		return v, fmt.Errorf("sync screen: %w", err)
	}
	return v, nil
}

// Retry makes a unit due at once and wakes the sync.
func (a *SyncAdmin) Retry(ctx context.Context, unitID int64) error {
	if err := a.Store.RetryUnit(ctx, unitID); err != nil {
		return err
	}
	a.kick()
	return nil
}

// Match sends a unit's work to the EHR patient p: to the local patient with
// p's MRN, registered from p's details when the register lacks it.
func (a *SyncAdmin) Match(ctx context.Context, unitID int64, p sqlite.EHRPatient) error {
	local, err := a.Store.PatientByMRN(ctx, p.MRN)
	if errors.Is(err, storage.ErrNotFound) {
		local, err = a.Store.AddPatient(ctx, storage.Patient{MRN: p.MRN, Name: p.Name, Birth: p.Birth, Sex: p.Sex})
	}
	if err != nil {
		return fmt.Errorf("match unit %d: %w", unitID, err)
	}
	if err := a.Store.RetargetUnit(ctx, unitID, local.ID); err != nil {
		return err
	}
	a.kick()
	return nil
}

// Discard drops a unit for good, with the administrator's reason.
func (a *SyncAdmin) Discard(ctx context.Context, unitID int64, reason string) error {
	return a.Store.DiscardUnit(ctx, unitID, reason)
}

// maxRefreshSearches bounds one refresh: the clinic's recent patients, not
// the whole register of a large site.
const maxRefreshSearches = 500

// RefreshPatients asks the EHR for the Patient of every MRN the register
// holds (newest first, up to maxRefreshSearches) and, when name is not
// empty, for Patients by that name, and keeps the answers sealed in the
// store. It caches nothing when a search fails, so the refresh time stays
// true. It returns how many Patients were cached.
func (a *SyncAdmin) RefreshPatients(ctx context.Context, name string) (int, error) {
	if a.Search == nil {
		return 0, errors.New("refresh EHR patients: no EHR configured")
	}
	local, err := a.Store.Patients(ctx)
	if err != nil {
		return 0, fmt.Errorf("refresh EHR patients: %w", err)
	}
	sort.Slice(local, func(i, j int) bool { return local[i].ID > local[j].ID })
	if len(local) > maxRefreshSearches {
		local = local[:maxRefreshSearches]
	}
	var found []sqlite.EHRPatient
	for _, p := range local {
		ps, err := a.Search.ByMRN(ctx, p.MRN)
		if err != nil {
			return 0, fmt.Errorf("refresh EHR patients: %w", err)
		}
		found = append(found, ps...)
	}
	if name = strings.TrimSpace(name); name != "" {
		ps, err := a.Search.ByName(ctx, name)
		if err != nil {
			return 0, fmt.Errorf("refresh EHR patients: %w", err)
		}
		found = append(found, ps...)
	}
	if err := a.Store.CacheEHRPatients(ctx, found, a.now()); err != nil {
		return 0, fmt.Errorf("refresh EHR patients: %w", err)
	}
	return len(found), nil
}

// Candidates lists the cached EHR patients whose MRN or name contains
// query (case-insensitive; all when empty): matching works offline.
func (a *SyncAdmin) Candidates(ctx context.Context, query string) ([]sqlite.EHRPatient, time.Time, error) {
	all, refreshed, err := a.Store.EHRPatients(ctx)
	if err != nil {
		return nil, refreshed, err
	}
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return all, refreshed, nil
	}
	var out []sqlite.EHRPatient
	for _, p := range all {
		if strings.Contains(strings.ToLower(p.MRN), q) || strings.Contains(strings.ToLower(p.Name), q) {
			out = append(out, p)
		}
	}
	return out, refreshed, nil
}

func (a *SyncAdmin) kick() {
	if a.Kick != nil {
		a.Kick()
	}
}

func (a *SyncAdmin) now() time.Time {
	if a.Now != nil {
		return a.Now()
	}
	return time.Now()
}

// Progress is how far a backlog's drain has come since it began.
type Progress struct {
	Active      bool // a backlog is draining
	Sent, Total int
}

// DrainProgress follows a backlog from the moment units wait until none
// does: Sent counts what the drainer sent since, Total grows when work
// arrives during the drain. Not safe for concurrent use.
type DrainProgress struct {
	active   bool
	baseSent int
	total    int
}

// Update takes the drainer's running Sent count and the number pending now.
func (d *DrainProgress) Update(sent, pending int) Progress {
	if pending <= 0 {
		*d = DrainProgress{}
		return Progress{}
	}
	if !d.active || sent < d.baseSent { // a new drainer restarts its count
		*d = DrainProgress{active: true, baseSent: sent}
	}
	done := sent - d.baseSent
	d.total = max(d.total, done+pending)
	return Progress{Active: true, Sent: done, Total: d.total}
}

// CheckEHRConnection asks the EHR at s for its CapabilityStatement once, with
// no retries and a short deadline: the settings screen's "Test connection".
func CheckEHRConnection(ctx context.Context, s EHRSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	c, err := s.NewClient(fhir.WithRetries(0, 0, 0), fhir.WithTimeout(15*time.Second))
	if err != nil {
		return err
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return c.Metadata(ctx)
}

// EHRPatientSearch finds Patients with the FHIR client: by MRN under the
// EHR's MRN system, or by name.
type EHRPatientSearch struct {
	Client    *fhir.Client
	MRNSystem string // default fhir.DefaultMRNSystem
}

var _ PatientSearcher = (*EHRPatientSearch)(nil)

// maxNameResults bounds a search by name.
const maxNameResults = 50

// ByMRN returns the Patients the EHR holds under mrn (normally one).
func (e *EHRPatientSearch) ByMRN(ctx context.Context, mrn string) ([]sqlite.EHRPatient, error) {
	return e.search(ctx, url.Values{"identifier": {e.system() + "|" + mrn}, "_count": {"5"}})
}

// ByName returns up to maxNameResults Patients whose name matches.
func (e *EHRPatientSearch) ByName(ctx context.Context, name string) ([]sqlite.EHRPatient, error) {
	return e.search(ctx, url.Values{"name": {name}, "_count": {strconv.Itoa(maxNameResults)}})
}

func (e *EHRPatientSearch) system() string {
	if e.MRNSystem != "" {
		return e.MRNSystem
	}
	return fhir.DefaultMRNSystem
}

// ehrPatient is the part of an R4 Patient the cache keeps.
type ehrPatient struct {
	ResourceType string `json:"resourceType"`
	ID           string `json:"id"`
	Identifier   []struct {
		System string `json:"system"`
		Value  string `json:"value"`
	} `json:"identifier"`
	Name []struct {
		Text   string   `json:"text"`
		Family string   `json:"family"`
		Given  []string `json:"given"`
	} `json:"name"`
	BirthDate string `json:"birthDate"`
	Gender    string `json:"gender"`
}

func (e *EHRPatientSearch) search(ctx context.Context, q url.Values) ([]sqlite.EHRPatient, error) {
	b, err := e.Client.Search(ctx, "Patient", q)
	if err != nil {
		return nil, err
	}
	return patientsFrom(b, e.system())
}

// patientsFrom reads the matched Patients of a searchset that carry an MRN
// under system.
func patientsFrom(b fhir.Bundle, system string) ([]sqlite.EHRPatient, error) {
	var out []sqlite.EHRPatient
	for i, entry := range b.Entry {
		if entry.Search != nil && entry.Search.Mode != "" && entry.Search.Mode != "match" {
			continue
		}
		var p ehrPatient
		if err := json.Unmarshal(entry.Resource, &p); err != nil {
			return nil, fmt.Errorf("search Patient: entry %d: %w", i, err)
		}
		if p.ResourceType != "Patient" || p.ID == "" {
			continue
		}
		c := sqlite.EHRPatient{Ref: "Patient/" + p.ID, Birth: p.BirthDate, Sex: p.Gender}
		for _, id := range p.Identifier {
			if id.System == system && id.Value != "" {
				c.MRN = id.Value
				break
			}
		}
		if c.MRN == "" {
			continue // no MRN under our system: nothing to match work by
		}
		if len(p.Name) > 0 {
			n := p.Name[0]
			c.Name = n.Text
			if c.Name == "" {
				c.Name = strings.TrimSpace(strings.Join(append(append([]string(nil), n.Given...), n.Family), " "))
			}
		}
		out = append(out, c)
	}
	return out, nil
}
