package cli

import (
	"context"
	"database/sql"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"telewave/storage/sqlite"
)

// Editing an audit row behind the workstation's back makes `store verify`
// fail and name the row; flipping one byte of a sealed value makes its read
// fail with a tamper error.
func TestStoreVerifyNamesTheTamperedRow(t *testing.T) {
	vars := storeVars(t)
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "T-1", "--name", "Tamper Target")
	runOK(t, vars, "store", "verify")

	db, err := sql.Open("sqlite", filepath.Join(vars["TELEWAVE_STORE"], sqlite.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var (
		row    int64
		action string
	)
	if err := db.QueryRow(`SELECT id, action FROM audit ORDER BY id DESC LIMIT 1`).Scan(&row, &action); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE audit SET action = 'nothing to see' WHERE id = ?`, row); err != nil {
		t.Fatal(err)
	}
	runFails(t, vars, "row "+strconv.FormatInt(row, 10)+" ", "store", "verify")

	if _, err := db.Exec(`UPDATE audit SET action = ? WHERE id = ?`, action, row); err != nil {
		t.Fatal(err)
	}
	runOK(t, vars, "store", "verify") // restored: the chain holds again
	var sealed []byte
	if err := db.QueryRow(`SELECT sealed FROM patients WHERE id = 1`).Scan(&sealed); err != nil {
		t.Fatal(err)
	}
	sealed[len(sealed)/2] ^= 0x01
	if _, err := db.Exec(`UPDATE patients SET sealed = ? WHERE id = 1`, sealed); err != nil {
		t.Fatal(err)
	}
	env, _, errb := testEnv(vars)
	if code := Run(context.Background(), env, []string{"patients", "list"}); code == 0 || !strings.Contains(errb.String(), "tamper") {
		t.Fatalf("a flipped byte in a patient row: exit %d, %q; want a tamper error", code, errb.String())
	}
	runFails(t, vars, "patients row 1", "store", "verify")
}
