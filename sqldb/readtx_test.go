package sqldb_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
)

// On SQLite a reading that writes nothing does not queue behind a writer:
// a process holding the write lock does not stop the program page or a
// verifier's status list from being read.
func TestReadTx_NotBehindAWriter(t *testing.T) {
	dsn := dsn(t, "sqlite")
	db := storetest.MustOpenDSN(t, dsn, envelope.GenerateMasterKey())
	raw, err := sql.Open("sqlite", "file:"+strings.TrimPrefix(dsn, "sqlite:")+"?_pragma=busy_timeout(100)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	conn, err := raw.Conn(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(t.Context(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	ctx, cancel := context.WithTimeout(system, 3*time.Second)
	defer cancel()
	p, err := db.FindProgram(ctx)
	if err != nil {
		t.Fatalf("reading the program while another process writes: %v", err)
	}
	// The lock is really held: a write waits for it.
	wctx, wcancel := context.WithTimeout(system, 300*time.Millisecond)
	defer wcancel()
	p.Name = "Programa Ejemplo"
	if err := db.UpdateProgram(wctx, p); err == nil {
		t.Fatal("a write went through while another process held the write lock")
	}
}
