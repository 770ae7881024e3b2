package main

import (
	"context"
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"golang.org/x/sys/unix"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/web"
)

// Main holds what a command builds: its configuration, the database, and
// where it writes.
type Main struct {
	Config  Config
	DB      *sqldb.DB
	Keyring *envelope.Keyring
	Logger  *slog.Logger

	Stdout, Stderr io.Writer
	Getenv         func(string) string
	cmd            command // the command being run

	deploy    web.Deployment // how serve is reached
	tls       *tls.Config    // serve's own TLS, if any
	messaging *messaging     // serve's e-mail and SMS providers, if any
}

// Config is read from flags, then the environment, then defaults.
type Config struct {
	Data      string // data folder: the SQLite database and the master key file
	DB        string // sqlite:PATH or postgres://...
	Addr      string
	MasterKey string // path of the master key file
	// ErasureLog is the erasure log's path: default DATA/erasures.log.
	ErasureLog string
	// MetricsAddr is where /metrics is served, apart from the public
	// address; "" for nowhere.
	MetricsAddr string
	// A real deployment (deploy.go): the public address, the trusted
	// proxies (CIDR,...), and TLS served directly.
	PublicURL, TrustedProxies, TLSCert, TLSKey string
	// Messaging is the e-mail and SMS providers' (outbox.go).
	Messaging MessagingConfig
}

// dataFlags adds the flags of every command that touches data.
func (m *Main) dataFlags(fs *flag.FlagSet) {
	c := &m.Config
	fs.StringVar(&c.Data, "data", m.Getenv("AMPARO_DATA"), "data `folder` for the SQLite database and the master key (env AMPARO_DATA; default ./data)")
	fs.StringVar(&c.DB, "db", m.Getenv("AMPARO_DB"), "database `DSN`: sqlite:PATH or postgres://USER@HOST/DB (env AMPARO_DB; default sqlite:DATA/amparo.db)")
	fs.StringVar(&c.MasterKey, "master-key", m.Getenv("AMPARO_MASTER_KEY_FILE"), "master key `file` (env AMPARO_MASTER_KEY_FILE, or the key itself in AMPARO_MASTER_KEY; default DATA/master.key)")
	fs.StringVar(&c.ErasureLog, "erasure-log", m.Getenv("AMPARO_ERASURE_LOG"), "erasure log `file`, listing the clients erased for good so a restore erases them again; one shared by every process of a PostgreSQL deployment (env AMPARO_ERASURE_LOG; default DATA/erasures.log)")
}

func (m *Main) addrFlag(fs *flag.FlagSet) {
	def := m.Getenv("AMPARO_ADDR")
	if def == "" {
		def = "127.0.0.1:8080"
	}
	fs.StringVar(&m.Config.Addr, "addr", def, "`HOST:PORT` to listen on (env AMPARO_ADDR)")
	fs.StringVar(&m.Config.MetricsAddr, "metrics-addr", m.Getenv("AMPARO_METRICS_ADDR"),
		"`HOST:PORT` to serve Prometheus metrics on, apart from the public address (env AMPARO_METRICS_ADDR; default: none)")
}

// defaults fills in the data folder and the database of the configuration.
func (m *Main) defaults() {
	c := &m.Config
	if c.Data == "" {
		c.Data = "data"
	}
	if c.DB == "" {
		c.DB = "sqlite:" + filepath.Join(c.Data, "amparo.db")
	}
	if c.ErasureLog == "" {
		c.ErasureLog = filepath.Join(c.Data, "erasures.log")
	}
}

// open opens and migrates the database, creating the data folder and a
// master key on first use. On any error nothing is left changed on disk.
func (m *Main) open(ctx context.Context) error {
	c := &m.Config
	m.defaults()
	m.Logger = slog.New(slog.NewTextHandler(m.Stderr, nil))

	key, newKeyFile, err := m.masterKey()
	if err != nil {
		return err
	}
	if m.Keyring, err = envelope.New(key); err != nil {
		return err
	}
	if m.DB, err = sqldb.Open(c.DB, m.Keyring, m.Logger); err != nil {
		return err
	}
	if err := m.DB.Migrate(ctx); err != nil {
		return err
	}
	if newKeyFile != "" {
		if err := os.MkdirAll(filepath.Dir(newKeyFile), 0o700); err != nil {
			return fmt.Errorf("cannot create data folder: %v", err)
		}
		if err := envelope.WriteKeyFile(newKeyFile, key); err != nil {
			return fmt.Errorf("cannot write the master key file: %v", err)
		}
		m.Logger.Info("created a master key; back it up apart from the database", "file", newKeyFile)
	}
	m.DB.SetErasureLog(c.ErasureLog)
	return nil
}

// intakeKeySecret keys the people's duplicate-finding keys. The import
// command, the server's intake form and the store's rebuild of the keys
// must use the same one, or a person imported by one is not known to the
// others: the store derives it.
func (m *Main) intakeKeySecret() []byte { return m.DB.IntakeKeySecret() }

// masterKey finds the master key: AMPARO_MASTER_KEY, else the key file.
// When the default key file does not exist yet, it makes a new key and
// returns the path to write it to once the database accepts it.
func (m *Main) masterKey() (key []byte, newFile string, err error) {
	if s := m.Getenv("AMPARO_MASTER_KEY"); s != "" {
		k, err := envelope.DecodeKey(s)
		if err != nil {
			return nil, "", fmt.Errorf("AMPARO_MASTER_KEY: %v", err)
		}
		return k, "", nil
	}
	path := m.Config.MasterKey
	explicit := path != ""
	if !explicit {
		if err := checkDataDir(m.Config.Data); err != nil {
			return nil, "", err
		}
		path = filepath.Join(m.Config.Data, "master.key")
	}
	k, err := envelope.ReadKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) && !explicit {
		return envelope.GenerateMasterKey(), path, nil
	} else if errors.Is(err, fs.ErrNotExist) {
		return nil, "", fmt.Errorf("master key file %s does not exist (make one with amparo keys master --out %s)", path, path)
	} else if err != nil {
		return nil, "", fmt.Errorf("master key: %v", err)
	}
	return k, "", nil
}

// checkDataDir refuses a data folder that exists but is not a writable
// folder, without changing anything; a missing one is created later.
func checkDataDir(dir string) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("cannot use data folder %s: %v", dir, errors.Unwrap(err))
	case !fi.IsDir():
		return fmt.Errorf("cannot use data folder %s: it is a file, not a folder", dir)
	}
	if err := unix.Access(dir, unix.W_OK); err != nil {
		return fmt.Errorf("data folder %s is not writable: check its owner and permissions", dir)
	}
	return nil
}

// Close releases what the command opened.
func (m *Main) Close() {
	if m.DB != nil {
		m.DB.Close()
	}
}
