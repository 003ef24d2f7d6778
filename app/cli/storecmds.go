package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"telewave/app"
	"telewave/devices"
	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
	"telewave/sync/fhir"
	"telewave/sync/outbox"
)

// credentials returns the user and passphrase from the environment; the
// subcommands never prompt, so that scripts and CI cannot hang on one.
func credentials(env Env) (string, []byte, error) {
	user, pass := env.Getenv("TELEWAVE_USER"), env.Getenv("TELEWAVE_PASSPHRASE")
	if user == "" || pass == "" {
		return "", nil, errors.New("set TELEWAVE_USER and TELEWAVE_PASSPHRASE")
	}
	return user, []byte(pass), nil
}

func storeDir(env Env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	return app.DefaultStoreDir(env.Getenv)
}

// openStore opens and unlocks the store as the user from the environment.
func openStore(ctx context.Context, env Env, dir string) (*sqlite.Store, storage.User, error) {
	user, pass, err := credentials(env)
	if err != nil {
		return nil, storage.User{}, err
	}
	s, err := sqlite.Open(ctx, dir)
	if err != nil {
		return nil, storage.User{}, fmt.Errorf("open store %s: %w", dir, err)
	}
	u, err := s.Unlock(ctx, user, pass)
	if err != nil {
		s.Close()
		return nil, storage.User{}, err
	}
	return s, u, nil
}

func runStore(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("store", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	asJSON := fs.Bool("json", false, "JSON output")
	name := fs.String("name", "", "user name (store users)")
	role := fs.String("role", "", "user role (store users add)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 || len(pos) > 2 || len(pos) == 2 && pos[0] != "users" {
		return usagef("store init|users|passwd|recover|verify|audit|stats")
	}
	dir := storeDir(env, *dirFlag)
	switch pos[0] {
	case "users":
		return storeUsers(ctx, env, dir, pos, *name, *role, *asJSON)
	case "passwd":
		return storePasswd(ctx, env, dir)
	case "recover":
		return storeRecover(ctx, env, dir)
	case "audit":
		return storeAudit(ctx, env, dir, *asJSON)
	case "init":
		user, pass, err := credentials(env)
		if err != nil {
			return err
		}
		s, code, err := sqlite.Create(ctx, dir, user, pass, seal.DefaultParams)
		if err != nil {
			return fmt.Errorf("init store %s: %w", dir, err)
		}
		s.Close()
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(map[string]string{"store": dir, "administrator": user, "recovery_code": code})
		}
		fmt.Fprintf(env.Stdout, "store=%s\nadministrator=%s\nrecovery_code=%s\n", dir, user, code)
		fmt.Fprintln(env.Stderr, "Write the recovery code down and keep it safe: it is shown once and opens the store without a passphrase.")
		return nil
	case "verify":
		s, _, err := openStore(ctx, env, dir)
		if err != nil {
			return err
		}
		defer s.Close()
		rep, err := s.Verify(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(rep)
		}
		fmt.Fprintf(env.Stdout, "audit chain intact: %d rows\n", rep.AuditRows)
		fmt.Fprintf(env.Stdout, "sealed values open: %d; waveform: %d live chunks and %d blocks decode, %d samples\n",
			rep.SealedValues, rep.Chunks, rep.Blocks, rep.Samples)
		return nil
	case "stats":
		s, _, err := openStore(ctx, env, dir)
		if err != nil {
			return err
		}
		defer s.Close()
		st, err := s.Stats(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(st)
		}
		fmt.Fprintf(env.Stdout, "file bytes %d\n", st.Bytes)
		for _, g := range st.Signals {
			bits := 0.0
			if g.Samples > 0 {
				bits = float64(g.PayloadBytes) * 8 / float64(g.Samples)
			}
			fmt.Fprintf(env.Stdout, "recording %d %-8s chunks %d blocks %d samples %d payload %d B (%.2f bits/sample)\n",
				g.Recording, g.Signal, g.Chunks, g.Blocks, g.Samples, g.PayloadBytes, bits)
		}
		return nil
	}
	return usagef("unknown store action %q", pos[0])
}

func runPatients(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("patients", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	mrn := fs.String("mrn", "", "medical record number")
	name := fs.String("name", "", "full name")
	birth := fs.String("birth", "", "birth date YYYY-MM-DD")
	sex := fs.String("sex", "", "female, male, other or unknown")
	asJSON := fs.Bool("json", false, "JSON output")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("patients add|list")
	}
	s, _, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()
	switch pos[0] {
	case "add":
		if *mrn == "" || *name == "" {
			return usagef("--mrn and --name are required")
		}
		if *birth != "" {
			if _, err := time.Parse("2006-01-02", *birth); err != nil {
				return usagef("--birth %q: want YYYY-MM-DD", *birth)
			}
		}
		p, err := s.AddPatient(ctx, storage.Patient{MRN: *mrn, Name: *name, Birth: *birth, Sex: *sex})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "patient=%d\n", p.ID)
		return nil
	case "list":
		ps, err := s.Patients(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			return json.NewEncoder(env.Stdout).Encode(ps)
		}
		for _, p := range ps {
			fmt.Fprintf(env.Stdout, "%-12s %-30s %-10s %s\n", p.MRN, p.Name, p.Birth, p.Sex)
		}
		return nil
	}
	return usagef("unknown patients action %q", pos[0])
}

