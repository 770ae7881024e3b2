package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/screening"
)

func runScreen(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"vendor": {"\"NAME\" --org ID [--uei X] [--ein X] [--json] [--lang en|es]", "screen one vendor against the border-wall registry and the policy in force", screenVendor},
		"file":   {"VENDORS.csv --org ID [--out RESULTS.csv] [--json] [--partial] [--lang en|es]", "screen a CSV file of vendors, all or nothing unless --partial", screenFile},
	})
}

// screenHitJSON is a hit as `screen --json` prints it; scripts rely on
// its names.
type screenHitJSON struct {
	Entity         string              `json:"entity"`
	EntityName     string              `json:"entity_name"`
	MatchedName    string              `json:"matched_name"`
	Score          float64             `json:"score"`
	Decision       string              `json:"decision"`
	Features       []string            `json:"features"`
	Related        []screening.Related `json:"related,omitempty"`
	Policy         []string            `json:"policy,omitempty"`
	Contradictions []string            `json:"contradictions,omitempty"`
	Reviewed       string              `json:"reviewed,omitempty"` // confirmed, false_positive; "" if not or no longer valid
	ReviewReason   string              `json:"review_reason,omitempty"`
	AskedAgain     bool                `json:"asked_again,omitempty"` // decided on an older registry entry
}

type screenJSON struct {
	Vendor          string          `json:"vendor"`
	VendorID        string          `json:"vendor_id"`
	Screening       string          `json:"screening"`
	RegistryVersion int             `json:"registry_version"`
	RegistryHash    string          `json:"registry_hash"`
	PolicyVersion   int             `json:"policy_version"`
	Algorithm       string          `json:"algorithm"`
	ResultHash      string          `json:"result_hash"`
	Affidavit       string          `json:"affidavit,omitempty"` // what the vendor's affidavit declares: none, work; "" if it filed none
	Hits            []screenHitJSON `json:"hits"`
}

func msgText(cat *locale.Catalog, lang string, m amparo.Msg) string {
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		switch v := a.(type) {
		case amparo.Msg:
			a = msgText(cat, lang, v)
		case map[string]any: // read back from JSON
			key, _ := v["Key"].(string)
			inner, _ := v["Args"].([]any)
			a = msgText(cat, lang, amparo.Msg{Key: key, Args: inner})
		}
		args[i] = a
	}
	return cat.T(lang, m.Key, args...)
}

func reportJSON(cat *locale.Catalog, lang string, r *screening.Report) screenJSON {
	sc := r.Screening
	out := screenJSON{Vendor: r.Outcome.Vendor.Names[0], VendorID: sc.VendorID, Screening: sc.ID, RegistryVersion: sc.RegistryVersion,
		RegistryHash: sc.RegistryHash, PolicyVersion: sc.PolicyVersion, Algorithm: sc.Algorithm, ResultHash: sc.ResultHash,
		Affidavit: r.Outcome.Affidavit, Hits: []screenHitJSON{}}
	for i, h := range r.Outcome.Hits {
		j := screenHitJSON{Entity: h.EntityID, EntityName: h.EntityName, MatchedName: h.Name, Score: h.Result.Score,
			Decision: h.Result.Decision.String(), Features: []string{}, Related: h.Related}
		for _, f := range h.Result.Features {
			j.Features = append(j.Features, cat.T(lang, f.Key, f.Args...))
		}
		for _, f := range h.Findings {
			j.Policy = append(j.Policy, msgText(cat, lang, f.Summary))
		}
		for _, c := range h.Contradictions {
			j.Contradictions = append(j.Contradictions, msgText(cat, lang, c))
		}
		if rv := r.Decisions[i]; rv.Decision != nil {
			if rv.Reused {
				j.Reviewed, j.ReviewReason = string(rv.Decision.Verdict), rv.Decision.Reason
			} else {
				j.AskedAgain = true
			}
		}
		out.Hits = append(out.Hits, j)
	}
	return out
}

func (m *Main) screening() *screening.Service {
	return screening.NewService(m.DB, m.DB, m.DB, m.DB)
}

