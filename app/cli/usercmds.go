package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// The passphrase a command sets comes, like the one it logs in with, from
// the environment: TELEWAVE_NEW_PASSPHRASE.
func newPassphrase(env Env) ([]byte, error) {
	p := env.Getenv("TELEWAVE_NEW_PASSPHRASE")
	if p == "" {
		return nil, usagef("set TELEWAVE_NEW_PASSPHRASE")
	}
	if len(p) < 8 {
		return nil, usagef("the new passphrase must have at least 8 characters")
	}
	return []byte(p), nil
}

// storeUsers runs `store users [list|add|disable|enable]`.
func storeUsers(ctx context.Context, env Env, dir string, pos []string, name, role string, asJSON bool) error {
	action := "list"
	if len(pos) > 1 {
		action = pos[1]
	}
	s, _, err := openStore(ctx, env, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	switch action {
	case "list":
		us, err := s.Users(ctx)
		if err != nil {
			return err
		}
		if asJSON {
			return json.NewEncoder(env.Stdout).Encode(us)
		}
		for _, u := range us {
			state := "enabled"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(env.Stdout, "%-20s %-14s %-8s since %s\n", u.Name, u.Role, state, u.Created.Format(time.DateOnly))
		}
		return nil
	case "add":
		if name == "" || role == "" {
			return usagef("store users add --name N --role clinician|reviewer|administrator")
		}
		pass, err := newPassphrase(env)
		if err != nil {
			return err
		}
		u, err := s.AddUser(ctx, name, storage.Role(role), pass, seal.DefaultParams)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "user=%s role=%s\n", u.Name, u.Role)
		return nil
	case "disable", "enable":
		if name == "" {
			return usagef("store users %s --name N", action)
		}
		if err := s.SetDisabled(ctx, name, action == "disable"); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "user=%s %sd\n", name, action)
		return nil
	}
	return usagef("unknown store users action %q", action)
}

// storePasswd changes the logged-in user's passphrase.
func storePasswd(ctx context.Context, env Env, dir string) error {
	fresh, err := newPassphrase(env)
	if err != nil {
		return err
	}
	_, old, err := credentials(env)
	if err != nil {
		return err
	}
	s, u, err := openStore(ctx, env, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.ChangePassphrase(ctx, old, fresh, seal.DefaultParams); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "passphrase of %s changed\n", u.Name)
	return nil
}

// storeRecover sets a new passphrase with the recovery code
// (TELEWAVE_RECOVERY_CODE) for the user TELEWAVE_USER.
func storeRecover(ctx context.Context, env Env, dir string) error {
	code, user := env.Getenv("TELEWAVE_RECOVERY_CODE"), env.Getenv("TELEWAVE_USER")
	if code == "" || user == "" {
		return usagef("set TELEWAVE_RECOVERY_CODE and TELEWAVE_USER")
	}
	fresh, err := newPassphrase(env)
	if err != nil {
		return err
	}
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		return fmt.Errorf("open store %s: %w", dir, err)
	}
	defer s.Close()
	if _, err := s.Recover(ctx, code, user, fresh, seal.DefaultParams); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "passphrase of %s reset with the recovery code\n", user)
	return nil
}

// storeAudit prints the audit log (administrators only), verifying the
// chain first so that a reader never trusts a broken log.
func storeAudit(ctx context.Context, env Env, dir string, asJSON bool) error {
	s, _, err := openStore(ctx, env, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.VerifyAudit(ctx); err != nil {
		return fmt.Errorf("audit chain: %w", err)
	}
	log, err := s.AuditLog(ctx)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(env.Stdout)
		for _, e := range log {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	for _, e := range log {
		who := e.User
		if who == "" {
			who = "-"
		}
		fmt.Fprintf(env.Stdout, "%6d %s %-12s %-18s %s\n", e.ID, e.Time.Local().Format("2006-01-02 15:04:05"), who, e.Action, e.Detail)
	}
	return nil
}
