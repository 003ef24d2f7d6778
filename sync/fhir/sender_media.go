package fhir

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"sort"

	"telewave/storage"
)

// ErrStripNotSent means a report names a strip the EHR does not hold yet;
// the report waits (not permanent) until the strip's own unit is sent.
var ErrStripNotSent = errors.New("a strip of the report is not on the EHR yet")

// sendStrip sends a strip's Observations, all in one transaction first. A
// 413 halves the Observations per transaction and tries again; only when a
// single Observation is too large is the unit given up.
func (s *Sender) sendStrip(ctx context.Context, st *storage.Strip) error {
	if st == nil {
		return unsendable(errors.New("the unit carries no strip"))
	}
	ref, err := s.patient(ctx, "strip", st.ID, st.PatientMRN)
	if err != nil {
		return err
	}
	up, err := MapStrip(*st, ref, s.systems)
	if err != nil {
		return unsendable(err)
	}
	if err := s.upsertDevices(ctx, up); err != nil {
		return err
	}
	per := min(up.Observations(), MaxTransactionEntries-2)
	for {
		bundles, err := up.Bundles(per)
		if err != nil {
			return unsendable(err)
		}
		err = nil
		for _, b := range bundles {
			if err = s.commit(ctx, b); err != nil {
				break
			}
		}
		switch {
		case err == nil:
			return nil
		case !tooLarge(err):
			return err
		case per <= 1:
			return Permanent(fmt.Errorf("one Observation of %s alone is too large: %w", up.SegmentLength(), err))
		}
		// Transactions already committed are matched, not duplicated,
		// when the smaller ones carry their Observations again.
		per = (per + 1) / 2
	}
}

// upsertDevices sends a strip's Device and DeviceMetric upserts unless this
// Sender already sent the same ones: a backlog of strips from one cart
// upserts its channels once.
func (s *Sender) upsertDevices(ctx context.Context, up *StripUpload) error {
	for _, b := range up.DeviceBundles() {
		key, err := json.Marshal(b)
		if err != nil {
			return unsendable(fmt.Errorf("encode device upsert: %w", err))
		}
		sum := sha256.Sum256(key)
		s.mu.Lock()
		done := s.devicesSent[sum]
		s.mu.Unlock()
		if done {
			continue
		}
		if err := s.commit(ctx, b); err != nil {
			return fmt.Errorf("upsert device: %w", err)
		}
		s.mu.Lock()
		s.devicesSent[sum] = true
		s.mu.Unlock()
	}
	return nil
}

// sendClip uploads the audio as a raw Binary unless an earlier try did,
// then the Media (or DocumentReference) transaction.
func (s *Sender) sendClip(ctx context.Context, c *storage.Clip) error {
	if c == nil {
		return unsendable(errors.New("the unit carries no clip"))
	}
	ref, err := s.patient(ctx, "clip", c.ID, c.PatientMRN)
	if err != nil {
		return err
	}
	if _, err := wavSeconds(c.WAV); err != nil {
		return unsendable(fmt.Errorf("clip %s: %w", c.ID, err))
	}
	asMedia, err := s.mediaSupported(ctx)
	if err != nil {
		return err
	}
	binID, err := s.clipBinary(ctx, c)
	if err != nil {
		return err
	}
	b, err := ClipBundle(*c, binID, ref, s.systems, asMedia)
	if err != nil {
		return unsendable(err)
	}
	return s.commit(ctx, b)
}

// clipBinary returns the Binary id of a clip's audio, uploading it first
// when neither the store nor this Sender has one.
func (s *Sender) clipBinary(ctx context.Context, c *storage.Clip) (string, error) {
	if c.BinaryID != "" {
		return c.BinaryID, nil
	}
	s.mu.Lock()
	id, ok := s.uploaded[c.ID]
	s.mu.Unlock()
	if ok {
		return id, nil
	}
	id, err := s.files.UploadBinary(ctx, ContentTypeWAV, c.WAV)
	if err != nil {
		return "", err // a 413 is permanent: audio cannot be split
	}
	s.mu.Lock()
	s.uploaded[c.ID] = id
	s.mu.Unlock()
	if s.binaries != nil {
		if err := s.binaries.SetClipBinary(ctx, c.ID, id); err != nil {
			return "", fmt.Errorf("record binary of clip %s: %w", c.ID, err)
		}
	}
	return id, nil
}

// mediaSupported asks the server's CapabilityStatement once whether it has
// Media; EHRs without it (Epic, for one) get DocumentReference.
func (s *Sender) mediaSupported(ctx context.Context) (bool, error) {
	s.mu.Lock()
	known := s.hasMedia
	s.mu.Unlock()
	if known != nil {
		return *known, nil
	}
	ok, err := s.files.SupportsResource(ctx, "Media")
	if err != nil {
		return false, err
	}
	s.mu.Lock()
	s.hasMedia = &ok
	s.mu.Unlock()
	return ok, nil
}

// sendReport finds the Observations of the report's strips on the server
// and sends the DiagnosticReport that refers to them.
func (s *Sender) sendReport(ctx context.Context, r *storage.Report) error {
	if r == nil {
		return unsendable(errors.New("the unit carries no report"))
	}
	ref, err := s.patient(ctx, "report", r.ID, r.PatientMRN)
	if err != nil {
		return err
	}
	var results []string
	for _, stripID := range r.Strips {
		found, err := s.stripObservations(ctx, stripID)
		if err != nil {
			return err
		}
		if len(found) == 0 {
			return fmt.Errorf("report %s, strip %s: %w", r.ID, stripID, ErrStripNotSent)
		}
		results = append(results, found...)
	}
	b, err := ReportBundle(*r, results, ref, s.systems)
	if err != nil {
		return unsendable(err)
	}
	return s.commit(ctx, b)
}

// maxStripObservations bounds one strip's segments (two hours of 30 s).
const maxStripObservations = 240

// stripObservations returns "Observation/<id>" of every segment of a strip,
// in time order.
func (s *Sender) stripObservations(ctx context.Context, stripID string) ([]string, error) {
	q := url.Values{"identifier": {s.systems.Strip + "|" + stripID}, "_count": {fmt.Sprint(maxStripObservations)}}
	b, err := s.client.Search(ctx, "Observation", q)
	if err != nil {
		return nil, fmt.Errorf("find strip %s: %w", stripID, err)
	}
	type seg struct{ ref, start string }
	var segs []seg
	for _, e := range b.Entry {
		if e.Search != nil && e.Search.Mode != "" && e.Search.Mode != "match" {
			continue
		}
		var o Observation
		if err := json.Unmarshal(e.Resource, &o); err != nil {
			return nil, fmt.Errorf("find strip %s: decode entry: %w", stripID, err)
		}
		if o.ResourceType != "Observation" || o.ID == "" {
			continue
		}
		sg := seg{ref: "Observation/" + o.ID}
		if o.EffectivePeriod != nil {
			sg.start = o.EffectivePeriod.Start
		}
		segs = append(segs, sg)
	}
	sort.SliceStable(segs, func(i, j int) bool { return segs[i].start < segs[j].start })
	out := make([]string, len(segs))
	for i, sg := range segs {
		out[i] = sg.ref
	}
	return out, nil
}