func screenVendor(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("screen vendor")
	m.dataFlags(fs)
	org := fs.String("org", "", "the organization `ID` whose vendor it is (required)")
	uei := fs.String("uei", "", "the vendor's SAM.gov `UEI`")
	ein := fs.String("ein", "", "the vendor's `EIN`")
	asJSON := fs.Bool("json", false, "print JSON")
	lang := fs.String("lang", "en", "`language` of the explanations: en or es")
	name, err := m.parseID(fs, args, "the vendor's NAME")
	if err != nil {
		return err
	}
	if *org == "" {
		fmt.Fprintln(m.Stderr, "amparo screen vendor: --org ID is required (run amparo screen vendor --help)")
		return errUsage
	}
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	l := cat.Match(*lang, "")
	v := &amparo.Vendor{OrganizationID: *org, Name: name}
	for k, s := range map[amparo.RegistryIdentifierKind]string{amparo.RegistryUEI: *uei, amparo.RegistryEIN: *ein} {
		if s != "" {
			v.Identifiers = append(v.Identifiers, amparo.RegistryIdentifier{Kind: k, Value: s})
		}
	}
	if err := v.Validate(); err != nil {
		fmt.Fprintf(m.Stderr, "amparo screen vendor: %s\n", localized(cat, l, err))
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	r, err := m.screening().ScreenNamed(system(ctx), v)
	if err != nil {
		return err
	}
	out := reportJSON(cat, l, r)
	if *asJSON {
		return m.printJSON(out)
	}
	printReport(m, cat, l, out)
	return nil
}

func printReport(m *Main, cat *locale.Catalog, lang string, r screenJSON) {
	fmt.Fprintf(m.Stdout, "%s: %d\n", r.Vendor, len(r.Hits))
	for _, h := range r.Hits {
		fmt.Fprintf(m.Stdout, "  %s (%s) %.2f %s\n", h.EntityName, h.Entity, h.Score, strings.ToUpper(cat.T(lang, "screen.match.decision."+strings.ReplaceAll(h.Decision, " ", "_"))))
		for _, f := range h.Features {
			fmt.Fprintf(m.Stdout, "    - %s\n", f)
		}
		for _, rel := range h.Related {
			fmt.Fprintf(m.Stdout, "    ~ %s\n", cat.T(lang, "screen.web.related_one", rel.Name, cat.T(lang, "screen.policy.via."+rel.Via)))
		}
		for _, p := range h.Policy {
			fmt.Fprintf(m.Stdout, "    * %s\n", p)
		}
		for _, c := range h.Contradictions {
			fmt.Fprintf(m.Stdout, "    ! %s\n", c)
		}
		if h.Reviewed != "" {
			fmt.Fprintf(m.Stdout, "    = %s: %s\n", cat.T(lang, "screen.web.verdict."+h.Reviewed), h.ReviewReason)
		}
	}
	fmt.Fprintf(m.Stdout, "screening %s: registry v%d, policy v%d, %s, sha256 %s\n", r.Screening, r.RegistryVersion, r.PolicyVersion, r.Algorithm, r.ResultHash)
}

func screenFile(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("screen file")
	m.dataFlags(fs)
	org := fs.String("org", "", "the organization `ID` whose vendors these are (required)")
	outPath := fs.String("out", "", "write the results as CSV to `FILE`")
	asJSON := fs.Bool("json", false, "print JSON")
	partial := fs.Bool("partial", false, "screen the good rows even if others are bad")
	lang := fs.String("lang", "en", "`language` of the messages: en or es")
	file, err := m.parseID(fs, args, "the CSV FILE")
	if err != nil {
		return err
	}
	if *org == "" {
		fmt.Fprintln(m.Stderr, "amparo screen file: --org ID is required (run amparo screen file --help)")
		return errUsage
	}
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	l := cat.Match(*lang, "")
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := m.open(ctx); err != nil {
		return err
	}
	ctx = amparo.NewContextWithActor(ctx, amparo.Actor{ID: amparo.SystemActor.ID, Role: amparo.RoleSystem, OrganizationID: *org})
	bar := newProgress(m.Stderr)
	bar.unit = "vendors"
	rep, err := m.screening().ScreenFile(ctx, f, screening.ImportOptions{Partial: *partial}, bar.set)
	bar.finish()
	var list screening.ImportErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(m.Stderr, e.Text(cat, l))
		}
		return errBadRows
	} else if err != nil {
		return err
	}
	for _, e := range rep.Errors {
		fmt.Fprintln(m.Stderr, e.Text(cat, l))
	}
	var all []screenJSON
	for _, r := range rep.Reports {
		all = append(all, reportJSON(cat, l, r))
	}
	if *outPath != "" {
		if err := writeScreenCSV(*outPath, cat, l, rep.Reports); err != nil {
			return err
		}
	}
	if *asJSON {
		return m.printJSON(all)
	}
	hits := 0
	for _, r := range all {
		if len(r.Hits) > 0 {
			hits++
		}
	}
	fmt.Fprintf(m.Stdout, "Screened %d vendors: %d with possible matches; %d rows skipped for errors.\n", len(all), hits, len(rep.Errors))
	return nil
}

// writeScreenCSV writes the results CSV (screening.WriteResultsCSV).
func writeScreenCSV(path string, cat *locale.Catalog, lang string, reports []*screening.Report) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if err := screening.WriteResultsCSV(f, reports, func(m amparo.Msg) string { return msgText(cat, lang, m) }); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
