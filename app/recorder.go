package app

import (
	"context"
	"fmt"
	"sync"
	"time"

	"telewave/devices"
	"telewave/storage"
)

// ChunkStore is what the recorder needs of the record store.
type ChunkStore interface {
	StartRecording(ctx context.Context, patientID int64, dev devices.DeviceInfo, started time.Time) (storage.Recording, error)
	AddSignal(ctx context.Context, recordingID int64, sig devices.Signal) error
	AppendChunks(ctx context.Context, recordingID int64, chunks []devices.Chunk) error
	AppendEvents(ctx context.Context, recordingID int64, events []devices.Event) error
	StopRecording(ctx context.Context, recordingID int64, stopped time.Time) error
}

// maxBacklog bounds what the recorder holds while the store is failing:
// two minutes of chunks. Past that the oldest are dropped and the loss is
// raised as a technical alarm, rather than growing until memory runs out.
const maxBacklog = 120

// FlushEvery is how often the recorder closes its open chunks and commits:
// a crash or power cut loses at most this much plus the device's own
// delivery latency.
const FlushEvery = 500 * time.Millisecond

// maxEvents bounds the events queued per device while the store fails.
const maxEvents = 1000

// Recorder writes every device's signals into the store as sealed chunks
// of at most one second, one transaction a second per recording. One
// recording per device slot: a device that reconnects resumes into the
// same recording, with the gap flagged on its first chunk.
type Recorder struct {
	store     ChunkStore
	patientID int64
	now       func() time.Time
	alarm     func(devices.Event)

	mu    sync.Mutex
	slots map[string]*slotRec
}

type slotRec struct {
	info      devices.DeviceInfo
	recording int64 // 0 until started
	signals   map[string]*signalRec
	order     []string
	pending   []devices.Chunk // closed chunks not yet stored
	events    []devices.Event // device events not yet stored
}

type signalRec struct {
	sig     devices.Signal
	added   bool
	seq     uint64
	open    *devices.Chunk // accumulating
	lastEnd time.Time
}

// NewRecorder records for one patient. alarm receives storage trouble.
func NewRecorder(store ChunkStore, patientID int64, now func() time.Time, alarm func(devices.Event)) *Recorder {
	if now == nil {
		now = time.Now
	}
	if alarm == nil {
		alarm = func(devices.Event) {}
	}
	return &Recorder{store: store, patientID: patientID, now: now, alarm: alarm, slots: map[string]*slotRec{}}
}

