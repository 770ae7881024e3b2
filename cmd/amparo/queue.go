package main

import (
	"context"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/amparo-project/amparo/intake"
	"github.com/amparo-project/amparo/priority"
)

func runQueue(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("queue")
	m.dataFlags(fs)
	org := fs.String("org", "", "only this organization's applicants (`ID`)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	line, err := m.intake().Queue(system(ctx), *org, 0, 0)
	if err != nil {
		return err
	}
	p, q := line.Version, line.Queue
	if *asJSON {
		type entry struct {
			Place    int               `json:"place"`
			ID       string            `json:"applicant_id"`
			Tier     int               `json:"tier"`
			Points   int               `json:"points"`
			Reasons  []priority.Reason `json:"reasons"`
			Excluded []priority.Reason `json:"excluded,omitempty"`
		}
		out := []entry{}
		for _, pl := range append(q.Places, q.Excluded...) {
			out = append(out, entry{pl.Place, pl.ID, pl.Tier, pl.Points, pl.Reasons, pl.Excluded})
		}
		return m.printJSON(map[string]any{"policy_version": p.Version, "policy": q.Policy, "queue": out})
	}
	fmt.Fprintf(m.Stdout, "Policy %q (version %d); %d in line, %d excluded.\n", q.Policy, p.Version, len(q.Places), len(q.Excluded))
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "PLACE\tAPPLICANT\tNAME\tWHY")
	for _, pl := range q.Places {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", pl.Place, pl.ID, q.Applicants[pl.ID].LegalName, q.Explain(pl.ID))
	}
	return w.Flush()
}

func runPolicy(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"show":    {"[--tps]", "print the priority policy in force (and its TPS table)", policyShow},
		"set":     {"FILE --reason TEXT [--tps FILE]", "put a new priority policy (and TPS table) in force and say who moved in line", policySet},
		"history": {"", "list the policy's versions: who changed it, when and why", policyHistory},
	})
}

func policyShow(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("policy show")
	m.dataFlags(fs)
	tps := fs.Bool("tps", false, "also print the TPS designations table")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	p, err := m.DB.CurrentPolicy(system(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "# version %d, by %s: %s\n%s", p.Version, p.Author, p.Reason, p.Text)
	if *tps {
		fmt.Fprintf(m.Stdout, "\n# TPS designations\n%s", p.TPS)
	}
	return nil
}

func policySet(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("policy set")
	m.dataFlags(fs)
	reason := fs.String("reason", "", "why the policy changes (required)")
	tpsFile := fs.String("tps", "", "a TPS designations `file` (priority/tps.txt's format) to put in force with it")
	file, err := m.parseID(fs, args, "the policy FILE")
	if err != nil {
		return err
	}
	text, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	var tps []byte
	if *tpsFile != "" {
		if tps, err = os.ReadFile(*tpsFile); err != nil {
			return err
		}
	}
	pc, err := m.intake().ChangePolicy(system(ctx), string(text), string(tps), *reason)
	if err != nil {
		return err
	}
	if pc.RankErr != nil {
		return fmt.Errorf("policy version %d is in force, but who moved is unknown: %w", pc.Version.Version, pc.RankErr)
	}
	fmt.Fprintf(m.Stdout, "Policy version %d is in force. %s\n", pc.Version.Version, pc.Change)
	return nil
}

// intake is the workflow service of the queue, matches and policy.
func (m *Main) intake() *intake.Service {
	return &intake.Service{Applicants: m.DB, Policies: m.DB, Members: m.DB, Organizations: m.DB, Programs: m.DB,
		Conflicts: m.DB, Letters: m.DB}
}

func policyHistory(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("policy history")
	m.dataFlags(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	vs, err := m.DB.PolicyHistory(system(ctx))
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "VERSION\tWHEN\tBY\tWHY")
	for _, v := range vs {
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", v.Version, v.CreatedAt.Format("2006-01-02 15:04"), v.Author, v.Reason)
	}
	fmt.Fprintln(w, "0\t-\tAmparo\tthe policy Amparo ships")
	return w.Flush()
}
