package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"

	"telewave/app"
)

// demoWorkstation is a workstation with no device on a throwaway demo
// store, under a test app; started when start is set. Everything stops at
// the end of the test.
func demoWorkstation(t *testing.T, start bool) (context.Context, *app.Workstation, *app.DemoStore) {
	t.Helper()
	test.NewTempApp(t)
	ctx, cancel := context.WithCancel(context.Background())
	db, err := app.OpenDemoStore(ctx)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	ws, err := app.NewWorkstation(app.Config{Store: db, User: db.User.Name, Patient: db.Patient})
	if err != nil {
		cancel()
		db.Close()
		t.Fatal(err)
	}
	if start {
		ws.Start(ctx)
	}
	t.Cleanup(func() {
		cancel()
		ws.Close()
		db.Close()
	})
	return ctx, ws, db
}
