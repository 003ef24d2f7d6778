package aecg

import (
	"strings"

	"telewave/formats/internal/xmltext"
)

// Sniff reports whether the first bytes of a file look like an aECG: an
// AnnotatedECG root element, in UTF-8 or UTF-16. Give it the first 2 KiB or
// so: a declaration and comments may come before the root.
func Sniff(head []byte) bool {
	text := xmltext.Head(head, len(head))
	return strings.Contains(text, "<AnnotatedECG") || strings.Contains(text, ":AnnotatedECG")
}
