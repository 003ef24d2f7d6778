package serialport

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/creack/pty"
	"golang.org/x/sys/unix"
)

// PTY is a pseudo-terminal whose master side plays a device: what the
// simulator writes to Master arrives at whoever opens Path with
// go.bug.st/serial, exactly as from a USB serial adapter.
type PTY struct {
	Master *os.File // the device side; supports deadlines
	Path   string   // e.g. /dev/pts/7, what the app opens
	slave  *os.File
}

// OpenPTY creates a pseudo-terminal in raw mode. The slave side stays open
// here too, so that the master keeps working while the app closes and
// reopens the port (otherwise the master reads EIO in between), and raw
// mode keeps the line discipline from echoing the device's bytes back.
func OpenPTY() (*PTY, error) {
	m, s, err := pty.Open()
	if err != nil {
		return nil, fmt.Errorf("open pty: %w", err)
	}
	if err := makeRaw(int(s.Fd())); err != nil {
		m.Close()
		s.Close()
		return nil, fmt.Errorf("raw mode on %s: %w", s.Name(), err)
	}
	master, err := pollable(m)
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("open pty: %w", err)
	}
	return &PTY{Master: master, Path: s.Name(), slave: s}, nil
}

// pollable re-opens the master on a non-blocking descriptor so that Go's
// poller owns it: only then do deadlines work, and a simulator whose reader
// went away drops its frames instead of blocking forever.
func pollable(m *os.File) (*os.File, error) {
	fd, err := unix.Dup(int(m.Fd()))
	m.Close()
	if err != nil {
		return nil, fmt.Errorf("dup pty master: %w", err)
	}
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("non-blocking pty master: %w", err)
	}
	return os.NewFile(uintptr(fd), "/dev/ptmx"), nil
}

// Close closes both sides; a port opened on Path then sees a hang-up.
func (p *PTY) Close() error {
	err1 := p.Master.Close()
	err2 := p.slave.Close()
	if err1 != nil {
		return err1
	}
	return err2
}

func makeRaw(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN] = 1
	t.Cc[unix.VTIME] = 0
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// Link points the symlink at link to target, replacing an older one
// atomically, as /dev/serial/by-id does for a USB device: a restarted
// simulator gets a new pty but keeps the same stable path.
func Link(target, link string) error {
	tmp := filepath.Join(filepath.Dir(link), fmt.Sprintf(".%s.%d", filepath.Base(link), os.Getpid()))
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	if err := os.Rename(tmp, link); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}
