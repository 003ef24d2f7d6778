package share

import "sync"

// maxEvents bounds the callbacks waiting to run. Knocks are few (the relay
// limits viewers per share) and the rest are the clinician's own clicks,
// so the bound is only reached when the callbacks hang; then events are
// dropped rather than blocking the link.
const maxEvents = 4096

// eventQueue runs the share's callbacks on one goroutine, in order, so
// that neither the link nor the UI thread ever waits on them.
type eventQueue struct {
	mu        sync.Mutex
	fns       []func()
	coalesced bool // a coalesced event is queued and has not run yet
	closed    bool
	ready     chan struct{}
	done      chan struct{}
}

func startEventQueue() *eventQueue {
	q := &eventQueue{ready: make(chan struct{}, 1), done: make(chan struct{})}
	go q.run()
	return q
}

func (q *eventQueue) push(fn func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || len(q.fns) >= maxEvents {
		return
	}
	q.fns = append(q.fns, fn)
	q.wake()
}

// pushCoalesced queues fn unless a coalesced event is already waiting:
// that one will report the latest state anyway.
func (q *eventQueue) pushCoalesced(fn func()) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed || q.coalesced || len(q.fns) >= maxEvents {
		return
	}
	q.coalesced = true
	q.fns = append(q.fns, func() {
		q.mu.Lock()
		q.coalesced = false
		q.mu.Unlock()
		fn()
	})
	q.wake()
}

func (q *eventQueue) wake() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}

func (q *eventQueue) run() {
	defer close(q.done)
	for {
		q.mu.Lock()
		fns, closed := q.fns, q.closed
		q.fns = nil
		q.mu.Unlock()
		for _, fn := range fns {
			fn()
		}
		if closed && len(fns) == 0 {
			return
		}
		if !closed {
			<-q.ready
		}
	}
}

// stop runs what is queued, then ends the goroutine and waits for it.
func (q *eventQueue) stop() {
	q.mu.Lock()
	q.closed = true
	q.wake()
	q.mu.Unlock()
	<-q.done
}
