package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"telewave/alarms"
	"telewave/storage"
)

// AlarmStore keeps the alarm history (storage/sqlite.Store); it audits
// acknowledgements and audio pauses.
type AlarmStore interface {
	RecordAlarm(ctx context.Context, e storage.AlarmEntry) (int64, error)
}

// journalQueue bounds the alarm history waiting for the disk;
// writeTimeout bounds one write.
const (
	journalQueue = 1024
	writeTimeout = 5 * time.Second
)

// alarmJournal writes the engine's journal to the store on its own
// goroutine: the engine is called from the UI thread (acknowledge, pause)
// and from the analysis, neither of which may wait on the disk. A full
// queue or a failing store is reported through trouble, which the
// analysis turns into the storage technical alarm.
type alarmJournal struct {
	store   AlarmStore
	patient int64
	ch      chan alarms.Entry
	tap     func(alarms.Entry) // tests: sees every entry as it is journalled
	// profiles carries the patient's alarm profile to save; only the
	// latest matters, so a newer one replaces one not yet written.
	profiles chan []byte
	settings ProfileStore // nil: profiles are not kept

	mu      sync.Mutex
	lost    int
	failing bool
	lastErr string
}

var _ alarms.Journal = (*alarmJournal)(nil)

func newAlarmJournal(store AlarmStore, patient int64) *alarmJournal {
	j := &alarmJournal{store: store, patient: patient, ch: make(chan alarms.Entry, journalQueue), profiles: make(chan []byte, 1)}
	j.settings, _ = store.(ProfileStore)
	return j
}

// queueProfile hands the latest profile to the writer; it never blocks.
func (j *alarmJournal) queueProfile(b []byte) {
	if j.settings == nil {
		return
	}
	for {
		select {
		case j.profiles <- b:
			return
		default:
		}
		select {
		case <-j.profiles: // drop the older one
		default:
		}
	}
}

func (j *alarmJournal) writeProfile(ctx context.Context, b []byte) {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	err := j.settings.SetPatientSetting(ctx, j.patient, ProfileSetting, b)
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		j.failing, j.lastErr = true, err.Error()
	}
}

// Record queues en for the store; it never blocks.
func (j *alarmJournal) Record(en alarms.Entry) error {
	if j.tap != nil {
		j.tap(en)
	}
	if j.store == nil {
		return nil
	}
	select {
	case j.ch <- en:
	default:
		j.mu.Lock()
		j.lost++
		j.failing, j.lastErr = true, fmt.Sprintf("%d entries lost, the disk is too slow", j.lost)
		j.mu.Unlock()
	}
	return nil
}

// run writes queued entries until ctx ends, then what is still queued.
// A write is not cut short by ctx: shutting down must not lose the
// alarm history, so each has writeTimeout of its own.
func (j *alarmJournal) run(ctx context.Context) {
	wctx := context.WithoutCancel(ctx)
	for {
		select {
		case en := <-j.ch:
			j.write(wctx, en)
		case b := <-j.profiles:
			j.writeProfile(wctx, b)
		case <-ctx.Done():
			for {
				select {
				case en := <-j.ch:
					j.write(wctx, en)
				case b := <-j.profiles:
					j.writeProfile(wctx, b)
				default:
					return
				}
			}
		}
	}
}

func (j *alarmJournal) write(ctx context.Context, en alarms.Entry) {
	ctx, cancel := context.WithTimeout(ctx, writeTimeout)
	defer cancel()
	_, err := j.store.RecordAlarm(ctx, historyEntry(en, j.patient))
	j.mu.Lock()
	defer j.mu.Unlock()
	if err != nil {
		j.failing, j.lastErr = true, err.Error()
		return
	}
	if j.lost == 0 {
		j.failing = false
	}
}

// trouble reports whether the history is not being kept, and why.
func (j *alarmJournal) trouble() (bool, string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.failing, j.lastErr
}

// historyEntry maps an engine journal entry to a line of the store's
// alarm history. Entries that are about no one alarm (audio pause, limit
// changes) are filed under "audio" and "limits".
func historyEntry(en alarms.Entry, patient int64) storage.AlarmEntry {
	h := storage.AlarmEntry{PatientID: patient, Time: en.Time, Code: en.AlarmID, Text: en.Text,
		Priority: en.Priority, User: en.User}
	switch en.Action {
	case alarms.Raised:
		h.Action = storage.AlarmRaised
	case alarms.Ended, alarms.Superseded:
		h.Action = storage.AlarmCleared
	case alarms.Escalated:
		h.Action = storage.AlarmEscalated
	case alarms.Acknowledged:
		h.Action = storage.AlarmAcknowledged
	case alarms.AudioPaused:
		h.Action, h.Code = storage.AlarmPaused, "audio"
	case alarms.AudioResumed:
		h.Action, h.Code = storage.AlarmAction(alarms.AudioResumed), "audio"
	default:
		h.Action = storage.AlarmAction(en.Action)
		if h.Code == "" {
			h.Code = "limits"
			if en.Source != "" {
				h.Code += ":" + en.Source
			}
		}
	}
	if en.Action == alarms.Superseded {
		h.Text += " (superseded)"
	}
	switch {
	case h.Text == "":
		h.Text = en.Detail
	case en.Detail != "":
		h.Text += " — " + en.Detail
	}
	return h
}
