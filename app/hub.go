// Package app holds the workstation's use cases and state: the hub that
// fans device messages out, the recorder, charting, the demo set-up and
// the long-running services. It has no Fyne: the ui package shows what it
// holds, and app/cli drives it headless.
package app

import (
	"sync"
	"sync/atomic"

	"telewave/devices"
)

// Envelope is a device message with the name of the device slot it came
// from ("oximeter", "ecg"), because signal ids are only unique per device.
type Envelope struct {
	Device string
	Msg    devices.Message
}

// Hub fans device messages out to subscribers. Publish never blocks: a
// subscriber whose buffer is full loses the message and the loss is
// counted, so a slow display can never hold up a device reader.
type Hub struct {
	mu   sync.RWMutex
	subs []*Subscription
}

// Subscription is one subscriber's queue.
type Subscription struct {
	C       chan Envelope
	Name    string
	dropped atomic.Uint64
	hub     *Hub
}

// Dropped counts messages this subscriber lost to a full buffer.
func (s *Subscription) Dropped() uint64 { return s.dropped.Load() }

// Close unsubscribes; C is not closed, so a reader must stop by its own
// context.
func (s *Subscription) Close() {
	h := s.hub
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, x := range h.subs {
		if x == s {
			h.subs = append(h.subs[:i:i], h.subs[i+1:]...)
			return
		}
	}
}

// Subscribe adds a subscriber with a buffer of n messages.
func (h *Hub) Subscribe(name string, n int) *Subscription {
	s := &Subscription{C: make(chan Envelope, n), Name: name, hub: h}
	h.mu.Lock()
	h.subs = append(h.subs, s)
	h.mu.Unlock()
	return s
}

// Publish delivers e to every subscriber that has room.
func (h *Hub) Publish(e Envelope) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for _, s := range h.subs {
		select {
		case s.C <- e:
		default:
			s.dropped.Add(1)
		}
	}
}

// Emit returns a devices.Emit that publishes under a device slot name.
func (h *Hub) Emit(device string) devices.Emit {
	return func(m devices.Message) { h.Publish(Envelope{Device: device, Msg: m}) }
}
