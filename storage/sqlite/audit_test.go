package sqlite

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
)

func TestAuditChain(t *testing.T) {
	ctx := context.Background()
	cases := []struct {
		name    string
		tamper  string // SQL run against the row with id :row
		badRow  int    // index of the row the error must name, or -1 when the chain must still verify
		good    int    // rows verified before the break
		wantErr error
	}{
		{"untouched", ``, -1, 7, nil},
		{"action edited", `UPDATE audit SET action = 'view' WHERE id = :row`, 3, 3, ErrAuditChain},
		{"time edited", `UPDATE audit SET time_ns = time_ns + 1 WHERE id = :row`, 3, 3, ErrAuditChain},
		{"user edited", `UPDATE audit SET user_id = NULL WHERE id = :row`, 3, 3, ErrAuditChain},
		{"detail swapped", `UPDATE audit SET detail = (SELECT detail FROM audit WHERE id = :row + 1) WHERE id = :row`, 3, 3, ErrAuditChain},
		{"row deleted", `DELETE FROM audit WHERE id = :row`, 4, 3, ErrAuditChain},
		{"first row edited", `UPDATE audit SET action = 'x' WHERE id = (SELECT MIN(id) FROM audit)`, 0, 0, ErrAuditChain},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, _, _ := newStore(t)
			for i := range 6 {
				if err := s.Audit(ctx, "export", "export "+strconv.Itoa(i)); err != nil {
					t.Fatal(err)
				}
			}
			log, err := s.AuditLog(ctx)
			if err != nil || len(log) != 7 || log[3].Detail != "export 2" {
				t.Fatalf("audit log = %+v, %v", log, err)
			}
			if c.tamper != "" {
				if _, err := s.db.Exec(c.tamper, sqlNamed("row", log[3].ID)); err != nil {
					t.Fatal(err)
				}
			}
			n, err := s.VerifyAudit(ctx)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("VerifyAudit = %d, %v; want %v", n, err, c.wantErr)
			}
			if n != c.good {
				t.Fatalf("verified %d rows, want %d", n, c.good)
			}
			if c.badRow < 0 {
				return
			}
			if want := "row " + strconv.FormatInt(log[c.badRow].ID, 10) + " "; !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not name %q", err, want)
			}
		})
	}
}
