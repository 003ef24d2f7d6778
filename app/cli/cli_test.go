package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"telewave/devices"
)

// testEnv runs commands with buffers and a private environment.
func testEnv(vars map[string]string) (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb,
		Getenv:  func(k string) string { return vars[k] },
		Records: os.DirFS("../../testdata")}, &out, &errb
}

type line struct {
	Type   string          `json:"type"`
	Signal string          `json:"signal"`
	Code   json.RawMessage `json:"code"` // a number for numerics, a word for events
	Value  float64         `json:"value"`
	Unit   string          `json:"unit"`
	Status string          `json:"status"`
	Rest   json.RawMessage `json:"-"`
}

func parseNDJSON(t *testing.T, b []byte) []line {
	t.Helper()
	var out []line
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 1<<16), 1<<24)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatalf("not NDJSON: %q: %v", sc.Text(), err)
		}
		out = append(out, l)
	}
	return out
}

// The acceptance point: `simulate contec` prints port=… first, and
// `capture --port … --protocol contec --seconds 3 --json` prints pleth
// chunks and SpO2 / pulse-rate numerics read from that port.
func TestSimulateThenCapture(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	simEnv, _, simErr := testEnv(nil)
	simEnv.Stdout = pw
	done := make(chan int, 1)
	go func() { done <- Run(ctx, simEnv, []string{"simulate", "contec", "--duration", "20s"}) }()
	first, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	if !strings.HasPrefix(first, "port=/dev/pts/") {
		t.Fatalf("first line %q, want port=/dev/pts/N", first)
	}
	port := strings.TrimSpace(strings.TrimPrefix(first, "port="))

	env, out, errb := testEnv(nil)
	if code := Run(ctx, env, []string{"capture", "--port", port, "--protocol", "contec", "--seconds", "3", "--json"}); code != 0 {
		t.Fatalf("capture exit %d: %s", code, errb.String())
	}
	var chunks, spo2, rate int
	for _, l := range parseNDJSON(t, out.Bytes()) {
		switch {
		case l.Type == "chunk" && l.Signal == "pleth":
			chunks++
		case l.Type == "numeric" && string(l.Code) == fmt.Sprint(devices.MDCPulsOximSatO2) && l.Unit == "%" && l.Status == "valid":
			spo2++
		case l.Type == "numeric" && string(l.Code) == fmt.Sprint(devices.MDCPulsOximPulsRt) && l.Unit == "/min":
			rate++
		}
	}
	// 3 s at 60 Hz in chunks of 3 is about 60 chunks; allow for start-up.
	if chunks < 30 || spo2 < 2 || rate < 2 {
		t.Fatalf("captured %d pleth chunks, %d SpO2 and %d PR numerics", chunks, spo2, rate)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("simulate exit %d: %s", code, simErr.String())
	}
}

func TestSimulateToFileThenDecode(t *testing.T) {
	for _, protocol := range []string{"contec", "openbci"} {
		t.Run(protocol, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), protocol+".bin")
			env, _, errb := testEnv(nil)
			if code := Run(context.Background(), env, []string{"simulate", protocol, "--speed", "4", "--duration", "1s", "--out", file}); code != 0 {
				t.Fatalf("simulate exit %d: %s", code, errb.String())
			}
			env, out, errb := testEnv(nil)
			if code := Run(context.Background(), env, []string{"decode", protocol, file}); code != 0 {
				t.Fatalf("decode exit %d: %s", code, errb.String())
			}
			types := map[string]int{}
			for _, l := range parseNDJSON(t, out.Bytes()) {
				types[l.Type]++
			}
			if types["device"] != 1 || types["signal"] == 0 || types["chunk"] < 10 {
				t.Fatalf("decoded %v", types)
			}
		})
	}
}

func TestDecodeGarbageIsCalm(t *testing.T) {
	garbage := bytes.Repeat([]byte{0x00, 0xff, 0x7d, 0x81, 0x01, 0xa0, 0xc0}, 500)
	for _, protocol := range []string{"contec", "openbci"} {
		env, out, errb := testEnv(nil)
		env.Stdin = bytes.NewReader(garbage)
		if code := Run(context.Background(), env, []string{"decode", protocol, "-"}); code != 0 {
			t.Fatalf("%s: decode of garbage exit %d: %s", protocol, code, errb.String())
		}
		for _, l := range parseNDJSON(t, out.Bytes()) {
			if l.Type == "chunk" {
				t.Errorf("%s: garbage decoded into a chunk", protocol)
			}
		}
	}
}

