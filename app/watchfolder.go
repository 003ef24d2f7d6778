package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"telewave/formats/carts"
)

// Watched-folder defaults and bounds.
const (
	DefaultWatchInterval = 2 * time.Second
	minWatchInterval     = 10 * time.Millisecond
	maxWatchInterval     = time.Minute
	maxWatchEntries      = 10000 // files looked at per poll; a folder with more is read in part
	failedRetry          = 30 * time.Second
)

// WatchFolder imports the ECG cart files that appear in a folder (a USB
// stick's export folder or a network share). It polls rather than relying
// on file-system notification, which network shares and FAT sticks do not
// deliver reliably. A file is taken in once it is stable: its size and
// modification time the same at two polls in a row and it opens. Each
// content is imported once (the store's imported-files table), whatever it
// is named; a torn or foreign file is rejected once and not looked at again
// until it changes. A file whose patient id matches no patient (or that
// names none) is held in the store, listed in the records screen for a
// clinician to choose the patient, and not looked at again in this run;
// after a restart it is matched again (the patient may have been
// registered meanwhile), never imported twice.
type WatchFolder struct {
	Dir      string
	Store    CartImportStore
	Interval time.Duration // between polls; DefaultWatchInterval when zero, at most a minute
	// Move, when set, moves each file once decided: imported and duplicate
	// files to Dir/done, rejected ones to Dir/rejected, those held for a
	// patient to Dir/unmatched. By default nothing is moved (a read-only
	// share, or a stick the cart still needs).
	Move bool
	// OnEvent, when set, is called for every file decided, and for the
	// folder becoming unreadable or readable again, from Serve's goroutine.
	OnEvent func(ImportEvent)

	files   map[string]watchState
	dirErr  string
	retryAt map[string]retryState
	// retryAfter is how long after a store failure a file is tried again
	// (0: failedRetry); tests shorten it.
	retryAfter time.Duration
}

// retryState is when a file the store failed on is tried again, and the
// failure last reported for it.
type retryState struct {
	at     time.Time
	reason string
}

// watchState is what the watcher last saw of a file.
type watchState struct {
	size    int64
	mtime   time.Time
	decided bool // taken in, rejected or skipped: not again until it changes
}

// Serve polls the folder until ctx is done and returns nil then. It runs
// in the caller's goroutine and starts none.
func (w *WatchFolder) Serve(ctx context.Context) error {
	if w.Dir == "" || w.Store == nil {
		return fmt.Errorf("watch folder: Dir and Store are required")
	}
	iv := w.Interval
	if iv <= 0 {
		iv = DefaultWatchInterval
	}
	iv = min(max(iv, minWatchInterval), maxWatchInterval)
	t := time.NewTicker(iv)
	defer t.Stop()
	for {
		w.Poll(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Poll looks at the folder once: it notes new and changed files and takes
// in those unchanged since the previous poll. Serve calls it every
// Interval; tests call it directly.
func (w *WatchFolder) Poll(ctx context.Context) {
	if w.files == nil {
		w.files, w.retryAt = map[string]watchState{}, map[string]retryState{}
	}
	entries, err := readDirBounded(w.Dir, maxWatchEntries)
	if err != nil {
		if msg := err.Error(); msg != w.dirErr { // once per change, not every poll
			w.dirErr = msg
			w.emit(ImportEvent{Path: w.Dir, Outcome: FileFailed, Reason: "folder unreadable: " + msg})
		}
		return
	}
	w.dirErr = ""
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if ctx.Err() != nil {
			return
		}
		name := e.Name()
		if !e.Type().IsRegular() || skipName(name) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone since the listing
		}
		seen[name] = true
		now := watchState{size: info.Size(), mtime: info.ModTime()}
		prev, known := w.files[name]
		if !known || prev.size != now.size || !prev.mtime.Equal(now.mtime) {
			w.files[name] = now // new or still changing: look again next poll
			delete(w.retryAt, name)
			continue
		}
		if prev.decided || time.Now().Before(w.retryAt[name].at) {
			continue
		}
		w.take(ctx, name, now)
	}
	for name := range w.files {
		if !seen[name] {
			delete(w.files, name)
			delete(w.retryAt, name)
		}
	}
}

// take imports one stable file and remembers the decision.
func (w *WatchFolder) take(ctx context.Context, name string, st watchState) {
	path := filepath.Join(w.Dir, name)
	var ev ImportEvent
	if st.size > carts.MaxFile {
		// Not read at all, nor recorded in the store: no cart file is this
		// large, and it stays rejected until it changes.
		ev = ImportEvent{Path: path, Outcome: FileRejected,
			Reason: fmt.Sprintf("%d bytes is more than any ECG cart file (%d)", st.size, carts.MaxFile)}
	} else {
		data, err := readStable(path, st)
		if err != nil {
			// Still being written, locked by the writer, or unreadable: look
			// again at the next poll, without an event.
			delete(w.files, name)
			return
		}
		ev = ImportCartData(ctx, w.Store, path, data, false)
		ev.Path = path
	}
	if ev.Outcome == FileFailed {
		last := w.retryAt[name].reason
		wait := w.retryAfter
		if wait <= 0 {
			wait = failedRetry
		}
		w.retryAt[name] = retryState{at: time.Now().Add(wait), reason: ev.Reason}
		if ev.Reason != last { // a locked store is said once, not every 30 s
			w.emit(ev)
		}
		return
	}
	st.decided = true
	w.files[name] = st
	if w.Move {
		sub := "done"
		switch ev.Outcome {
		case FileRejected:
			sub = "rejected"
		case FileNeedsPatient:
			sub = "unmatched" // the store holds a copy; a clinician chooses the patient
		}
		if dst, err := moveInto(path, filepath.Join(w.Dir, sub)); err != nil {
			ev.Reason = strings.TrimPrefix(ev.Reason+"; ", "; ") + "not moved: " + err.Error()
		} else {
			ev.Path = dst
			delete(w.files, name)
		}
	}
	w.emit(ev)
}

func (w *WatchFolder) emit(ev ImportEvent) {
	if w.OnEvent != nil {
		w.OnEvent(ev)
	}
}

// skipName leaves out hidden files, editors' and copiers' temporary files.
func skipName(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") ||
		strings.HasSuffix(lower, ".tmp") || strings.HasSuffix(lower, ".part") || strings.HasSuffix(lower, ".crdownload")
}

// readDirBounded lists at most n entries of dir.
func readDirBounded(dir string, n int) ([]os.DirEntry, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	entries, err := f.ReadDir(n)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return entries, err
}

// readStable reads a file that must still have the size and modification
// time the watcher saw; a file that changed under the read is refused.
func readStable(path string, st watchState) ([]byte, error) {
	data, err := readBounded(path, carts.MaxFile)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != st.size || info.Size() != st.size || !info.ModTime().Equal(st.mtime) {
		return nil, fmt.Errorf("%s changed while read", filepath.Base(path))
	}
	return data, nil
}

// moveInto moves path into dir (made when missing), never over an existing
// file: "name (2).ext" and so on.
func moveInto(path, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	base := filepath.Base(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	for i := 1; i < 1000; i++ {
		dst := filepath.Join(dir, base)
		if i > 1 {
			dst = filepath.Join(dir, fmt.Sprintf("%s (%d)%s", stem, i, ext))
		}
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			return dst, os.Rename(path, dst)
		}
	}
	return "", fmt.Errorf("move %s: too many files of that name in %s", base, dir)
}
