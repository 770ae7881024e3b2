package sqldb

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/amparo-project/amparo"
)

// Erasure is one client erased for good: IDs and a time, nothing that says
// who the client was. Each is kept twice outside the erased rows: in the
// erasures table (written in the erasing transaction) and as a line of the
// erasure log, a file apart from the database that an older backup cannot
// roll back.
type Erasure struct {
	ClientID       string    `json:"client_id"`
	OrganizationID string    `json:"organization_id"`
	ErasedAt       time.Time `json:"erased_at"`
}

// SetErasureLog makes every erasure also append a line to the erasure log
// at path (created 0600 on first use), synced to disk before the erasing
// transaction commits: a crash between the two leaves a line for an
// erasure that did not happen, never an erasure without its line. Several
// processes may share one log. Without a log, erasures are kept in the
// erasures table alone.
func (db *DB) SetErasureLog(path string) { db.erasureLog = path }

// appendErasure appends e to the erasure log at path as one JSON line,
// under an exclusive lock (several processes may share the file), and
// syncs it. A last line torn by a crash (no newline: its transaction never
// committed) is cut off first, so it never becomes a bad line in the middle.
func appendErasure(path string, e Erasure) error {
	line, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("cannot write the erasure log %s: %v", path, unwrapPath(err))
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write the erasure log %s: %v", path, unwrapPath(err))
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("cannot lock the erasure log %s: %v", path, err)
	}
	defer syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
	if err := cutTornLine(f); err != nil {
		return fmt.Errorf("cannot write the erasure log %s: %v", path, unwrapPath(err))
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("cannot write the erasure log %s: %v", path, unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot write the erasure log %s: %v", path, unwrapPath(err))
	}
	if fi, err := f.Stat(); err == nil && fi.Size() == int64(len(line)+1) {
		syncDir(filepath.Dir(path)) // the log's first line: its name must survive a crash too
	}
	return nil
}

// cutTornLine truncates f after its last newline.
func cutTornLine(f *os.File) error {
	fi, err := f.Stat()
	if err != nil || fi.Size() == 0 {
		return err
	}
	const chunk = 4096
	end := fi.Size()
	buf := make([]byte, chunk)
	for pos := end; pos > 0; {
		n := int64(min(chunk, pos))
		pos -= n
		if _, err := f.ReadAt(buf[:n], pos); err != nil {
			return err
		}
		if i := bytes.LastIndexByte(buf[:n], '\n'); i >= 0 {
			if cut := pos + int64(i) + 1; cut != end {
				return f.Truncate(cut)
			}
			return nil
		}
	}
	return f.Truncate(0)
}

// ReadErasureLog reads the erasure log at path.
func ReadErasureLog(path string) ([]Erasure, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read the erasure log %s: %w", path, unwrapPath(err))
	}
	defer f.Close()
	es, err := ParseErasureLog(f)
	if err != nil {
		return nil, fmt.Errorf("erasure log %s: %w", path, err)
	}
	return es, nil
}

// ParseErasureLog reads an erasure log: one JSON object a line, each with
// a client ID, an organization ID and a time. A last line without its
// newline is a write a crash cut short, before its transaction committed,
// and is left out; any other bad line is an error naming its number.
func ParseErasureLog(r io.Reader) ([]Erasure, error) {
	br := bufio.NewReader(r)
	var out []Erasure
	for n := 1; ; n++ {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return out, nil // a torn last line, or none
		} else if err != nil {
			return nil, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e Erasure
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, fmt.Errorf("line %d is not an erasure (want {\"client_id\":…,\"organization_id\":…,\"erased_at\":…}): %v", n, err)
		}
		if !amparo.IsID(e.ClientID) || !amparo.IsID(e.OrganizationID) || e.ErasedAt.IsZero() {
			return nil, fmt.Errorf("line %d is not an erasure: it needs a client_id and organization_id (32 hex digits) and an erased_at time", n)
		}
		out = append(out, e)
	}
}

// recordErasure keeps the erasure of the client id of organization orgID
// in the erasures table, and in the erasure log when the log is set.
func (tx *Tx) recordErasure(ctx context.Context, id, orgID string, toLog bool) error {
	if _, err := tx.exec(ctx, "INSERT INTO erasures (client_id, organization_id, erased_at) VALUES (?, ?, ?) ON CONFLICT (client_id) DO NOTHING",
		id, orgID, formatTime(tx.now)); err != nil {
		return err
	}
	if !toLog || tx.db.erasureLog == "" {
		return nil
	}
	// Last, so that the line is written only when everything else of the
	// erasure succeeded; the commit follows.
	return appendErasure(tx.db.erasureLog, Erasure{ClientID: id, OrganizationID: orgID, ErasedAt: tx.now})
}

// ReapplyErasures erases again every client of es the database still
// holds (it was restored from a backup older than their erasure), without
// writing the log again: the lines are there. It returns their IDs.
// amparo restore calls it, and serve at start, so that a database put
// back by hand from an older backup does not serve erased clients. A
// client erased meanwhile by another process is skipped.
func (db *DB) ReapplyErasures(ctx context.Context, es []Erasure) ([]string, error) {
	ctx = amparo.NewContextWithActor(ctx, amparo.SystemActor)
	var done []string
	seen := map[string]bool{}
	for _, e := range es {
		if seen[e.ClientID] {
			continue
		}
		seen[e.ClientID] = true
		var n int
		if err := db.db.QueryRowContext(ctx, db.dialect.rebind("SELECT COUNT(*) FROM clients WHERE id = ?"), e.ClientID).Scan(&n); err != nil {
			return done, err
		}
		if n == 0 {
			continue
		}
		if err := db.deleteClient(ctx, e.ClientID, false); amparo.ErrorCode(err) == amparo.ENOTFOUND {
			continue // erased meanwhile
		} else if err != nil {
			return done, fmt.Errorf("erasing client %s again: %w", e.ClientID, err)
		}
		done = append(done, e.ClientID)
	}
	return done, nil
}

// completeErasureLog appends to the erasure log at path every erasure of
// es and of the erasures table that it does not list yet, and returns how
// many it added.
func (db *DB) completeErasureLog(ctx context.Context, path string, es []Erasure) (int, error) {
	have, err := ReadErasureLog(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return 0, err
	}
	listed := map[string]bool{}
	for _, e := range have {
		listed[e.ClientID] = true
	}
	rows, err := db.db.QueryContext(ctx, "SELECT client_id, organization_id, erased_at FROM erasures ORDER BY erased_at, client_id")
	if err != nil {
		return 0, mapError(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e Erasure
		if err := rows.Scan(&e.ClientID, &e.OrganizationID, scanTime{&e.ErasedAt}); err != nil {
			return 0, err
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, e := range es {
		if listed[e.ClientID] {
			continue
		}
		listed[e.ClientID] = true
		if err := appendErasure(path, e); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync() // best effort where unsupported
		d.Close()
	}
}

// unwrapPath drops the path an *os.PathError repeats.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
