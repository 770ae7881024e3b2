package main

import (
	"context"
	"encoding/hex"
	"fmt"

	"github.com/amparo-project/amparo/sqldb"
)

func runAudit(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"verify": {"[--data DIR] [--db DSN]", "check that no audit event was edited, deleted or reordered", auditVerify},
	})
}

func auditVerify(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("audit verify")
	m.dataFlags(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	// The chain holds nothing sealed: no master key is read, and the
	// database (a backup, say) is opened read-only, as it is.
	m.defaults()
	db, err := sqldb.OpenAuditTrail(m.Config.DB)
	if err != nil {
		return err
	}
	defer db.Close()
	c, err := db.VerifyAuditChain(system(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "The audit trail is intact: %d events. Head: %s\n(Record the head elsewhere: a trail rewritten from the start would end at another one.)\n",
		c.Events, hex.EncodeToString(c.Head))
	return nil
}
