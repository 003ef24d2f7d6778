package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"

	"telewave/app"
)

// maxDropFiles bounds what one drop takes in (a dropped folder is read one
// level deep).
const maxDropFiles = 500

// DropImporter takes in the ECG cart files dropped on the window: the
// lead attaches it with w.SetOnDropped(d.OnDropped). The files are read and
// stored on a goroutine, never on the UI thread; the outcome, one line a
// file, is shown in a dialog when all are done. A dropped file is a user
// asking: a content rejected before (say, for a patient registered since)
// is tried again, while one imported before is still never imported twice.
type DropImporter struct {
	Win fyne.Window
	Ctx context.Context // ends the work of a drop in flight (the session's)
	// Store returns the unlocked store, or nil while the records are
	// locked (a drop then says so and imports nothing).
	Store func() app.CartImportStore
	// Done, when set, is called on the UI thread with a drop's outcome,
	// after the dialog is shown (e.g. to refresh the records list).
	Done func([]app.ImportEvent)

	wg sync.WaitGroup
}

// OnDropped is the window's drop callback; it runs on the UI thread and
// returns at once.
func (d *DropImporter) OnDropped(_ fyne.Position, uris []fyne.URI) {
	var paths []string
	for _, u := range uris {
		if u != nil && u.Scheme() == "file" {
			paths = append(paths, u.Path())
		}
	}
	if len(paths) == 0 {
		return
	}
	var st app.CartImportStore
	if d.Store != nil {
		st = d.Store()
	}
	if st == nil {
		dialog.ShowInformation("Import", "Unlock the records to import ECG files.", d.Win)
		return
	}
	ctx := d.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	d.wg.Add(1)
	go func() {
		defer d.wg.Done()
		events := importDropped(ctx, st, paths)
		if ctx.Err() != nil {
			return // the session is ending: nothing to show
		}
		Do(func() { d.show(events) })
	}()
}

// Wait returns when every drop in flight has finished (the session calls
// it after cancelling Ctx, tests after a drop).
func (d *DropImporter) Wait() { d.wg.Wait() }

// importDropped takes in each dropped file, a dropped folder's files one
// level deep, off the UI thread.
func importDropped(ctx context.Context, st app.CartImportStore, paths []string) []app.ImportEvent {
	var files []string
	var events []app.ImportEvent
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			events = append(events, app.ImportEvent{Path: p, Outcome: app.FileRejected, Reason: err.Error()})
		case info.IsDir():
			entries, err := os.ReadDir(p)
			if err != nil {
				events = append(events, app.ImportEvent{Path: p, Outcome: app.FileRejected, Reason: err.Error()})
			}
			for _, e := range entries {
				if e.Type().IsRegular() && !strings.HasPrefix(e.Name(), ".") {
					files = append(files, filepath.Join(p, e.Name()))
				}
			}
		default:
			files = append(files, p)
		}
	}
	if len(files) > maxDropFiles {
		events = append(events, app.ImportEvent{Path: fmt.Sprintf("%d more files", len(files)-maxDropFiles),
			Outcome: app.FileRejected, Reason: fmt.Sprintf("one drop takes at most %d files", maxDropFiles)})
		files = files[:maxDropFiles]
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		events = append(events, app.ImportCartFile(ctx, st, f, true))
	}
	return events
}

// show puts a drop's outcome in a dialog.
func (d *DropImporter) show(events []app.ImportEvent) {
	title, text := dropSummary(events)
	dialog.ShowInformation(title, text, d.Win)
	if d.Done != nil {
		d.Done(events)
	}
}

// dropSummary is the dialog's title and one line a file.
func dropSummary(events []app.ImportEvent) (title, text string) {
	imported := 0
	lines := make([]string, 0, len(events))
	for _, e := range events {
		if e.Outcome == app.FileImported {
			imported++
		}
		lines = append(lines, e.String())
	}
	title = fmt.Sprintf("Imported %d of %d files", imported, len(events))
	if len(events) == 1 {
		title = "Imported"
		if imported == 0 {
			title = "Not imported"
		}
	}
	return title, strings.Join(lines, "\n")
}
