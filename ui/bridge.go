// Package ui is the workstation's Fyne front end: the access screens, the
// patient register and the monitor screen. It shows what the app package
// holds and never waits on a device, the disk or the network: that work
// runs on goroutines, whose results come back through the bridge.
package ui

import "fyne.io/fyne/v2"

// Do runs f on the UI thread. It is the only place that calls fyne.Do:
// every goroutine that has something to show goes through it.
func Do(f func()) { fyne.Do(f) }
