package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/google/uuid"

	"telewave/devices"
	"telewave/formats/wav"
	"telewave/storage"
)

// DefaultClipLength is how long a stethoscope clip records unless asked.
const DefaultClipLength = 30 * time.Second

// ClipStore keeps clips sealed and queues them for the EHR
// (storage/sqlite.Store).
type ClipStore interface {
	QueueClip(ctx context.Context, c storage.Clip) (unitID int64, err error)
}

// clipJob is a clip being recorded.
type clipJob struct {
	site    string
	want    int // samples
	started time.Time
	samples []float32
}

// ClipStatus is what the screen shows of clip recording.
type ClipStatus struct {
	Recording bool
	Site      string
	Done      float64 // seconds recorded of the clip in progress
	Want      float64
	Saved     int    // clips saved this session
	LastErr   string // why the last clip was not saved
}

// RecordClip starts a clip of length d (DefaultClipLength when ≤ 0) tagged
// with the auscultation site (storage.SiteAortic…); it is saved and queued
// for the EHR when complete. It returns at once; a clip already being
// recorded is an error.
func (s *Stethoscope) RecordClip(site string, d time.Duration) error {
	switch site {
	case storage.SiteAortic, storage.SitePulmonic, storage.SiteTricuspid, storage.SiteMitral, storage.SiteLungs, "":
	default:
		return fmt.Errorf("record clip: unknown site %q", site)
	}
	if d <= 0 {
		d = DefaultClipLength
	}
	if d > 5*time.Minute {
		return errors.New("record clip: longer than 5 minutes")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.clip != nil {
		return errors.New("record clip: a clip is being recorded")
	}
	if s.cfg.Clips == nil {
		return errors.New("record clip: no record store")
	}
	n := int(math.Round(d.Seconds() * PCGRate)) // rounded: a recording's own length gives all its samples
	s.clip = &clipJob{site: site, want: n, samples: make([]float32, 0, n)}
	return nil
}

// ClipStatus reports the clip in progress and the last outcome.
func (s *Stethoscope) ClipStatus() ClipStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.clipStatus
	if c := s.clip; c != nil {
		st.Recording, st.Site = true, c.site
		st.Done, st.Want = float64(len(c.samples))/PCGRate, float64(c.want)/PCGRate
	}
	return st
}

// takeClip adds a drained buffer to the clip in progress; a gap ends the
// clip short (a clip never spans a lost stretch). It runs on Serve's
// goroutine, which also saves the finished clip.
func (s *Stethoscope) takeClip(buf []float32, start time.Time, gap bool) {
	s.mu.Lock()
	c := s.clip
	if c != nil && len(c.samples) == 0 {
		c.started = start
	}
	var done *clipJob
	if c != nil {
		if gap && len(c.samples) > 0 {
			done = c
		} else {
			k := min(len(buf), c.want-len(c.samples))
			c.samples = append(c.samples, buf[:k]...)
			if len(c.samples) >= c.want {
				done = c
			}
		}
		if done != nil {
			s.clip = nil
		}
	}
	s.mu.Unlock()
	if done != nil {
		s.saveClip(done)
	}
}

func (s *Stethoscope) saveClip(c *clipJob) {
	err := func() error {
		var b bytes.Buffer
		if err := wav.Write(&b, wav.Audio{Rate: PCGRate, Channels: 1, Bits: 16, Samples: [][]float32{c.samples}}); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := s.cfg.Clips.QueueClip(ctx, storage.Clip{ID: uuid.NewString(), PatientMRN: s.cfg.PatientMRN, Time: c.started,
			Site: c.site, WAV: b.Bytes(), Device: devices.DeviceInfo{Protocol: "audio", Model: "Stethoscope"}, Author: s.cfg.User})
		return err
	}()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.clipStatus.LastErr = "clip not saved: " + err.Error()
		return
	}
	s.clipStatus.Saved++
	s.clipStatus.LastErr = ""
}
