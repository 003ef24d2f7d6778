package cli

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runFails(t *testing.T, vars map[string]string, want string, args ...string) {
	t.Helper()
	env, _, errb := testEnv(vars)
	if code := Run(context.Background(), env, args); code == 0 || !strings.Contains(errb.String(), want) {
		t.Fatalf("%v: exit %d, stderr %q; want failure mentioning %q", args, code, errb.String(), want)
	}
}

func TestUserCommands(t *testing.T) {
	admin := storeVars(t)
	init := runOK(t, admin, "store", "init")
	code := strings.TrimSpace(init[strings.Index(init, "recovery_code=")+len("recovery_code="):])

	admin["TELEWAVE_NEW_PASSPHRASE"] = "cleo's first passphrase"
	runOK(t, admin, "store", "users", "add", "--name", "cleo", "--role", "clinician")
	cleo := map[string]string{"TELEWAVE_USER": "cleo", "TELEWAVE_PASSPHRASE": "cleo's first passphrase", "TELEWAVE_STORE": admin["TELEWAVE_STORE"]}
	runOK(t, cleo, "patients", "list")
	runFails(t, cleo, "only an administrator", "store", "users")
	runFails(t, cleo, "only an administrator", "store", "audit")

	cleo["TELEWAVE_NEW_PASSPHRASE"] = "cleo's second passphrase"
	runOK(t, cleo, "store", "passwd")
	runFails(t, cleo, "wrong user or passphrase", "patients", "list")
	cleo["TELEWAVE_PASSPHRASE"] = "cleo's second passphrase"
	runOK(t, cleo, "patients", "list")

	runOK(t, admin, "store", "users", "disable", "--name", "cleo")
	runFails(t, cleo, "wrong user or passphrase", "patients", "list")
	var users []struct {
		Name     string
		Disabled bool
	}
	if err := json.Unmarshal([]byte(runOK(t, admin, "store", "users", "--json")), &users); err != nil || len(users) != 2 || !users[1].Disabled {
		t.Fatalf("users = %+v %v", users, err)
	}

	// The administrator forgot the passphrase: the recovery code sets a new one.
	rec := map[string]string{"TELEWAVE_USER": "admin", "TELEWAVE_RECOVERY_CODE": code,
		"TELEWAVE_NEW_PASSPHRASE": "after recovery", "TELEWAVE_STORE": admin["TELEWAVE_STORE"]}
	runOK(t, rec, "store", "recover")
	admin["TELEWAVE_PASSPHRASE"] = "after recovery"
	audit := runOK(t, admin, "store", "audit")
	for _, want := range []string{"added user cleo", "passphrase of cleo changed", "disable user cleo", "failed login", "recovery code"} {
		if !strings.Contains(audit, want) {
			t.Errorf("audit lacks %q:\n%s", want, audit)
		}
	}
}
