package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"telewave/storage"
)

// KindClip is the outbox kind of a stethoscope clip for the EHR.
const KindClip = "clip"

// maxClipBytes bounds one clip (about 20 minutes of 4 kHz 16-bit mono).
const maxClipBytes = 16 << 20

// QueueClip stores a stethoscope clip and its outbox unit for the EHR in
// one transaction, with a "clip" audit row, and returns the unit's id. The
// WAVE bytes are sealed as they are. c.ID must be a UUID chosen by the
// caller; c.BinaryID is ignored (the sender sets it with SetClipBinary).
func (s *Store) QueueClip(ctx context.Context, c storage.Clip) (unitID int64, err error) {
	ss, err := s.session()
	if err != nil {
		return 0, fmt.Errorf("queue clip: %w", err)
	}
	if _, err := uuid.Parse(c.ID); err != nil {
		return 0, fmt.Errorf("queue clip: clip id %q is not a UUID", c.ID)
	}
	switch {
	case c.Time.IsZero():
		return 0, fmt.Errorf("clip %s: no recording time", c.ID)
	case len(c.WAV) < 12 || !bytes.Equal(c.WAV[:4], []byte("RIFF")) || !bytes.Equal(c.WAV[8:12], []byte("WAVE")):
		return 0, fmt.Errorf("clip %s: not a RIFF WAVE file", c.ID)
	case len(c.WAV) > maxClipBytes:
		return 0, fmt.Errorf("clip %s: %d bytes, more than %d", c.ID, len(c.WAV), maxClipBytes)
	}
	wav := ss.sealer.Seal(c.WAV, "clips", c.ID, "wav")
	meta := c
	meta.WAV, meta.BinaryID = nil, ""
	sealed, err := sealJSON(ss.sealer, meta, "clips", c.ID, "sealed")
	if err != nil {
		return 0, fmt.Errorf("clip %s: %w", c.ID, err)
	}
	err = inTx(ctx, s.db, func(tx *sql.Tx) error {
		p, err := patientByIndex(ctx, tx, ss.sealer, c.PatientMRN)
		if err != nil {
			return fmt.Errorf("patient: %w", err)
		}
		if err := mustBeNew(ctx, tx, "clips", c.ID); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO clips (uuid, patient_id, time_ns, size, sealed, wav) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, p.ID, c.Time.UnixNano(), len(c.WAV), sealed, wav)
		if err != nil {
			return err
		}
		ref, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if unitID, err = queueUnit(ctx, tx, KindClip, ref, s.now()); err != nil {
			return err
		}
		return appendAudit(ctx, tx, ss.sealer, ss.storeID, ss.user.ID, "clip", "clip "+c.ID, s.now())
	})
	if err != nil {
		return 0, fmt.Errorf("clip %s: %w", c.ID, err)
	}
	return unitID, nil
}

// SetClipBinary records the EHR's id of a clip's uploaded audio, so that a
// resend of the clip does not upload it again.
func (s *Store) SetClipBinary(ctx context.Context, clipID, binaryID string) error {
	if _, err := s.session(); err != nil {
		return fmt.Errorf("set clip %s binary: %w", clipID, err)
	}
	err := inTx(ctx, s.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE clips SET binary_id = ? WHERE uuid = ?`, binaryID, clipID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(storage.ErrNotFound, err)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set clip %s binary: %w", clipID, err)
	}
	return nil
}

// clipByRow opens a stored clip, audio included.
func clipByRow(ctx context.Context, q queryer, ss session, rowID int64) (*storage.Clip, error) {
	var (
		id          string
		size        int
		binary      sql.NullString
		sealed, wav []byte
	)
	err := q.QueryRowContext(ctx, `SELECT uuid, size, binary_id, sealed, wav FROM clips WHERE id = ?`, rowID).
		Scan(&id, &size, &binary, &sealed, &wav)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("clip row %d: %w", rowID, storage.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("clip row %d: %w", rowID, err)
	}
	var c storage.Clip
	if err := openJSON(ss.sealer, sealed, "clips", id, "sealed", &c); err != nil {
		return nil, err
	}
	if c.ID != id {
		return nil, fmt.Errorf("clip row %d: sealed id does not match", rowID)
	}
	if c.WAV, err = ss.sealer.Open(wav, "clips", id, "wav"); err != nil {
		return nil, err
	}
	if len(c.WAV) != size {
		return nil, fmt.Errorf("clip row %d: %d bytes of audio, row says %d", rowID, len(c.WAV), size)
	}
	c.BinaryID = binary.String
	return &c, nil
}