// Codes of manually charted vitals (ISO/IEEE 11073-10101).
const (
	mdcRespRate = 151562
	mdcTempBody = 150364
	mdcBPSys    = 150021
	mdcBPDia    = 150022
)

func runChart(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("chart", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	mrn := fs.String("patient", "", "patient MRN")
	hr := fs.Float64("hr", 0, "heart rate /min")
	spo2 := fs.Float64("spo2", 0, "SpO2 %")
	rr := fs.Float64("rr", 0, "respiratory rate /min")
	temp := fs.Float64("temp", 0, "body temperature °C")
	bp := fs.String("bp", "", "blood pressure SYS/DIA mm[Hg]")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *mrn == "" {
		return usagef("--patient MRN is required")
	}
	var vitals []storage.Vital
	add := func(v float64, code uint32, label, unit string) {
		if v > 0 {
			vitals = append(vitals, storage.Vital{Code: code, Label: label, Value: v, Unit: unit, Status: devices.Valid})
		}
	}
	add(*hr, devices.MDCECGHeartRate, "HR", "/min")
	add(*spo2, devices.MDCPulsOximSatO2, "SpO2", "%")
	add(*rr, mdcRespRate, "RR", "/min")
	add(*temp, mdcTempBody, "Temp", "Cel")
	if *bp != "" {
		sys, dia, ok := strings.Cut(*bp, "/")
		s, err1 := strconv.ParseFloat(sys, 64)
		d, err2 := strconv.ParseFloat(dia, 64)
		if !ok || err1 != nil || err2 != nil {
			return usagef("--bp %q: want SYS/DIA", *bp)
		}
		add(s, mdcBPSys, "BP sys", "mm[Hg]")
		add(d, mdcBPDia, "BP dia", "mm[Hg]")
	}
	if len(vitals) == 0 {
		return usagef("nothing to chart: give at least one of --hr --spo2 --rr --temp --bp")
	}
	s, user, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.PatientByMRN(ctx, *mrn); err != nil {
		return fmt.Errorf("patient: %w", err)
	}
	c := storage.Chart{ID: uuid.NewString(), PatientMRN: *mrn, Time: time.Now(), Vitals: vitals, Author: user.Name}
	unit, err := s.ChartVitals(ctx, c)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "chart=%s unit=%d\n", c.ID, unit)
	return nil
}

func runSync(ctx context.Context, env Env, args []string) error {
	fs := flag.NewFlagSet("sync", flag.ContinueOnError)
	dirFlag := fs.String("store", "", "store directory")
	ehr := fs.String("ehr", "", "FHIR R4 base URL (https, or http on loopback)")
	once := fs.Bool("once", false, "drain what is due once and exit")
	mrnSystem := fs.String("mrn-system", "", "identifier system of MRNs at the EHR")
	asJSON := fs.Bool("json", false, "JSON output")
	smartID := fs.String("smart-client-id", "", "SMART Backend Services client id (with --smart-key)")
	smartKey := fs.String("smart-key", "", "PEM private key (RSA ≥ 2048 → RS384, EC P-384 → ES384) registered with the EHR")
	smartKid := fs.String("smart-kid", "", "key id of --smart-key in the registered JWKS")
	smartURL := fs.String("smart-token-url", "", "token endpoint (default: from the EHR's .well-known/smart-configuration)")
	smartScopes := fs.String("smart-scopes", "", "space-separated scopes (default: what the workstation writes)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *ehr == "" {
		return usagef("--ehr URL is required")
	}
	var opts []fhir.Option
	if *smartID != "" || *smartKey != "" {
		if *smartID == "" || *smartKey == "" {
			return usagef("--smart-client-id and --smart-key go together")
		}
		var scopes []string
		if *smartScopes != "" {
			scopes = strings.Fields(*smartScopes)
		}
		cfg, err := fhir.NewSMARTConfig(*smartURL, *smartID, *smartKid, *smartKey, scopes)
		if err != nil {
			return err
		}
		opts = append(opts, fhir.WithSMART(cfg))
	}
	client, err := fhir.NewClient(*ehr, opts...)
	if err != nil {
		return err
	}
	defer client.Close()
	s, _, err := openStore(ctx, env, storeDir(env, *dirFlag))
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.RequeueInFlight(ctx); err != nil {
		return err
	}
	d := &outbox.Drainer{Queue: s, Sender: fhir.NewSender(client, fhir.Systems{MRN: *mrnSystem}, fhir.WithClipBinaries(s)), Probe: client.Metadata}
	if !*once {
		ctx, stop := untilStopped(ctx, 0)
		defer stop()
		return d.Serve(ctx)
	}
	res, err := d.DrainOnce(ctx)
	if err != nil {
		return err
	}
	st, err := s.OutboxStats(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := json.NewEncoder(env.Stdout).Encode(map[string]int{"sent": res.Sent, "retried": res.Retried,
			"parked": res.Parked, "pending": st.Pending}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.Stdout, "sent=%d retried=%d parked=%d pending=%d\n", res.Sent, res.Retried, res.Parked, st.Pending)
	}
	// --once succeeds only when everything was delivered.
	switch {
	case st.Parked > 0:
		return fmt.Errorf("sync: %d units parked (they need a person; last error: %s)", st.Parked, st.LastError)
	case st.Pending > 0:
		return fmt.Errorf("sync: %d units not delivered yet (last error: %s)", st.Pending, st.LastError)
	}
	return nil
}
