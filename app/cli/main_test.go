package cli

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"testing"
)

// childEnv, when set, makes the test binary run one telewave command (its
// arguments tab-separated in the variable) instead of the tests: the crash
// tests kill such a child the way a power cut would.
const childEnv = "TELEWAVE_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
		code := Run(ctx, Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv,
			Records: os.DirFS("../../testdata")}, strings.Split(args, "\t"))
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}
