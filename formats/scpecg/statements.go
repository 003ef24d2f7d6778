package scpecg

import (
	"fmt"
	"strings"
)

// Statement types of section 11 (version 2 on).
const (
	statementCoded = 1 // acronyms of the standard's statement codes
	statementText  = 2 // full text
	statementLogic = 3 // statement logic
)

// readStatements reads section 8 (full-text interpretation) or section 11
// (universal statements): date of interpretation (year u16, month, day,
// hour, minute, second u8), confirmation u8, number of statements u8, then
// per statement sequence number u8, length u16 and the statement. Section 11
// statements from version 2 on begin with a type byte; coded statements are
// NUL-separated acronyms, joined here with "; ". A statement that is empty
// once decoded is left out.
func readStatements(s *section) ([]string, error) {
	c := newCursor(s)
	c.take(7, "date of interpretation")
	c.u8("confirmation")
	n := int(c.u8("number of statements"))
	var out []string
	for k := range n {
		c.u8("sequence number")
		b := c.take(int(c.u16("statement length")), fmt.Sprintf("statement %d", k+1))
		if c.err != nil {
			return nil, c.err
		}
		if s.id == 11 && s.protocol >= 20 && len(b) > 0 && b[0] >= statementCoded && b[0] <= statementLogic {
			b = b[1:]
		}
		var parts []string
		for p := range strings.SplitSeq(string(b), "\x00") {
			if t := text([]byte(p)); t != "" {
				parts = append(parts, t)
			}
		}
		if len(parts) > 0 {
			out = append(out, strings.Join(parts, "; "))
		}
	}
	return out, nil
}
