package pgtest

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// A template's copies are given back when their test ends, emptied back
// to the template's rows, and handed to the next test that asks for the
// template: copying a database (CREATE DATABASE ... TEMPLATE, several
// megabytes of catalogs each) cost more CPU than the tests of most stores.
//
// A copy is given back only when its schema is still the template's
// (a fingerprint of its catalogs: tables, columns, constraints, indexes,
// triggers and whether they are enabled, functions, views, types,
// extensions, policies, large objects), and it is renamed while it waits,
// so a connection a test left open cannot reach it under its old name.
// Any doubt (a changed schema, a connection that will not end, an error)
// drops the copy instead.

// snapshot is what a template holds, to empty its copies back to.
type snapshot struct {
	fingerprint string
	tables      []string          // every table, quoted, for TRUNCATE
	columns     map[string]string // table → its quoted writable columns, for COPY
	rows        map[string][]byte // table → its rows (COPY text), where it has any
	sequences   []sequenceState
}

type sequenceState struct {
	name  string // quoted
	value *int64 // nil: never used
	start int64
}

// fingerprintSQL digests the catalogs of a database's own schemas.
const fingerprintSQL = `
WITH ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\_toast%' AND nspname NOT LIKE 'pg\_temp\_%'
), rel AS (
  SELECT c.oid FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
)
SELECT md5(coalesce(string_agg(x, E'\n' ORDER BY x), '')) FROM (
  SELECT 'n ' || nspname || ' ' || coalesce(n.nspacl::text, '') FROM pg_namespace n WHERE n.oid IN (SELECT oid FROM ns)
  UNION ALL
  SELECT 'c ' || c.oid::regclass::text || ' ' || c.relkind::text || c.relpersistence::text || ' ' || c.relowner::regrole::text || ' ' ||
         coalesce(c.relacl::text, '') || ' ' || coalesce(c.reloptions::text, '') || ' ' || c.relrowsecurity::text || c.relforcerowsecurity::text || c.relreplident::text
  FROM pg_class c WHERE c.oid IN (SELECT oid FROM rel)
  UNION ALL
  SELECT 'a ' || a.attrelid::regclass::text || ' ' || a.attnum::text || ' ' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' ||
         a.attnotnull::text || a.attidentity::text || a.attgenerated::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '') || ' ' || coalesce(a.attacl::text, '')
  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
  WHERE a.attrelid IN (SELECT oid FROM rel) AND a.attnum > 0 AND NOT a.attisdropped
  UNION ALL
  SELECT 'k ' || conrelid::regclass::text || ' ' || contypid::regtype::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
  FROM pg_constraint WHERE connamespace IN (SELECT oid FROM ns)
  UNION ALL
  SELECT 'i ' || pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid IN (SELECT oid FROM rel)
  UNION ALL
  SELECT 't ' || tgrelid::regclass::text || ' ' || tgname || ' ' || tgenabled::text || ' ' || pg_get_triggerdef(oid)
  FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL
  SELECT 'r ' || ev_class::regclass::text || ' ' || rulename || ' ' || ev_enabled::text || ' ' || md5(pg_get_ruledef(oid))
  FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM rel)
  UNION ALL
  SELECT 'f ' || p.oid::regprocedure::text || ' ' || p.proowner::regrole::text || ' ' || coalesce(p.proacl::text, '') || ' ' ||
         md5(coalesce(p.prosrc, '') || ' ' || coalesce(p.proconfig::text, '') || p.prosecdef::text)
  FROM pg_proc p WHERE p.pronamespace IN (SELECT oid FROM ns)
  UNION ALL
  SELECT 'y ' || t.oid::regtype::text || ' ' || t.typtype::text FROM pg_type t WHERE t.typnamespace IN (SELECT oid FROM ns)
  UNION ALL
  SELECT 'm ' || enumtypid::regtype::text || ' ' || enumsortorder::text || ' ' || enumlabel FROM pg_enum
  UNION ALL
  SELECT 'e ' || extname || ' ' || extversion FROM pg_extension
  UNION ALL
  SELECT 'p ' || polrelid::regclass::text || ' ' || polname || ' ' || polcmd::text || ' ' || polpermissive::text || ' ' ||
         coalesce(pg_get_expr(polqual, polrelid), '') || ' ' || coalesce(pg_get_expr(polwithcheck, polrelid), '')
  FROM pg_policy
  UNION ALL
  SELECT 'l ' || count(*) FROM pg_largeobject_metadata
  UNION ALL
  SELECT 'o ' || coalesce(setconfig::text, '') FROM pg_db_role_setting WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
  UNION ALL
  SELECT 'x ' || count(*) FROM pg_publication
  UNION ALL
  SELECT 'z ' || count(*) FROM pg_event_trigger
) s(x)`

// tablesSQL lists the database's tables (partitions and all) with the
// columns COPY can write: not the generated ones.
const tablesSQL = `
SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname),
       coalesce((SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) FROM pg_attribute a
                 WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated::text = ''), '')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind::text = 'r' AND c.relpersistence::text <> 't'
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
ORDER BY 1`

const sequencesSQL = `
SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename), last_value, start_value FROM pg_sequences ORDER BY 1`

