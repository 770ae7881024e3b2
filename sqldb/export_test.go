package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/amparo-project/amparo"
)

// RawDB exposes the database handle to tests that read what is stored.
func RawDB(db *DB) *sql.DB { return db.db }

// ConflictScan is ConflictCheck deciding on everyone of the organization,
// decrypted, instead of the candidates its index finds.
func ConflictScan(ctx context.Context, db *DB, name string, birth amparo.Date) ([]*amparo.Candidate, error) {
	found, err := db.conflictChecks(ctx, []amparo.ConflictQuery{{Name: name, Birth: birth}}, true)
	if err != nil {
		return nil, err
	}
	return found[0], nil
}

// UseNoopCipher replaces encryption with a no-op, so a benchmark can
// measure what encryption costs.
func UseNoopCipher(db *DB) { db.cipher = noopCipher{}; db.letterAEADs.Clear() }

type noopCipher struct{}

func (noopCipher) NewDataKey(string) (dataKey, []byte, error)  { return noopKey{}, []byte("k"), nil }
func (noopCipher) OpenDataKey(string, []byte) (dataKey, error) { return noopKey{}, nil }
func (noopCipher) MAC(p string, d []byte) []byte {
	s := sha256.Sum256(append([]byte(p), d...)) // unkeyed, still a hash
	return s[:]
}
func (noopCipher) KeyCheck() []byte { return []byte("noop") }
func (noopCipher) Tokens(field string, words []string) [][]byte {
	var out [][]byte
	for _, w := range slices.Compact(slices.Sorted(slices.Values(words))) {
		out = append(out, []byte(field+":"+w))
	}
	return out
}

type noopKey struct{}

func (noopKey) Seal(p, _ []byte) []byte          { return p }
func (noopKey) Open(p, _ []byte) ([]byte, error) { return p, nil }

// AppendAuditEvents appends n chained events fast, in batches, for
// benchmarks of verification.
func AppendAuditEvents(db *DB, n int) error {
	ctx := amparo.NewContextWithActor(context.Background(), amparo.SystemActor)
	for done := 0; done < n; {
		err := db.inTx(ctx, func(tx *Tx) error {
			var prev []byte
			if err := tx.queryRow(ctx, "SELECT hash FROM audit_head WHERE id = 1").Scan(&prev); err != nil {
				return err
			}
			const rowsPer = 500
			for b := 0; b < 20 && done < n; b++ {
				k := min(rowsPer, n-done)
				q := "INSERT INTO audit_events (at, actor_id, actor_role, organization_id, action, record_type, record_id, hash) VALUES " +
					strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", k), ", ")
				args := make([]any, 0, 8*k)
				for i := range k {
					e := &amparo.AuditEvent{At: tx.now, ActorID: "bench", ActorRole: amparo.RoleMember, OrganizationID: "org",
						Action: "client.view", RecordType: "client", RecordID: fmt.Sprint(done + i)}
					prev = chainHash(prev, e)
					args = append(args, formatTime(e.At), e.ActorID, string(e.ActorRole), e.OrganizationID, e.Action, e.RecordType, e.RecordID, prev)
				}
				if _, err := tx.exec(ctx, q, args...); err != nil {
					return err
				}
				done += k
			}
			_, err := tx.exec(ctx, "UPDATE audit_head SET hash = ? WHERE id = 1", prev)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Rebind writes a query's ? placeholders the way the database wants them.
func Rebind(db *DB, q string) string { return db.dialect.rebind(q) }
