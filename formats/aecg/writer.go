package aecg

import (
	"bytes"
	"encoding/xml"
	"strings"
)

// xmlWriter writes indented XML by hand, so that the element order is the
// schema's and digits can be wrapped.
type xmlWriter struct {
	b     bytes.Buffer
	depth int
}

// start opens an element; attrs are name, value pairs, and pairs with an
// empty value are left out.
func (w *xmlWriter) start(name string, attrs ...string) {
	w.tag(name, attrs, false)
	w.depth++
}

func (w *xmlWriter) end(name string) {
	w.depth--
	w.indent()
	w.b.WriteString("</" + name + ">\n")
}

// empty writes <name attrs/>.
func (w *xmlWriter) empty(name string, attrs ...string) { w.tag(name, attrs, true) }

// text writes <name attrs>text</name>; nothing when text is empty.
func (w *xmlWriter) text(name, text string, attrs ...string) {
	if text == "" {
		return
	}
	w.indent()
	w.attrs(name, attrs)
	w.b.WriteByte('>')
	xml.EscapeText(&w.b, []byte(text))
	w.b.WriteString("</" + name + ">\n")
}

func (w *xmlWriter) tag(name string, attrs []string, empty bool) {
	w.indent()
	w.attrs(name, attrs)
	if empty {
		w.b.WriteString("/>\n")
	} else {
		w.b.WriteString(">\n")
	}
}

func (w *xmlWriter) attrs(name string, attrs []string) {
	w.b.WriteString("<" + name)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" {
			continue
		}
		w.b.WriteString(" " + attrs[i] + `="`)
		xml.EscapeText(&w.b, []byte(attrs[i+1]))
		w.b.WriteByte('"')
	}
}

func (w *xmlWriter) indent() { w.b.WriteString(strings.Repeat("  ", w.depth)) }
