package muse

import (
	"strings"

	"telewave/formats/internal/xmltext"
)

// Sniff reports whether the first bytes of a file look like a MUSE export:
// a RestingECG element, in UTF-8, Latin-1 or UTF-16. Give it the first
// 2 KiB or so: a declaration, DOCTYPE and comments come first.
func Sniff(head []byte) bool {
	text := xmltext.Head(head, len(head))
	return strings.Contains(text, "<RestingECG>") || strings.Contains(text, "<RestingECG ")
}
