package main

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
)

func runBackup(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("backup")
	m.dataFlags(fs)
	out := fs.String("out", "", "`file` to write the copy to; it must not exist")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "amparo backup: --out FILE is required (run amparo backup --help)")
		return errUsage
	}
	if _, err := os.Lstat(*out); err == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file", *out)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Wrote %s. It is readable only with the master key: back the key up separately.\n", *out)
	return nil
}

func runRestore(ctx context.Context, m *Main, args []string) error {
	flags := m.flags("restore")
	m.dataFlags(flags)
	from := flags.String("from", "", "backup `file` made by amparo backup")
	erasures := flags.String("erasures", "", "erasure log `file` to apply again (default: the --erasure-log, DATA/erasures.log)")
	if err := m.parse(flags, args); err != nil {
		return err
	}
	if *from == "" {
		fmt.Fprintln(m.Stderr, "amparo restore: --from FILE is required (run amparo restore --help)")
		return errUsage
	}
	m.defaults()
	if err := sqldb.CheckBackup(*from); err != nil {
		return err
	}
	// The backup is only readable with the key it was made with: a restore
	// never makes a new one.
	key, newKey, err := m.masterKey()
	if err != nil {
		return err
	} else if newKey != "" {
		return fmt.Errorf("no master key: a restore needs the key the backup was made with; put it at %s, or give --master-key FILE or AMPARO_MASTER_KEY_FILE", newKey)
	}
	if m.Keyring, err = envelope.New(key); err != nil {
		return err
	}
	logPath := *erasures
	if logPath == "" {
		logPath = m.Config.ErasureLog
	}
	es, err := sqldb.ReadErasureLog(logPath)
	noLog := *erasures == "" && errors.Is(err, fs.ErrNotExist)
	if err != nil && !noLog {
		return err
	}
	r, err := sqldb.Restore(ctx, *from, m.Config.DB, m.Keyring, es, m.Config.ErasureLog, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Restored %s into the %s database. %d clients open with the master key.\n", *from, r.Dialect, r.Clients)
	fmt.Fprintf(m.Stdout, "The audit trail is intact: %d events. Head: %s\n", r.Audit.Events, hex.EncodeToString(r.Audit.Head))
	switch {
	case noLog:
		fmt.Fprintf(m.Stdout, "No erasure log at %s: clients erased after this backup was made are back. Restore again with --erasures FILE if the log is elsewhere.\n", logPath)
	case len(r.Reapplied) == 0:
		fmt.Fprintf(m.Stdout, "Re-applied 0 erasures: none of the %d in %s is in this backup.\n", len(es), logPath)
	default:
		fmt.Fprintf(m.Stdout, "Re-applied %d erasures (clients erased after this backup was made, listed in %s): %s\n",
			len(r.Reapplied), logPath, strings.Join(r.Reapplied, ", "))
	}
	if r.Logged > 0 {
		fmt.Fprintf(m.Stdout, "Added %d erasures to the erasure log %s, for the next restore.\n", r.Logged, m.Config.ErasureLog)
	}
	return nil
}

// reapplyErasures erases again, at start-up, the clients of the erasure
// log that the database holds: it was put back from an older backup
// without amparo restore. The operator is told, by ID.
func (m *Main) reapplyErasures(ctx context.Context) error {
	es, err := sqldb.ReadErasureLog(m.Config.ErasureLog)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	ids, err := m.DB.ReapplyErasures(ctx, es)
	if len(ids) > 0 {
		m.Logger.Warn("erased again clients the erasure log lists: the database was put back from an older backup", "count", len(ids), "clients", strings.Join(ids, ","))
	}
	return err
}
