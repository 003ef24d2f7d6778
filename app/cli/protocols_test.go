package cli

import (
	"path/filepath"
	"testing"

	"telewave/app"
)

// Every protocol in the build can be simulated into a capture file and
// decoded back from it by the CLI: `simulate X --out` then `decode X FILE`.
func TestSimulateAndDecodeEveryProtocol(t *testing.T) {
	for _, p := range app.Protocols() {
		t.Run(p.Name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), p.Name+".bin")
			runOK(t, nil, "simulate", p.Name, "--out", file, "--duration", "3s", "--speed", "4")
			var chunks, numerics, devices int
			for _, l := range parseNDJSON(t, []byte(runOK(t, nil, "decode", p.Name, file))) {
				switch l.Type {
				case "chunk":
					chunks++
				case "numeric":
					numerics++
				case "device":
					devices++
				}
			}
			if devices != 1 || chunks+numerics < 5 {
				t.Fatalf("decoded %d device lines, %d chunks and %d numerics from the capture", devices, chunks, numerics)
			}
			t.Logf("%d chunks, %d numerics", chunks, numerics)
		})
	}
}
