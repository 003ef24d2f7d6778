package cli

import (
	"bufio"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"telewave/app"
	"telewave/devices/contec"
	"telewave/storage"
	"telewave/storage/seal"
	"telewave/storage/sqlite"
)

// kills is how many times the recording process is killed. Each run picks
// new random moments; the seed is logged so a failure can be replayed.
const kills = 20

// TestKillDuringRecording records a simulated oximeter into a store from a
// child process and SIGKILLs it at random moments, as a power cut would.
// After each kill the store must open cleanly, every stored chunk must open
// and decode (sqlite.Verify), the recording must hold what was recorded up
// to at most one second before the kill, and the next run must record on.
func TestKillDuringRecording(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir() + "/store"
	s, _, err := sqlite.Create(ctx, dir, "admin", []byte("a long enough passphrase"), seal.FastParams)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPatient(ctx, storage.Patient{MRN: "CRASH-1", Name: "Crash Test"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	sim, err := app.Simulate(ctx, contec.Protocol, &contec.Simulator{Speed: 1, KeepAlive: time.Hour}, "")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Stop()

	seed := time.Now().UnixNano()
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d", seed)
	var lastSamples int64
	for i := range kills {
		child := exec.Command(os.Args[0], "-test.run=^$")
		child.Env = append(os.Environ(), childEnv+"="+strings.Join([]string{"capture", "--port", sim.Path, "--protocol", contec.Protocol,
			"--store", dir, "--patient", "CRASH-1", "--seconds", "60"}, "\t"),
			"TELEWAVE_USER=admin", "TELEWAVE_PASSPHRASE=a long enough passphrase")
		stderr, _ := child.StderrPipe()
		if err := child.Start(); err != nil {
			t.Fatal(err)
		}
		errLines := make(chan string, 100)
		go func() {
			sc := bufio.NewScanner(stderr)
			for sc.Scan() {
				errLines <- sc.Text()
			}
			close(errLines)
		}()
		// Kill at a random moment 1.2–3.2 s in: after start-up, mid-stream.
		time.Sleep(1200*time.Millisecond + time.Duration(rng.Int63n(int64(2000*time.Millisecond))))
		killedAt := time.Now()
		if err := child.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		child.Wait()
		for l := range errLines {
			t.Logf("run %d stderr: %s", i, l)
		}

		st, err := sqlite.Open(ctx, dir)
		if err != nil {
			t.Fatalf("run %d: store does not open after SIGKILL: %v", i, err)
		}
		if _, err := st.Unlock(ctx, "admin", []byte("a long enough passphrase")); err != nil {
			t.Fatalf("run %d: unlock: %v", i, err)
		}
		rep, err := st.Verify(ctx)
		if err != nil {
			t.Fatalf("run %d: verify after SIGKILL: %v", i, err)
		}
		if rep.Samples <= lastSamples {
			t.Fatalf("run %d recorded nothing: %d samples before, %d after", i, lastSamples, rep.Samples)
		}
		lastSamples = rep.Samples
		end, err := lastSampleTime(ctx, st)
		if err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
		if lost := killedAt.Sub(end); lost > time.Second {
			t.Errorf("run %d: the last stored sample is %v before the kill; at most 1 s may be lost", i, lost)
		}
		st.Close()
	}
}

// lastSampleTime is the host time just after the newest stored pleth sample.
func lastSampleTime(ctx context.Context, st *sqlite.Store) (time.Time, error) {
	p, err := st.PatientByMRN(ctx, "CRASH-1")
	if err != nil {
		return time.Time{}, err
	}
	recs, err := st.Recordings(ctx, p.ID)
	if err != nil || len(recs) == 0 {
		return time.Time{}, fmt.Errorf("no recordings: %v", err)
	}
	chunks, err := st.Chunks(ctx, recs[0].ID, contec.PlethSignal.ID)
	if err != nil || len(chunks) == 0 {
		return time.Time{}, fmt.Errorf("no chunks in the newest recording: %v", err)
	}
	last := chunks[len(chunks)-1]
	return last.HostTime.Add(time.Duration(len(last.Samples)) * time.Second / contec.LiveRate), nil
}
