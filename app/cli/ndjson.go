package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"

	"telewave/devices"
)

// ndjson writes device messages one JSON object a line, each with its
// "type" ("chunk", "numeric", "event", "device", "signal", "state") and,
// when known, the device slot it came from.
type ndjson struct {
	mu  sync.Mutex
	w   io.Writer
	err error
}

func (n *ndjson) write(device string, m devices.Message) {
	body, err := json.Marshal(m)
	if err != nil {
		n.fail(fmt.Errorf("encode %s: %w", m.MessageType(), err))
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"`)
	b.WriteString(m.MessageType())
	b.WriteByte('"')
	if device != "" {
		b.WriteString(`,"device":`)
		d, _ := json.Marshal(device)
		b.Write(d)
	}
	if len(body) > 2 {
		b.WriteByte(',')
		b.Write(body[1:])
	} else {
		b.WriteByte('}')
	}
	b.WriteByte('\n')
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err == nil {
		_, n.err = n.w.Write(b.Bytes())
	}
}

func (n *ndjson) fail(err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.err == nil {
		n.err = err
	}
}

func (n *ndjson) Err() error {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.err
}
