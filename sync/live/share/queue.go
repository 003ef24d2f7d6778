package share

import "sync"

// Kinds of outbound message, in the order the queue gives them up when it
// is full: wave frames first, then audio and state; control messages
// (grants, admit, remove) are never dropped.
const (
	kindControl = iota
	kindWave
	kindOther // audio and state frames
)

type outMsg struct {
	kind int
	b    []byte // a whole relay envelope
}

// outQueue is the bounded queue of envelopes waiting for the link to the
// relay. Push never blocks: when the queue is full the oldest wave frame
// goes first, never the newest, then the oldest audio or state frame
// (docs/telehealth.md, "Adapting to the link").
type outQueue struct {
	mu      sync.Mutex
	items   []outMsg
	max     int
	ready   chan struct{} // has a token while items is not empty
	dropped uint64
}

func newOutQueue(max int) *outQueue {
	return &outQueue{max: max, ready: make(chan struct{}, 1)}
}

// push appends m, dropping as the rule says when the queue is full.
// Control messages always go in: there are few and each matters.
func (q *outQueue) push(m outMsg) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if m.kind != kindControl && q.streamLen() >= q.max {
		if !q.dropOldest(kindWave) && !q.dropOldest(kindOther) {
			q.dropped++ // only control messages queued: this one goes
			return
		}
	}
	q.items = append(q.items, m)
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *outQueue) streamLen() int {
	n := 0
	for _, it := range q.items {
		if it.kind != kindControl {
			n++
		}
	}
	return n
}

func (q *outQueue) dropOldest(kind int) bool {
	for i, it := range q.items {
		if it.kind == kind {
			q.items = append(q.items[:i], q.items[i+1:]...)
			q.dropped++
			return true
		}
	}
	return false
}

// tryPop takes the oldest message, if any. ready has a token whenever a
// message was pushed since the queue was last seen empty.
func (q *outQueue) tryPop() (outMsg, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.items) == 0 {
		return outMsg{}, false
	}
	m := q.items[0]
	q.items[0] = outMsg{}
	q.items = q.items[1:]
	return m, true
}

// clear forgets everything queued: the link dropped and the viewers the
// messages were for are gone with it.
func (q *outQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.items = nil
}

func (q *outQueue) droppedCount() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.dropped
}
