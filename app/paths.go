package app

import (
	"os"
	"path/filepath"
)

// DefaultStoreDir is where the record store lives unless --store says
// otherwise: $TELEWAVE_STORE, else the user's data directory
// ($XDG_DATA_HOME/telewave or ~/.local/share/telewave).
func DefaultStoreDir(getenv func(string) string) string {
	if d := getenv("TELEWAVE_STORE"); d != "" {
		return d
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "telewave")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "telewave-store"
	}
	return filepath.Join(home, ".local", "share", "telewave")
}
