package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"telewave/test/fhirserver"
)

// `telewave sync` with SMART Backend Services: the EHR answers only with a
// token obtained by a signed assertion from the registered key; with no
// key the same sync is refused.
func TestSyncWithSMARTBackendServices(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	keyPath := filepath.Join(t.TempDir(), "client.pem")
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	base := fhirserver.StartWith(t, fhirserver.Options{JWKS: fhirserver.WriteJWKS(t, fhirserver.JWK{KeyID: "k1", Key: &key.PublicKey}),
		Env: map[string]string{"FHIR_PEER_CLIENT_ID": "telewave-test"}})

	vars := storeVars(t)
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "MRN-S", "--name", "Smart Patient")
	runOK(t, vars, "chart", "--patient", "MRN-S", "--spo2", "97", "--hr", "70")

	// Without credentials the EHR refuses (401): nothing is sent.
	runFails(t, vars, "1 units not delivered", "sync", "--ehr", base, "--once")

	// With the registered key a token is obtained and the EHR answers: the
	// patient is not there, so the chart waits for a clinician to match
	// it — not an authorization error any more.
	// (A fresh store: the first one's unit now waits out its backoff.)
	vars = storeVars(t)
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "MRN-S", "--name", "Smart Patient")
	runOK(t, vars, "chart", "--patient", "MRN-S", "--spo2", "97", "--hr", "70")
	env, _, errb := testEnv(vars)
	if code := Run(t.Context(), env, []string{"sync", "--ehr", base, "--once", "--smart-client-id", "telewave-test", "--smart-key", keyPath, "--smart-kid", "k1"}); code == 0 ||
		strings.Contains(errb.String(), "401") || !strings.Contains(errb.String(), "not delivered") {
		t.Fatalf("sync with SMART: exit %d, %q", code, errb.String())
	}
	if resp, err := http.Get(base + "/Observation"); err == nil {
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Fatalf("the test EHR answered %d to a call without a token: SMART is not on", resp.StatusCode)
		}
	}
}
