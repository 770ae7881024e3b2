package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/amparo-project/amparo"
)

// sub is a subcommand of a command, such as keys root.
type sub struct {
	args, summary string
	run           func(ctx context.Context, m *Main, args []string) error
}

// dispatch runs the subcommand args[0] of m's command.
func (m *Main) dispatch(ctx context.Context, args []string, subs map[string]sub) error {
	if len(args) > 0 {
		if s, ok := subs[args[0]]; ok {
			m.cmd.name += " " + args[0]
			m.cmd.args, m.cmd.summary = s.args, s.summary
			return s.run(ctx, m, args[1:])
		}
	}
	names := make([]string, 0, len(subs))
	for n := range subs {
		names = append(names, n)
	}
	sort.Strings(names)
	if len(args) > 0 && (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
		fmt.Fprintf(m.Stdout, "Usage: amparo %s SUBCOMMAND [flags]\n\n%s.\n\nSubcommands:\n", m.cmd.name, capitalize(m.cmd.summary))
		for _, n := range names {
			fmt.Fprintf(m.Stdout, "  %-12s %s\n", n, subs[n].summary)
		}
		return nil
	}
	what := "a subcommand is required"
	if len(args) > 0 {
		what = fmt.Sprintf("unknown subcommand %q", args[0])
	}
	fmt.Fprintf(m.Stderr, "amparo %s: %s: one of %s (run amparo %s --help)\n", m.cmd.name, what, strings.Join(names, ", "), m.cmd.name)
	return errUsage
}

// system returns ctx acting as the operator: commands run on the server
// itself with its master key.
func system(ctx context.Context) context.Context {
	return amparo.NewContextWithActor(ctx, amparo.SystemActor)
}

// printJSON writes v as indented JSON.
func (m *Main) printJSON(v any) error {
	enc := json.NewEncoder(m.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// allPages gathers every item a Find method lists, size at a time, so
// that a command's list is never cut short: find gets an offset and a
// limit, and returns a page and the count of all.
func allPages[T any](size int, find func(offset, limit int) ([]T, int, error)) ([]T, error) {
	var all []T
	for {
		page, n, err := find(len(all), size)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if len(all) >= n || len(page) == 0 {
			return all, nil
		}
	}
}
