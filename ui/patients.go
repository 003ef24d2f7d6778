package ui

import (
	"fyne.io/fyne/v2"

	"telewave/storage"
)

// patientsScreen is the first screen after an unlock: the records home
// (register, encounters, recordings, and for administrators users and
// the audit log). It starts the auto-lock timer.
func (s *session) patientsScreen(u storage.User) fyne.CanvasObject {
	s.signedIn(u)
	return newHome(s, u, 0).content()
}