func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"simulate"},
		{"simulate", "nope"},
		{"capture", "--protocol", "contec"},
		{"decode"},
		{"nosuchcommand"},
	}
	for _, args := range tests {
		env, _, errb := testEnv(nil)
		if code := Run(context.Background(), env, args); code == 0 {
			t.Errorf("%v exited 0", args)
		} else if errb.Len() == 0 {
			t.Errorf("%v failed without a message", args)
		}
	}
}

// storeVars is the environment of a fresh store in a temp dir.
func storeVars(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"TELEWAVE_USER": "admin", "TELEWAVE_PASSPHRASE": "a long enough passphrase",
		"TELEWAVE_STORE": filepath.Join(t.TempDir(), "store")}
}

// runOK runs a command that must succeed and returns what it printed.
func runOK(t *testing.T, vars map[string]string, args ...string) string {
	t.Helper()
	env, out, errb := testEnv(vars)
	if code := Run(context.Background(), env, args); code != 0 {
		t.Fatalf("%v exit %d: %s", args, code, errb.String())
	}
	return out.String()
}

func TestStoreCommands(t *testing.T) {
	vars := storeVars(t)
	run := func(args ...string) string { return runOK(t, vars, args...) }
	init := run("store", "init")
	if !strings.Contains(init, "recovery_code=") {
		t.Fatalf("store init printed %q", init)
	}
	run("patients", "add", "--mrn", "MRN-42", "--name", "Grace Hopper", "--birth", "1906-12-09", "--sex", "female")
	if list := run("patients", "list"); !strings.Contains(list, "Grace Hopper") {
		t.Fatalf("patients list = %q", list)
	}
	if c := run("chart", "--patient", "MRN-42", "--spo2", "96", "--hr", "71", "--bp", "120/80"); !strings.Contains(c, "unit=") {
		t.Fatalf("chart printed %q", c)
	}
	if v := run("store", "verify"); !strings.Contains(v, "audit chain intact") {
		t.Fatalf("store verify printed %q", v)
	}
	// A wrong passphrase is refused with a clear message, not a crash.
	vars["TELEWAVE_PASSPHRASE"] = "wrong"
	env, _, errb := testEnv(vars)
	if code := Run(context.Background(), env, []string{"patients", "list"}); code == 0 || !strings.Contains(errb.String(), "wrong user or passphrase") {
		t.Fatalf("wrong passphrase: exit %d, %q", code, errb.String())
	}
}

func TestCaptureToStore(t *testing.T) {
	vars := storeVars(t)
	dir := vars["TELEWAVE_STORE"]
	runOK(t, vars, "store", "init")
	runOK(t, vars, "patients", "add", "--mrn", "M1", "--name", "Alan Turing")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	pr, pw := io.Pipe()
	simEnv, _, _ := testEnv(nil)
	simEnv.Stdout = pw
	go Run(ctx, simEnv, []string{"simulate", "openbci", "--duration", "20s"})
	first, _ := bufio.NewReader(pr).ReadString('\n')
	go io.Copy(io.Discard, pr)
	port := strings.TrimSpace(strings.TrimPrefix(first, "port="))

	env, out, errb := testEnv(vars)
	if code := Run(ctx, env, []string{"capture", "--port", port, "--protocol", "openbci", "--seconds", "3", "--store", dir, "--patient", "M1"}); code != 0 {
		t.Fatalf("capture exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "recording=") {
		t.Fatalf("capture printed %q", out.String())
	}
	env, out, errb = testEnv(vars)
	if code := Run(ctx, env, []string{"store", "stats", "--json"}); code != 0 {
		t.Fatalf("stats: %s", errb.String())
	}
	var st struct {
		Signals []struct {
			Signal  string
			Samples int64
		}
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil {
		t.Fatal(err)
	}
	var samples int64
	for _, s := range st.Signals {
		samples += s.Samples
	}
	// 8 channels × 250 Hz × ~2 s after the banner and start-up.
	if samples < 8*250 {
		t.Fatalf("stored %d samples: %+v", samples, st)
	}
}
