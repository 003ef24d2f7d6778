package relay

import (
	"sync"

	"github.com/coder/websocket"
)

// outItem is one message waiting to be written to a peer.
type outItem struct {
	msg   []byte // the whole envelope, shared between viewers: never modified
	class byte   // class of the frame inside, 0 for a message without one
	size  int    // frame bytes, for the per-class counters
}

// pushResult says what push did with a message.
type pushResult int

const (
	pushed      pushResult = iota // queued
	pushedDrop                    // queued after dropping the oldest wave frame
	pushFull                      // not queued: full and no wave frame to drop
	pushClosing                   // not queued: the peer is being closed
)

// outbox is a peer's bounded queue. Producers (the host's read loop, viewer
// read loops) never block on it; the peer's write loop drains it. When it
// is full and dropWaves is set, the oldest wave frame makes room, never the
// newest; when nothing can make room the peer is too slow and the producer
// closes it.
type outbox struct {
	mu        sync.Mutex
	items     []outItem
	limit     int
	dropWaves bool
	closing   bool
	code      websocket.StatusCode
	reason    string
	ready     chan struct{} // one pending wake-up for the write loop
}

func newOutbox(limit int, dropWaves bool) *outbox {
	return &outbox{
		items:     make([]outItem, 0, limit),
		limit:     limit,
		dropWaves: dropWaves,
		ready:     make(chan struct{}, 1),
	}
}

// push queues it without blocking.
func (o *outbox) push(it outItem) pushResult {
	o.mu.Lock()
	res := o.pushLocked(it)
	o.mu.Unlock()
	if res == pushed || res == pushedDrop {
		o.wake()
	}
	return res
}

func (o *outbox) pushLocked(it outItem) pushResult {
	if o.closing {
		return pushClosing
	}
	if len(o.items) < o.limit {
		o.items = append(o.items, it)
		return pushed
	}
	if !o.dropWaves {
		return pushFull
	}
	for i := range o.items {
		if o.items[i].class == ClassWave {
			copy(o.items[i:], o.items[i+1:])
			o.items[len(o.items)-1] = it
			return pushedDrop
		}
	}
	return pushFull
}

// close asks the write loop to close the connection with code, ahead of
// whatever is queued (which is discarded). The first call wins.
func (o *outbox) close(code websocket.StatusCode, reason string) bool {
	o.mu.Lock()
	first := !o.closing
	if first {
		o.closing, o.code, o.reason = true, code, reason
		clear(o.items)
		o.items = o.items[:0]
	}
	o.mu.Unlock()
	o.wake()
	return first
}

// closeRequested reports whether close was called.
func (o *outbox) closeRequested() bool {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.closing
}

// next takes the oldest item. closing is set (and ok false) once close was
// called; ok is false when the queue is empty.
func (o *outbox) next() (it outItem, ok, closing bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.closing {
		return outItem{}, false, true
	}
	if len(o.items) == 0 {
		return outItem{}, false, false
	}
	it = o.items[0]
	copy(o.items, o.items[1:])
	o.items[len(o.items)-1] = outItem{}
	o.items = o.items[:len(o.items)-1]
	return it, true, false
}

func (o *outbox) closeStatus() (websocket.StatusCode, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.code, o.reason
}

func (o *outbox) len() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.items)
}

func (o *outbox) wake() {
	select {
	case o.ready <- struct{}{}:
	default:
	}
}
