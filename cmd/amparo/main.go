// Command amparo runs Amparo: the server, the demo, migrations and the
// operator's tools. main only reads configuration and wires the packages
// together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	// Letters are valid by day in the program's time zone: the binary
	// carries the zone database, for machines without one.
	_ "time/tzdata"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name, args, summary string
	run                 func(ctx context.Context, m *Main, args []string) error
}

var commands = []command{
	{"demo", "[--addr HOST:PORT] [--data DIR]", "seed a fictional program in a fresh data folder and serve it", runDemo},
	{"serve", "[--addr HOST:PORT] [--data DIR] [--db DSN]", "serve the web app", runServe},
	{"migrate", "[--data DIR] [--db DSN]", "apply pending database migrations and exit", runMigrate},
	{"backup", "--out FILE [--data DIR] [--db DSN]", "write a consistent copy of the database (SQLite or PostgreSQL), safe while serving", runBackup},
	{"restore", "--from FILE [--data DIR] [--db DSN] [--erasures FILE]", "restore a backup into an empty data folder or database, and erase again the clients erased since", runRestore},
	{"keys", "master|root|org|revoke|list ...", "manage the master key and the signing keys of the program and its organizations", runKeys},
	{"trust", "sign|request|import|export ...", "sign, import and export the trust list that verifiers check letters against", runTrust},
	{"letter", "list|show|issue|renew|revoke|phone|pdf|card|print ...", "list, issue, renew and revoke letters of representation; their phone pages; print them and their wallet cards", runLetter},
	{"import", "intakes FILE.csv --org ID [--partial] [--dry-run]", "import intakes from a CSV file, all or nothing", runImport},
	{"queue", "[--org ID] [--json]", "rank the people waiting, under the priority policy, with the reasons", runQueue},
	{"policy", "show|set|history", "read and change the priority policy", runPolicy},
	{"invite", "--email EMAIL [--role ROLE] [--org ID]", "make an invitation link: how the first program administrator gets an account", runInvite},
	{"audit", "verify", "check the audit trail's hash chain", runAudit},
	{"workshops", "list|attendance|forget ...", "list workshops, read a workshop's attendance, erase its attendees' details", runWorkshops},
	{"fund", "ledger|compliance ...", "read the defense fund's ledger and compute its compliance for a period", runFund},
	{"jobs", "list|retry ...", "see the job queue the server processes run, and retry a failed job", runJobs},
	{"alerts", "list|show ...", "list rapid-response alerts and show one's timeline (no names or numbers)", runAlerts},
	{"report", "release|approve|show ...", "release the council's public report of a period, approve it, show a release (JSON, CSV, PDF)", runReport},
	{"outbox", "status|retry ...", "count the messages waiting to be sent or failed, and send a failed one again", runOutbox},
	{"verify", "[TEXT] [--image FILE] [--pdf FILE] [--trust FILE|URL] [--json]", "check a letter's QR code offline", runVerify},
	{"screen", "vendor \"NAME\" --org ID [--uei X] [--ein X] [--json] | file VENDORS.csv --org ID [--out RESULTS.csv] [--json] [--partial]", "screen vendors against the border-wall registry and the policy in force", runScreen},
	{"names", "compare \"NAME A\" \"NAME B\" [--dob-a DATE] [--dob-b DATE] [--json]", "compare two names as the conflict check does, and say why", runNames},
	{"version", "", "print the version", runVersion},
}

// errUsage means the command line was wrong; the message was printed.
var errUsage = errors.New("usage")

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		usage(stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		m := &Main{Stdout: stdout, Stderr: stderr, Getenv: os.Getenv, cmd: c}
		err := c.run(ctx, m, args[1:])
		m.Close()
		switch {
		case err == nil, errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			return 2
		case errors.Is(err, errNotValid), errors.Is(err, errBadRows):
			return 1 // what was wrong is printed
		}
		fmt.Fprintf(stderr, "amparo %s: %v\n", c.name, err)
		return 1
	}
	fmt.Fprintf(stderr, "amparo: unknown command %q (run amparo help)\n", args[0])
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Amparo runs a city's legal-protection program for immigrants.\n\nUsage: amparo COMMAND [flags]\n\nCommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-8s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun amparo COMMAND --help for a command's flags.")
}

// flags returns a flag set for cmd that reports a bad flag in one line.
func (m *Main) flags(cmd string) *flag.FlagSet {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parse parses args, which hold flags only; --help prints the command's
// usage.
func (m *Main) parse(fs *flag.FlagSet, args []string) error {
	_, err := m.parseArgs(fs, args, 0)
	return err
}

// parseArgs parses flags and up to max arguments, in any order.
func (m *Main) parseArgs(fs *flag.FlagSet, args []string, max int) ([]string, error) {
	var pos []string
	for {
		err := fs.Parse(args)
		if errors.Is(err, flag.ErrHelp) {
			m.printUsage(fs)
			return nil, err
		} else if err != nil {
			fmt.Fprintf(m.Stderr, "amparo %s: %v (run amparo %s --help)\n", fs.Name(), err, fs.Name())
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
		if len(pos) > max {
			fmt.Fprintf(m.Stderr, "amparo %s: unexpected argument %.60q (run amparo %s --help)\n", fs.Name(), pos[len(pos)-1], fs.Name())
			return nil, errUsage
		}
	}
}

// parseID parses flags and the one required ID argument.
func (m *Main) parseID(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := m.parseArgs(fs, args, 1)
	if err != nil {
		return "", err
	} else if len(pos) == 0 {
		fmt.Fprintf(m.Stderr, "amparo %s: %s is required (run amparo %s --help)\n", fs.Name(), what, fs.Name())
		return "", errUsage
	}
	return pos[0], nil
}

func (m *Main) printUsage(fs *flag.FlagSet) {
	fmt.Fprintf(m.Stdout, "Usage: amparo %s %s\n\n%s.\n\nFlags:\n", m.cmd.name, m.cmd.args, capitalize(m.cmd.summary))
	fs.SetOutput(m.Stdout)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
