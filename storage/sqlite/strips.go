package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/storage"
	"telewave/storage/wavecodec"
)

// KindStrip is the outbox kind of an ECG or pleth strip for the EHR.
const KindStrip = "strip"

// maxStripSamples bounds one lead of a strip (an hour at 1 kHz): a strip is
// a clinician's excerpt, not a recording.
const maxStripSamples = 3_600_000

// stripRecord is how a strip is sealed: every lead's samples compressed.
type stripRecord struct {
	ID          string             `json:"id"`
	PatientMRN  string             `json:"mrn"`
	RecordingID int64              `json:"recording,omitempty"`
	Start       time.Time          `json:"start"`
	End         time.Time          `json:"end"`
	Device      devices.DeviceInfo `json:"device"`
	Author      string             `json:"author,omitempty"`
	Leads       []leadRecord       `json:"leads"`
}

type leadRecord struct {
	Signal  devices.Signal `json:"signal"`
	N       int            `json:"n"`
	Samples []byte         `json:"samples"`        // wavecodec
	Gaps    [][2]int       `json:"gaps,omitempty"` // runs of storage.GapSample: first, length
}

// QueueStrip stores a strip and its outbox unit for the EHR in one
// transaction, with a "strip" audit row, and returns the unit's id. st.ID
// must be a UUID chosen by the caller. Leads without samples are read from
// recording st.RecordingID between st.Start and st.End (call it once the
// recorder has written that stretch); a missing stretch becomes
// storage.GapSample. A lead whose Signal has no sample rate takes the
// recording's description of the signal with that ID.
func (s *Store) QueueStrip(ctx context.Context, st storage.Strip) (unitID int64, err error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("queue strip: %w", err)
	}
	if _, err := uuid.Parse(st.ID); err != nil {
		return 0, fmt.Errorf("queue strip: strip id %q is not a UUID", st.ID)
	}
	if err := s.fillStrip(ctx, &st); err != nil {
		return 0, fmt.Errorf("strip %s: %w", st.ID, err)
	}
	rec := stripRecord{ID: st.ID, PatientMRN: st.PatientMRN, RecordingID: st.RecordingID, Start: st.Start,
		End: st.End, Device: st.Device, Author: st.Author}
	for _, l := range st.Leads {
		rec.Leads = append(rec.Leads, encodeLead(l))
	}
	sealed, err := sealJSON(ss.sealer, rec, "strips", st.ID, "sealed")
	if err != nil {
		return 0, fmt.Errorf("strip %s: %w", st.ID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		p, err := patientByIndex(ctx, tx, ss.sealer, st.PatientMRN)
		if err != nil {
			return fmt.Errorf("patient: %w", err)
		}
		if err := mustBeNew(ctx, tx, "strips", st.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO strips (uuid, patient_id, recording_id, start_ns, end_ns, sealed)
			VALUES (?, ?, ?, ?, ?, ?)`, st.ID, p.ID, nullID(st.RecordingID), st.Start.UnixNano(), st.End.UnixNano(), sealed)
		if err != nil {
			return err
		}
		ref, err := res.LastInsertId()
		if err != nil {
			return err
		}
		unitID, err = queueUnit(ctx, tx, KindStrip, ref, s.now())
		if err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "strip", "strip "+st.ID, s.now())
	})
	if err != nil {
		return 0, fmt.Errorf("strip %s: %w", st.ID, err)
	}
	return unitID, nil
}

// fillStrip checks a strip and reads the samples of leads that have none
// from its recording.
func (s *Store) fillStrip(ctx context.Context, st *storage.Strip) error {
	if st.Start.IsZero() || len(st.Leads) == 0 {
		return errors.New("needs a start time and at least one lead")
	}
	var stored []devices.Signal
	end := st.Start
	for i := range st.Leads {
		l := &st.Leads[i]
		if l.Signal.SampleRate <= 0 && st.RecordingID != 0 {
			if stored == nil {
				var err error
				if stored, err = s.Signals(ctx, st.RecordingID); err != nil {
					return err
				}
			}
			for _, sig := range stored {
				if sig.ID == l.Signal.ID {
					l.Signal = sig
				}
			}
		}
		rate := l.Signal.SampleRate
		if rate <= 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
			return fmt.Errorf("lead %d (%s) has no sample rate", i, l.Signal.ID)
		}
		if l.Samples == nil {
			if st.RecordingID == 0 || !st.End.After(st.Start) {
				return fmt.Errorf("lead %d (%s) has no samples, and no recording and end to read them from", i, l.Signal.ID)
			}
			n := int(math.Round(st.End.Sub(st.Start).Seconds() * rate))
			if n > maxStripSamples {
				return fmt.Errorf("lead %d (%s): %d samples, more than %d", i, l.Signal.ID, n, maxStripSamples)
			}
			chunks, err := s.ChunksBetween(ctx, st.RecordingID, l.Signal.ID, st.Start, st.End)
			if err != nil {
				return fmt.Errorf("lead %d: %w", i, err)
			}
			l.Samples = placeChunks(chunks, st.Start, n, rate)
		}
		if len(l.Samples) == 0 || len(l.Samples) > maxStripSamples {
			return fmt.Errorf("lead %d (%s) has %d samples, want 1 to %d", i, l.Signal.ID, len(l.Samples), maxStripSamples)
		}
		if e := st.Start.Add(time.Duration(float64(len(l.Samples)) / rate * float64(time.Second))); e.After(end) {
			end = e
		}
	}
	if st.End.IsZero() {
		st.End = end
	}
	return nil
}

// placeChunks lays chunks out on n sample positions from start. A chunk
// that continues the one before (next sequence number, no gap flag) follows
// it sample for sample; any other is placed by its host time, so host
// clock jitter never tears a continuous run. Positions no chunk covers are
// GapSample.
func placeChunks(chunks []devices.Chunk, start time.Time, n int, rate float64) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = storage.GapSample
	}
	pos := 0
	for i, c := range chunks {
		if i == 0 || c.Seq != chunks[i-1].Seq+1 || c.Flags&devices.GapBefore != 0 {
			pos = int(math.Round(c.HostTime.Sub(start).Seconds() * rate))
		}
		for j, v := range c.Samples {
			if k := pos + j; k >= 0 && k < n {
				out[k] = v
			}
		}
		pos += len(c.Samples)
	}
	return out
}

// encodeLead compresses a lead; gap samples become runs, and the previous
// sample stands in for them so the predictor sees no jump.
func encodeLead(l storage.StripLead) leadRecord {
	r := leadRecord{Signal: l.Signal, N: len(l.Samples)}
	plain := make([]int32, len(l.Samples))
	var last int32
	for i, v := range l.Samples {
		if v == storage.GapSample {
			if k := len(r.Gaps) - 1; k >= 0 && r.Gaps[k][0]+r.Gaps[k][1] == i {
				r.Gaps[k][1]++
			} else {
				r.Gaps = append(r.Gaps, [2]int{i, 1})
			}
			v = last
		}
		plain[i], last = v, v
	}
	r.Samples = wavecodec.Encode(nil, plain)
	return r
}

func decodeLead(r leadRecord) (storage.StripLead, error) {
	if r.N < 0 || r.N > maxStripSamples {
		return storage.StripLead{}, fmt.Errorf("lead %s: %d samples", r.Signal.ID, r.N)
	}
	samples, err := wavecodec.Decode(r.Samples, make([]int32, 0, r.N))
	if err != nil {
		return storage.StripLead{}, fmt.Errorf("lead %s: %w", r.Signal.ID, err)
	}
	if len(samples) != r.N {
		return storage.StripLead{}, fmt.Errorf("lead %s holds %d samples, want %d", r.Signal.ID, len(samples), r.N)
	}
	for _, g := range r.Gaps {
		if g[0] < 0 || g[1] < 0 || g[0]+g[1] > r.N {
			return storage.StripLead{}, fmt.Errorf("lead %s: gap %v outside %d samples", r.Signal.ID, g, r.N)
		}
		for i := g[0]; i < g[0]+g[1]; i++ {
			samples[i] = storage.GapSample
		}
	}
	return storage.StripLead{Signal: r.Signal, Samples: samples}, nil
}

// stripByRow opens a stored strip and checks it is the one its row names.
func stripByRow(ctx context.Context, q queryer, ss session, rowID int64) (*storage.Strip, error) {
	var (
		id     string
		sealed []byte
	)
	err := q.QueryRowContext(ctx, `SELECT uuid, sealed FROM strips WHERE id = ?`, rowID).Scan(&id, &sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("strip row %d: %w", rowID, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("strip row %d: %w", rowID, err)
	}
	var rec stripRecord
	if err := openJSON(ss.sealer, sealed, "strips", id, "sealed", &rec); err != nil {
		return nil, err
	}
	if rec.ID != id {
		return nil, fmt.Errorf("strip row %d: sealed id does not match", rowID)
	}
	st := &storage.Strip{ID: rec.ID, PatientMRN: rec.PatientMRN, RecordingID: rec.RecordingID, Start: rec.Start,
		End: rec.End, Device: rec.Device, Author: rec.Author}
	for _, l := range rec.Leads {
		lead, err := decodeLead(l)
		if err != nil {
			return nil, fmt.Errorf("strip row %d: %w", rowID, err)
		}
		st.Leads = append(st.Leads, lead)
	}
	return st, nil
}

// mustBeNew returns storage.ErrExists when table already has a row with
// this UUID.
func mustBeNew(ctx context.Context, tx *sql.Tx, table, id string) error {
	var n int
	// table is a constant of this package, never user input.
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE uuid = ?`, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return storage.ErrExists
	}
	return nil
}

// FillStrip reads the samples of st's leads that carry none from its
// recording between Start and End, as QueueStrip does, without queueing:
// the caller sees what will be sent (a review, a printed report).
func (s *Store) FillStrip(ctx context.Context, st *storage.Strip) error {
	if err := s.fillStrip(ctx, st); err != nil {
		return fmt.Errorf("strip %s: %w", st.ID, err)
	}
	return nil
}