// Observe takes one hub message. It never touches the store.
func (r *Recorder) Observe(e Envelope) {
	if e.Device == AnalysisSlot {
		return // derived numerics and beats are not a device's recording
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.slots[e.Device]
	if s == nil {
		s = &slotRec{signals: map[string]*signalRec{}}
		r.slots[e.Device] = s
	}
	switch m := e.Msg.(type) {
	case *devices.DeviceInfo:
		s.info = *m
	case *devices.Signal:
		if sr := s.signals[m.ID]; sr != nil {
			sr.sig = *m
			return
		}
		s.signals[m.ID] = &signalRec{sig: *m}
		s.order = append(s.order, m.ID)
	case *devices.Event:
		if len(s.events) < maxEvents {
			s.events = append(s.events, *m)
		}
	case *devices.Chunk:
		sr := s.signals[m.Signal]
		if sr == nil {
			return // a chunk of an undeclared signal cannot be scaled; drivers declare first
		}
		r.add(s, sr, m)
	}
}

// add appends samples to the open chunk, closing it at one second or
// when the flags change (a gap starts a new chunk so it stays visible).
func (r *Recorder) add(s *slotRec, sr *signalRec, c *devices.Chunk) {
	limit := int(sr.sig.SampleRate)
	if limit < 1 {
		limit = 1
	}
	samples := c.Samples
	host := c.HostTime
	flags := c.Flags
	period := time.Duration(float64(time.Second) / max(sr.sig.SampleRate, 1e-3))
	for len(samples) > 0 {
		if sr.open != nil && (flags&devices.GapBefore != 0 || (flags&^devices.GapBefore) != (sr.open.Flags&^devices.GapBefore)) {
			r.close(s, sr)
		}
		if sr.open == nil {
			sr.open = &devices.Chunk{Signal: sr.sig.ID, Seq: sr.seq, HostTime: host, Flags: flags}
			if !c.DeviceTime.IsZero() {
				sr.open.DeviceTime = c.DeviceTime.Add(host.Sub(c.HostTime))
			}
			sr.seq++
		}
		n := min(limit-len(sr.open.Samples), len(samples))
		sr.open.Samples = append(sr.open.Samples, samples[:n]...)
		samples = samples[n:]
		host = host.Add(time.Duration(n) * period)
		flags &^= devices.GapBefore
		if len(sr.open.Samples) >= limit {
			r.close(s, sr)
		}
	}
}

func (r *Recorder) close(s *slotRec, sr *signalRec) {
	if sr.open == nil || len(sr.open.Samples) == 0 {
		sr.open = nil
		return
	}
	s.pending = append(s.pending, *sr.open)
	sr.open = nil
	if len(s.pending) > maxBacklog*max(len(s.signals), 1) {
		drop := len(s.pending) - maxBacklog*len(s.signals)
		s.pending = s.pending[drop:]
		r.alarm(devices.Event{Kind: devices.Technical, Code: "storage-overflow", Priority: devices.High, Time: r.now(),
			Text: fmt.Sprintf("recording backlog full: %d chunks of %s lost", drop, s.info.Protocol)})
	}
}

// Flush closes the open chunks and writes everything pending, one
// transaction per recording. On a store error the chunks stay queued and
// the error is raised once per flush as a technical alarm.
func (r *Recorder) Flush(ctx context.Context) error {
	r.mu.Lock()
	type job struct {
		slot   string
		s      *slotRec
		chunks []devices.Chunk
		events []devices.Event
	}
	var jobs []job
	for name, s := range r.slots {
		for _, id := range s.order {
			r.close(s, s.signals[id])
		}
		if len(s.pending) > 0 || len(s.events) > 0 {
			jobs = append(jobs, job{name, s, s.pending, s.events})
			s.pending, s.events = nil, nil
		}
	}
	r.mu.Unlock()

	var firstErr error
	for _, j := range jobs {
		err := r.write(ctx, j.s, j.chunks, j.events)
		if err != nil {
			r.mu.Lock()
			j.s.pending = append(j.chunks, j.s.pending...)
			j.s.events = append(j.events, j.s.events...)
			r.mu.Unlock()
			if firstErr == nil {
				firstErr = fmt.Errorf("record %s: %w", j.slot, err)
			}
		}
	}
	if firstErr != nil {
		r.alarm(devices.Event{Kind: devices.Technical, Code: "storage-error", Priority: devices.High, Time: r.now(),
			Text: firstErr.Error()})
	}
	return firstErr
}

func (r *Recorder) write(ctx context.Context, s *slotRec, chunks []devices.Chunk, events []devices.Event) error {
	r.mu.Lock()
	rec, info := s.recording, s.info
	var toAdd []*signalRec
	for _, id := range s.order {
		if sr := s.signals[id]; !sr.added {
			toAdd = append(toAdd, sr)
		}
	}
	r.mu.Unlock()
	if rec == 0 && len(chunks) == 0 {
		// Events before any sample (a device that never streamed) wait
		// for the recording the first chunk opens.
		r.mu.Lock()
		s.events = append(events, s.events...)
		r.mu.Unlock()
		return nil
	}
	if rec == 0 {
		started := chunks[0].HostTime
		got, err := r.store.StartRecording(ctx, r.patientID, info, started)
		if err != nil {
			return err
		}
		rec = got.ID
		r.mu.Lock()
		s.recording = rec
		r.mu.Unlock()
	}
	for _, sr := range toAdd {
		if err := r.store.AddSignal(ctx, rec, sr.sig); err != nil {
			return err
		}
		r.mu.Lock()
		sr.added = true
		r.mu.Unlock()
	}
	if len(chunks) > 0 {
		if err := r.store.AppendChunks(ctx, rec, chunks); err != nil {
			return err
		}
	}
	if len(events) > 0 {
		if err := r.store.AppendEvents(ctx, rec, events); err != nil {
			r.mu.Lock()
			s.events = append(events, s.events...)
			r.mu.Unlock()
			return err
		}
	}
	return nil
}

// Recordings returns the recording id per device slot (0 if none yet).
func (r *Recorder) Recordings() map[string]int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := map[string]int64{}
	for name, s := range r.slots {
		out[name] = s.recording
	}
	return out
}

// Serve consumes sub and flushes every FlushEvery until ctx is done, then
// flushes what is left and closes the recordings.
func (r *Recorder) Serve(ctx context.Context, sub *Subscription) error {
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	var lost uint64
	for {
		select {
		case e := <-sub.C:
			r.Observe(e)
		case <-t.C:
			r.Flush(ctx)
			lost = r.checkLoss(sub, lost)
		case <-ctx.Done():
			return r.stop(sub)
		}
	}
}

// checkLoss raises a technical alarm when the hub dropped messages meant
// for the recorder: samples that will be missing from the recording must
// never go unnoticed.
func (r *Recorder) checkLoss(sub *Subscription, seen uint64) uint64 {
	if d := sub.Dropped(); d > seen {
		r.alarm(devices.Event{Kind: devices.Technical, Code: "recording-loss", Priority: devices.High, Time: r.now(),
			Text: fmt.Sprintf("recording fell behind: %d device messages lost", d-seen)})
		return d
	}
	return seen
}

func (r *Recorder) stop(sub *Subscription) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for drained := false; !drained; {
		select {
		case e := <-sub.C:
			r.Observe(e)
		default:
			drained = true
		}
	}
	err := r.Flush(ctx)
	for _, id := range r.Recordings() {
		if id != 0 {
			if e := r.store.StopRecording(ctx, id, r.now()); e != nil && err == nil {
				err = e
			}
		}
	}
	return err
}
