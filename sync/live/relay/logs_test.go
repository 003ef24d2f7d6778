package relay

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// logBook keeps every line the relay logs.
type logBook struct {
	mu    sync.Mutex
	lines []string
}

func (l *logBook) Logf(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, fmt.Sprintf(format, args...))
}

func (l *logBook) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func TestLogsHoldNoPayloadNorSID(t *testing.T) {
	var book logBook
	secret := []byte("Jane Doe MRN 4471-22 HR 71 bpm")
	s := openShare(t, Config{Logf: book.Logf}, 2, false)
	s.viewers[0].send(OpSend, 0, testFrame(5, secret))
	s.host.expect(OpFrom, 1)
	s.host.send(OpAdmit, 1, nil)
	s.viewers[0].expect(OpAdmitted, 0)
	s.host.send(OpBroadcast, 0, testFrame(ClassState, secret))
	s.viewers[0].expect(OpFrame, 0)
	s.host.send(OpUnicast, 2, testFrame(4, secret))
	s.viewers[1].expect(OpFrame, 0)
	s.host.send(OpRemove, 2, nil)
	s.viewers[1].expectClosed(CloseRemoved)
	// Refusals log too: a bad frame from the viewer, a late viewer.
	sendRaw(t, s.viewers[0], websocket.MessageBinary, append([]byte{OpSend}, testFrame(9, secret)...))
	s.viewers[0].expectClosed(CloseBadEnvelope)
	s.clock.Add(2 * time.Hour)
	s.tr.viewer(t, s.sid).expectClosed(CloseExpired)
	s.host.conn.CloseNow()
	eventually(t, "share gone", func() bool { return s.tr.Stats().Sessions == 0 })

	logs := book.String()
	if !strings.Contains(logs, s.sid[:4]) || !strings.Contains(logs, "4001") {
		t.Fatalf("the logs miss the events:\n%s", logs)
	}
	for _, leak := range []string{
		s.sid, s.sid[:5],
		string(secret), "Jane", "4471",
		hex.EncodeToString(secret[:8]), fmt.Sprintf("% x", secret[:8]),
		base64.StdEncoding.EncodeToString(secret[:9]),
		fmt.Sprint(secret[:4]),
	} {
		if strings.Contains(logs, leak) {
			t.Errorf("the logs hold %q:\n%s", leak, logs)
		}
	}
}
