package ui

import (
	"fmt"
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"telewave/storage"
	"telewave/storage/sqlite"
)

// auditViewer shows the audit log to an administrator, newest first, after
// verifying its chain; a broken chain gets a banner that cannot be missed.
type auditViewer struct {
	rows   []sqlite.AuditEntry
	banner *widget.Label
	list   *widget.List
	root   fyne.CanvasObject
}

func (s *session) auditScreen(u storage.User) fyne.CanvasObject { return newAuditViewer(s, u).root }

func newAuditViewer(s *session, u storage.User) *auditViewer {
	v := &auditViewer{banner: widget.NewLabel("Verifying the audit chain…")}
	v.banner.Wrapping = fyne.TextWrapWord
	v.list = widget.NewList(
		func() int { return len(v.rows) },
		func() fyne.CanvasObject { return widget.NewLabel("time user action detail") },
		func(i widget.ListItemID, o fyne.CanvasObject) { o.(*widget.Label).SetText(auditLine(v.rows[i])) })
	back := widget.NewButton("Back to patients", s.act(func() { s.showHome(u, 0) }))
	head := container.NewHBox(back, widget.NewLabelWithStyle("Audit log", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}))
	v.root = container.NewBorder(container.NewVBox(head, v.banner), nil, nil, nil, v.list)

	st, ctx := s.store, s.ctx
	go func() {
		n, verr := st.VerifyAudit(ctx)
		rows, err := st.AuditLog(ctx)
		slices.Reverse(rows)
		Do(func() {
			switch {
			case verr != nil:
				v.banner.Importance = widget.DangerImportance
				v.banner.TextStyle = fyne.TextStyle{Bold: true}
				v.banner.SetText(fmt.Sprintf("AUDIT CHAIN BROKEN — the log was altered outside Telewave: %v. "+
					"Rows up to the break (%d) verified; treat everything from it on as untrusted.", verr, n))
			default:
				v.banner.Importance = widget.SuccessImportance
				v.banner.SetText(fmt.Sprintf("Audit chain verified: %d rows intact.", n))
			}
			if err != nil {
				v.banner.SetText(v.banner.Text + fmt.Sprintf("\nCould not read the log: %v", err))
				return
			}
			v.rows = rows
			v.list.Refresh()
		})
	}()
	return v
}

func auditLine(e sqlite.AuditEntry) string {
	who := e.User
	if who == "" {
		who = "—"
	}
	return fmt.Sprintf("%s  %-10s  %-14s  %s", e.Time.Local().Format("2006-01-02 15:04:05"), who, e.Action, e.Detail)
}
