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
	"telewave/storage/sqlite"
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
// A file whose patient id matches no patient (or that names none) is held
// in the store, and the clinician is asked, file by file, whose it is
// (assignDialog); one not assigned now waits in the records screen.
type DropImporter struct {
	Win fyne.Window
	Ctx context.Context // ends the work of a drop in flight (the session's)
	// Store returns the unlocked store, or nil while the records are
	// locked (a drop then says so and imports nothing).
	Store func() app.CartImportStore
	// Done, when set, is called on the UI thread with a drop's outcome,
	// after the dialog is shown, and with each assignment made from the
	// drop (e.g. to refresh the records list).
	Done func([]app.ImportEvent)

	wg     sync.WaitGroup
	asking *assignDialog // the last assign dialog opened
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
		intakes := importDropped(ctx, st, paths)
		if ctx.Err() != nil {
			return // the session is ending: nothing to show
		}
		Do(func() { d.show(ctx, st, intakes) })
	}()
}

// Wait returns when every drop in flight has finished (the session calls
// it after cancelling Ctx, tests after a drop).
func (d *DropImporter) Wait() { d.wg.Wait() }

// importDropped takes in each dropped file, a dropped folder's files one
// level deep, off the UI thread.
func importDropped(ctx context.Context, st app.CartImportStore, paths []string) []app.Intake {
	var files []string
	var events []app.Intake
	refuse := func(path, reason string) {
		events = append(events, app.Intake{ImportEvent: app.ImportEvent{Path: path, Outcome: app.FileRejected, Reason: reason}})
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			refuse(p, err.Error())
		case info.IsDir():
			entries, err := os.ReadDir(p)
			if err != nil {
				refuse(p, err.Error())
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
		refuse(fmt.Sprintf("%d more files", len(files)-maxDropFiles), fmt.Sprintf("one drop takes at most %d files", maxDropFiles))
		files = files[:maxDropFiles]
	}
	for _, f := range files {
		if ctx.Err() != nil {
			break
		}
		events = append(events, app.TakeCartFile(ctx, st, f, true))
	}
	return events
}

// show puts a drop's outcome in a dialog, then asks whose each held file
// is, one after the other.
func (d *DropImporter) show(ctx context.Context, st app.CartImportStore, intakes []app.Intake) {
	events := make([]app.ImportEvent, len(intakes))
	var held []sqlite.UnmatchedFile
	for i, in := range intakes {
		events[i] = in.ImportEvent
		if in.Held != nil {
			held = append(held, *in.Held)
		}
	}
	title, text := dropSummary(events)
	dialog.ShowInformation(title, text, d.Win)
	if d.Done != nil {
		d.Done(events)
	}
	d.ask(ctx, st, held)
}

// ask opens the assign dialog for held[0], then for the rest.
func (d *DropImporter) ask(ctx context.Context, st app.CartImportStore, held []sqlite.UnmatchedFile) {
	if len(held) == 0 || ctx.Err() != nil {
		return
	}
	d.asking = showAssignDialog(d.Win, ctx, st, held[0], &d.wg, func(ev *app.ImportEvent) {
		next := func() { d.ask(ctx, st, held[1:]) }
		if ev == nil {
			next()
			return
		}
		if d.Done != nil {
			d.Done([]app.ImportEvent{*ev})
		}
		info := dialog.NewInformation("Imported", ev.String(), d.Win)
		info.SetOnClosed(next)
		info.Show()
	})
}

// dropSummary is the dialog's title and one line a file.
func dropSummary(events []app.ImportEvent) (title, text string) {
	imported, held := 0, 0
	lines := make([]string, 0, len(events))
	for _, e := range events {
		switch e.Outcome {
		case app.FileImported:
			imported++
		case app.FileNeedsPatient:
			held++
		}
		lines = append(lines, e.String())
	}
	title = fmt.Sprintf("Imported %d of %d files", imported, len(events))
	if held > 0 {
		title += fmt.Sprintf(", %d waiting for a patient", held)
	}
	if len(events) == 1 {
		switch {
		case imported == 1:
			title = "Imported"
		case held == 1:
			title = "Waiting for a patient"
		default:
			title = "Not imported"
		}
	}
	return title, strings.Join(lines, "\n")
}
