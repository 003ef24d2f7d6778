package ui

import (
	"context"
	"errors"
	"fmt"
	"image/color"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
)

// defaultIdleLock is how long an unattended workstation stays unlocked.
const defaultIdleLock = 5 * time.Minute

// idleLock is the auto-lock timer: a goroutine that fires once, through
// the bridge, when no activity was seen for after.
type idleLock struct {
	after  time.Duration
	last   atomic.Int64 // unix ns of the last activity
	cancel context.CancelFunc
	done   chan struct{}
}

// touch records pointer or key activity; it is cheap and safe from any
// goroutine.
func (s *session) touch() {
	if l := s.idle; l != nil {
		l.last.Store(time.Now().UnixNano())
	}
}

// act wraps a button's handler so that pressing it counts as activity.
func (s *session) act(f func()) func() {
	return func() {
		s.touch()
		f()
	}
}

// watchEntries makes typing into entries count as activity: a focused
// widget takes the keys before the canvas sees them.
func (s *session) watchEntries(es ...*widget.Entry) {
	for _, e := range es {
		prev := e.OnChanged
		e.OnChanged = func(v string) {
			s.touch()
			if prev != nil {
				prev(v)
			}
		}
	}
}

// startIdle starts the auto-lock timer unless it runs already, the store is
// not the sealed one (demo) or auto-lock is off.
func (s *session) startIdle() {
	if s.idle != nil || s.store == nil || s.opts.IdleLock < 0 {
		return
	}
	ctx, cancel := context.WithCancel(s.ctx)
	l := &idleLock{after: s.opts.IdleLock, cancel: cancel, done: make(chan struct{})}
	l.last.Store(time.Now().UnixNano())
	s.idle = l
	go func() {
		fired := l.run(ctx)
		close(l.done)
		if fired {
			Do(func() { s.idleExpired(l) })
		}
	}()
}

// stopIdle stops the timer and waits for its goroutine.
func (s *session) stopIdle() {
	if l := s.idle; l != nil {
		s.idle = nil
		l.cancel()
		<-l.done
	}
}

// run waits until the idle time has passed (true) or ctx ends (false).
func (l *idleLock) run(ctx context.Context) bool {
	tick := time.NewTicker(max(min(l.after/4, time.Second), 10*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return false
		case now := <-tick.C:
			if now.Sub(time.Unix(0, l.last.Load())) >= l.after {
				return true
			}
		}
	}
}

// idleExpired runs on the UI thread once the timer fired. A live monitor
// screen stays up (its recorder needs the keys); anything else locks.
func (s *session) idleExpired(l *idleLock) {
	if s.idle != l {
		return // stopped or replaced meanwhile
	}
	s.idle = nil
	<-l.done
	if s.ws != nil {
		return
	}
	s.lockNow(fmt.Sprintf("idle for %v", l.after))
}

// lockNow forgets the keys (audited by the store) and shows the unlock
// screen.
func (s *session) lockNow(why string) {
	s.stopIdle()
	st := s.store
	s.user = storage.User{}
	s.show(busy("Locking…"))
	go func() {
		err := st.Lock(s.ctx, why)
		Do(func() {
			s.show(s.unlockScreen())
			if err != nil {
				dialog.ShowError(err, s.win) // the keys are forgotten all the same
			}
		})
	}()
}

// signedIn makes u the session's user and starts the auto-lock timer.
func (s *session) signedIn(u storage.User) {
	s.user = u
	s.startIdle()
}

// loginRefusal says why a login failed, with the wait when the store
// throttles failed logins.
func loginRefusal(err error, wait time.Duration) string {
	switch {
	case errors.Is(err, storage.ErrThrottled):
		return fmt.Sprintf("Too many failed logins: wait %v before trying again.", max(wait.Round(time.Second), time.Second))
	case errors.Is(err, storage.ErrBadPassphrase):
		return "Wrong user or passphrase."
	}
	return fmt.Sprintf("Could not open the store: %v", err)
}

// watchActivity puts an activity catcher under c: pointer movement and
// presses that no widget of c takes reach it, and so do keys while no
// widget has the focus.
func (s *session) watchActivity(c fyne.CanvasObject) fyne.CanvasObject {
	if dc, ok := s.win.Canvas().(desktop.Canvas); ok {
		dc.SetOnKeyDown(func(*fyne.KeyEvent) { s.touch() })
	}
	a := &activityCatcher{touch: s.touch}
	a.ExtendBaseWidget(a)
	return container.NewStack(a, c)
}

// activityCatcher is an invisible widget that reports pointer activity.
type activityCatcher struct {
	widget.BaseWidget
	touch func()
}

var (
	_ desktop.Hoverable = (*activityCatcher)(nil)
	_ desktop.Mouseable = (*activityCatcher)(nil)
)

// CreateRenderer draws nothing.
func (a *activityCatcher) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(canvas.NewRectangle(color.Transparent))
}

// MouseIn is activity.
func (a *activityCatcher) MouseIn(*desktop.MouseEvent) { a.touch() }

// MouseMoved is activity.
func (a *activityCatcher) MouseMoved(*desktop.MouseEvent) { a.touch() }

// MouseOut is not.
func (a *activityCatcher) MouseOut() {}

// MouseDown is activity.
func (a *activityCatcher) MouseDown(*desktop.MouseEvent) { a.touch() }

// MouseUp follows a MouseDown.
func (a *activityCatcher) MouseUp(*desktop.MouseEvent) {}
