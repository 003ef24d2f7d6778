package ui

import (
	"fyne.io/fyne/v2/container"

	"telewave/app"
	"telewave/storage"
	"telewave/storage/sqlite"
)

// ehrConfig is the EHR part of the configuration file the session loaded.
type ehrConfig struct {
	path     string
	settings app.EHRSettings
	loadErr  error
}

// addRecordTabs adds what needs the record store to the monitor's tabs:
// the EHR sync screen (status, parked units, patient matching), manual
// charting, and the EHR settings.
func (m *monitorScreen) addRecordTabs(st *sqlite.Store, u storage.User, cfg ehrConfig) {
	kick := func() {
		if m.ws.Drainer != nil {
			m.ws.Drainer.Kick()
		}
	}
	admin := &app.SyncAdmin{Store: st, Kick: kick}
	if c := m.ws.FHIR(); c != nil {
		admin.Search = &app.EHRPatientSearch{Client: c, MRNSystem: cfg.settings.MRNSystem}
	}
	m.sync = newSyncPanel(admin, m.ws.Sync, u)
	form := newChartingForm(st, m.ws.Patient(), u.Name, nil, func(int64) { kick() })
	settings := newEHRSettings(cfg.path, cfg.settings, cfg.loadErr)
	for _, t := range []*container.TabItem{
		container.NewTabItem("EHR sync", m.sync.root),
		container.NewTabItem("Chart by hand", form.root),
		container.NewTabItem("EHR settings", settings.root),
	} {
		m.tabs.Append(scrolled(t))
	}
}