// takeSnapshot reads what the database at dsn holds.
func takeSnapshot(ctx context.Context, dsn string) (*snapshot, error) {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	s := &snapshot{columns: map[string]string{}, rows: map[string][]byte{}}
	if err := conn.QueryRow(ctx, fingerprintSQL).Scan(&s.fingerprint); err != nil {
		return nil, fmt.Errorf("fingerprint: %w", err)
	}
	rows, _ := conn.Query(ctx, tablesSQL)
	var name, cols string
	if _, err := pgx.ForEachRow(rows, []any{&name, &cols}, func() error {
		s.tables = append(s.tables, name)
		s.columns[name] = cols
		return nil
	}); err != nil {
		return nil, fmt.Errorf("tables: %w", err)
	}
	for _, t := range s.tables {
		if s.columns[t] == "" {
			continue
		}
		var buf bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &buf, "COPY "+t+" ("+s.columns[t]+") TO STDOUT"); err != nil {
			return nil, fmt.Errorf("copy %s: %w", t, err)
		}
		if buf.Len() > 0 {
			s.rows[t] = buf.Bytes()
		}
	}
	rows, _ = conn.Query(ctx, sequencesSQL)
	var seq sequenceState
	if _, err := pgx.ForEachRow(rows, []any{&seq.name, &seq.value, &seq.start}, func() error {
		q := seq
		if seq.value != nil {
			v := *seq.value
			q.value = &v
		}
		s.sequences = append(s.sequences, q)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("sequences: %w", err)
	}
	return s, nil
}

// restore empties the database at dsn back to the snapshot, if its
// schema is still the snapshot's.
func (s *snapshot) restore(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var fp string
	if err := conn.QueryRow(ctx, fingerprintSQL).Scan(&fp); err != nil {
		return fmt.Errorf("fingerprint: %w", err)
	}
	if fp != s.fingerprint {
		return fmt.Errorf("the schema changed")
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.Background())
	// Replica mode: no trigger fires (an append-only table's guard, a
	// foreign key's check) while the rows are put back.
	stmt := "SET LOCAL session_replication_role = replica"
	if len(s.tables) > 0 {
		stmt += "; TRUNCATE " + strings.Join(s.tables, ", ") + " RESTART IDENTITY"
	}
	for _, q := range s.sequences {
		if q.value != nil {
			stmt += fmt.Sprintf("; SELECT setval('%s', %d, true)", strings.ReplaceAll(q.name, "'", "''"), *q.value)
		} else {
			stmt += fmt.Sprintf("; SELECT setval('%s', %d, false)", strings.ReplaceAll(q.name, "'", "''"), q.start)
		}
	}
	if _, err := tx.Exec(ctx, stmt); err != nil {
		return err
	}
	for _, t := range s.tables {
		if b := s.rows[t]; b != nil {
			if _, err := conn.PgConn().CopyFrom(ctx, bytes.NewReader(b), "COPY "+t+" ("+s.columns[t]+") FROM STDIN"); err != nil {
				return fmt.Errorf("copy %s: %w", t, err)
			}
		}
	}
	return tx.Commit(ctx)
}

// pool holds a template's emptied copies, under the names they wait by.
type pool struct {
	mu   sync.Mutex
	free []string
}

func (p *pool) take() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.free) == 0 {
		return ""
	}
	name := p.free[len(p.free)-1]
	p.free = p.free[:len(p.free)-1]
	return name
}

func (p *pool) put(name string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.free = append(p.free, name)
}

// lease gives the test database name: a copy given back, renamed, or a
// new copy of the template.
func (c *Cluster) lease(ctx context.Context, tpl *template, templateName, name string) error {
	id := pgx.Identifier{name}.Sanitize()
	for {
		old := tpl.pool.take()
		if old == "" {
			break
		}
		if err := c.exec(ctx, "ALTER DATABASE "+pgx.Identifier{old}.Sanitize()+" RENAME TO "+id); err == nil {
			return nil
		}
		c.drop(old)
	}
	return c.exec(ctx, "CREATE DATABASE "+id+" TEMPLATE "+pgx.Identifier{templateName}.Sanitize())
}

// giveBack ends every connection to the test's database name, renames it
// out of the test's reach, empties it back to the template and puts it in
// the pool; on any failure it drops it.
func (c *Cluster) giveBack(tpl *template, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	waiting := fmt.Sprintf("pgtest_pool_%d", c.seq.Add(1))
	err := c.exec(ctx, "SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity WHERE datname = "+quoteLiteral(name))
	if err == nil {
		err = c.exec(ctx, "ALTER DATABASE "+pgx.Identifier{name}.Sanitize()+" RENAME TO "+pgx.Identifier{waiting}.Sanitize())
	}
	if err != nil {
		c.drop(name)
		return
	}
	if err := tpl.snap.restore(ctx, c.DSN(waiting)); err != nil {
		c.drop(waiting)
		return
	}
	tpl.pool.put(waiting)
}

// drop drops the database name, best effort: the whole cluster is thrown
// away anyway.
func (c *Cluster) drop(name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = c.exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
}
