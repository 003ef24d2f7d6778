package ui

import (
	"telewave/storage"
)

// showPatients shows the first screen after an unlock: the records home
// (register, encounters, recordings, and for administrators users and
// the audit log). It starts the auto-lock timer.
func (s *session) showPatients(u storage.User) {
	s.signedIn(u)
	s.showHome(u, 0)
}
