package main_test

import (
	"strings"
	"testing"
)

// TestFund_Commands: the demo's fund ledger and compliance, as text, JSON
// and CSV; every grant reconciles; a bad period is refused naming it.
func TestFund_Commands(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	type entry struct {
		Seq         int64  `json:"seq"`
		GrantID     string `json:"grant_id"`
		Account     string `json:"account"`
		AmountCents int64  `json:"amount_cents"`
	}
	es := decode[[]entry](t, ok(t, "fund", "ledger", "--json", "--data", data))
	sums := map[string]int64{}
	for i, e := range es {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i, e.Seq)
		}
		sums[e.Account] += e.AmountCents
	}
	// The city's grants (the second amended up by $20,000) and the
	// county's two, awarded in the report's quarter.
	if sums["award"] != 400_000_00+20_000_00+400_000_00+250_000_00 ||
		sums["commit"] != 12*15_000_00 || sums["spend"] <= 0 || sums["approve"] != 1_000_00 {
		t.Fatalf("the demo's ledger sums: %v", sums)
	}
	one := decode[[]entry](t, ok(t, "fund", "ledger", "--grant", es[0].GrantID, "--json", "--data", data))
	if len(one) == 0 || len(one) >= len(es) {
		t.Errorf("one grant's ledger: %d of %d entries", len(one), len(es))
	}
	if out := ok(t, "fund", "ledger", "--csv", "--data", data); !strings.Contains(out, "seq,id,grant_id") || strings.Count(out, "\r\n") != len(es)+1 {
		t.Errorf("ledger CSV:\n%s", out)
	}
	var invoiced string
	for _, e := range es {
		if e.Account == "approve" {
			invoiced = e.GrantID
		}
	}
	if out := ok(t, "fund", "invoices", "--grant", invoiced, "--csv", "--data", data); !strings.Contains(out, "id,grant_id,organization_id,period,amount,status") ||
		!strings.Contains(out, ",1000.00,") {
		t.Errorf("invoices CSV:\n%s", out)
	}
	if out := ok(t, "fund", "invoices", "--grant", invoiced, "--data", data); !strings.Contains(out, "1,000.00") {
		t.Errorf("invoices:\n%s", out)
	}
	type compliance struct {
		Lines []struct {
			Target string  `json:"target"`
			Share  float64 `json:"share_percent"`
			Met    bool    `json:"met"`
		} `json:"lines"`
		Grants []struct {
			Reconciles bool `json:"reconciles"`
		} `json:"grants"`
	}
	cp := decode[compliance](t, ok(t, "fund", "compliance", "--json", "--data", data))
	// Two sources (the city's and the county's) of three lines each; four grants.
	if len(cp.Lines) != 6 || cp.Lines[0].Target != "detained" || cp.Lines[0].Share <= 0 || len(cp.Grants) != 4 {
		t.Fatalf("compliance: %+v", cp)
	}
	for _, g := range cp.Grants {
		if !g.Reconciles {
			t.Errorf("a demo grant does not reconcile")
		}
	}
	if out := ok(t, "fund", "compliance", "--data", data); !strings.Contains(out, "At least 70% of this source for people in detention") {
		t.Errorf("compliance:\n%s", out)
	}
	if out := ok(t, "fund", "compliance", "--csv", "--data", data); !strings.HasPrefix(strings.TrimPrefix(out, "\ufeff"), "period,source_id") {
		t.Errorf("compliance CSV:\n%s", out)
	}
	if _, stderr, code := amparo(t, nil, "fund", "compliance", "--period", "2026-Q7", "--data", data); code == 0 || !strings.Contains(stderr, "period") {
		t.Errorf("a bad period: %d %s", code, stderr)
	}
}
