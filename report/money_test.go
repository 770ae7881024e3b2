package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/disclosure"
)

// fundStore is a memStore with the fund's floors.
type fundStore struct{ *memStore }

func (fundStore) FundReportFloors(context.Context) ([]amparo.ReportFloor, error) {
	return []amparo.ReportFloor{{Source: "City of Ejemplo", Target: "detained", Percent: 70}, {Source: "County of Ejemplo", Target: "detained", Percent: 50},
		{Source: "City of Ejemplo", Target: "line indirect", Percent: 10, Ceiling: true}}, nil
}

// randomFund adds the fund's metrics to counts: cases and their spending
// by source, organization, group and detention (small groups among
// them), outcomes and the spending on closed cases.
func randomFund(rng *rand.Rand, counts map[amparo.ReportMetric][]amparo.ReportRow) {
	sources := []string{"City of Ejemplo", "County of Ejemplo", "Fundación Ficticia"}
	groups := []string{"tps", "detained", "minor", "none"}
	for si, src := range sources {
		for o := range 6 {
			org := fmt.Sprintf("Organización Ficticia %02d", o)
			counts[amparo.MetricFundAwarded] = append(counts[amparo.MetricFundAwarded], amparo.ReportRow{Keys: []string{src, org}, Count: int64(100_000_00 * (si + 1))})
			for _, g := range groups {
				for _, d := range amparo.DetentionBuckets {
					n := rng.Int64N(40)
					if rng.IntN(3) == 0 {
						n = rng.Int64N(5)
					}
					if n == 0 {
						continue
					}
					k := []string{src, org, g, d}
					counts[amparo.MetricFundCases] = append(counts[amparo.MetricFundCases], amparo.ReportRow{Keys: k, Count: n})
					counts[amparo.MetricFundSpent] = append(counts[amparo.MetricFundSpent], amparo.ReportRow{Keys: k, Count: n * (50_000 + rng.Int64N(300_000))})
				}
			}
		}
	}
	for _, g := range groups {
		for _, d := range amparo.DetentionBuckets {
			for _, oc := range amparo.OutcomeBuckets {
				n := rng.Int64N(60)
				if rng.IntN(3) == 0 {
					n = rng.Int64N(5)
				}
				if n == 0 {
					continue
				}
				k := []string{g, d, oc}
				counts[amparo.MetricFundOutcomes] = append(counts[amparo.MetricFundOutcomes], amparo.ReportRow{Keys: k, Count: n})
				if oc != amparo.OutcomePendingCat {
					counts[amparo.MetricFundClosedSpent] = append(counts[amparo.MetricFundClosedSpent], amparo.ReportRow{Keys: k, Count: n * (200_000 + rng.Int64N(900_000))})
				}
			}
		}
	}
}

// TestService_Release_Fund: releases with the fund's tables over many
// random quarters publish no count in 1..k−1; each money cell is
// published exactly where its count cell is, with the true sum in cents;
// no margin equation of a money table leaves a lone suppressed cell; a
// cost per case is its money over its count; the compliance share is
// the detained money over the source's; and the CSV carries the same
// values as the JSON.
func TestService_Release_Fund(t *testing.T) {
	suppressedMoney = 0
	defer func() {
		if suppressedMoney == 0 {
			t.Error("no money cell was suppressed: the fixture tests nothing")
		}
	}()
	for seed := range uint64(12) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
			rng := rand.New(rand.NewPCG(seed, 3))
			st := &memStore{counts: map[string]map[amparo.ReportMetric][]amparo.ReportRow{}, releases: map[string]*amparo.ReportRelease{}, now: now}
			total := map[string]int64{}
			for _, p := range []string{"2026-Q2", "2026-Q3"} {
				st.counts[p] = randomCounts(rng, total)
				randomFund(rng, st.counts[p])
			}
			s := &Service{Store: fundStore{st}, Now: func() time.Time { return now }}
			if _, err := s.Release(context.Background(), "2026-Q2", true); err != nil {
				t.Fatal(err)
			}
			r, err := s.Release(context.Background(), "2026-Q3", false)
			if err != nil {
				t.Fatal(err)
			}
			d, err := Decode(r)
			if err != nil {
				t.Fatal(err)
			}
			checkFundDocument(t, d, st.counts["2026-Q3"])
		})
	}
}

var suppressedMoney int

func checkFundDocument(t *testing.T, d *Document, counts map[amparo.ReportMetric][]amparo.ReportRow) {
	t.Helper()
	byName := map[string]*Table{}
	for i := range d.Tables {
		byName[d.Tables[i].Name] = &d.Tables[i]
	}
	for _, name := range []string{"fund-awarded", "fund-spent", "fund-spent-source", "fund-spent-detention", "fund-spent-detention-compliance",
		"fund-outcomes", "fund-outcomes-pending", "fund-closed-spent", "fund-closed-spent-group"} {
		if tb := byName[name]; tb == nil || tb.Empty || len(tb.Cells) == 0 {
			t.Fatalf("table %s missing or empty", name)
		}
	}
	for _, tb := range d.Tables {
		for _, c := range tb.Cells {
			if c.Count != nil && *c.Count > 0 && *c.Count < d.MinCount {
				t.Errorf("%s %v: published small count %d", tb.Name, c.Key, *c.Count)
			}
			if c.Suppressed && (c.Count != nil || c.Percent != nil || c.Cents != nil || c.PerCents != nil || c.Met != nil) {
				t.Errorf("%s %v: a suppressed cell shows a value", tb.Name, c.Key)
			}
		}
		if tb.MoneyOf == "" || tb.MoneyOf == MoneyPublic {
			continue
		}
		ct := byName[tb.MoneyOf]
		if len(ct.Cells) != len(tb.Cells) {
			t.Fatalf("%s: %d cells, its count table %d", tb.Name, len(tb.Cells), len(ct.Cells))
		}
		def := Council().Tables[slices.IndexFunc(Council().Tables, func(x Definition) bool { return x.Name == tb.Name })]
		rows := project(counts[def.Metric], def)
		for i, c := range tb.Cells {
			cc := ct.Cells[i]
			if !slices.Equal(c.Key, cc.Key) || c.Suppressed != cc.Suppressed {
				t.Fatalf("%s %v: suppressed %v, its count cell %v %v", tb.Name, c.Key, c.Suppressed, cc.Key, cc.Suppressed)
			}
			if c.Suppressed {
				suppressedMoney++
				continue
			}
			if want := sumAt(rows, c.Key); c.Cents == nil || *c.Cents != want {
				t.Fatalf("%s %v: cents %v, want %d", tb.Name, c.Key, c.Cents, want)
			}
			if def.Per == "case" && *cc.Count > 0 && (c.PerCents == nil || *c.PerCents != (*c.Cents+*cc.Count/2) / *cc.Count) {
				t.Errorf("%s %v: per case %v of %d / %d", tb.Name, c.Key, c.PerCents, *c.Cents, *cc.Count)
			}
		}
		// No equation of the money table's grid (a margin and the cells
		// it sums) has exactly one suppressed cell: a lone one would be
		// the margin less the published.
		cats := [][]string{}
		for _, dm := range tb.Dims {
			cats = append(cats, dm.Categories)
		}
		supp := map[string]bool{}
		for _, c := range tb.Cells {
			supp[keyOf(c.Key)] = c.Suppressed
		}
		for dim := range cats {
			eachKey(cats, func(key []string) {
				if key[dim] != disclosure.Total {
					return
				}
				n := 0
				for _, x := range append(slices.Clone(cats[dim]), disclosure.Total) {
					k := slices.Clone(key)
					k[dim] = x
					if supp[keyOf(k)] {
						n++
					}
				}
				if n == 1 {
					t.Errorf("%s: the equation of %v over %s has a lone suppressed cell", tb.Name, key, tb.Dims[dim].Name)
				}
			})
		}
	}
	comp := byName["fund-spent-detention-compliance"]
	money := byName["fund-spent-detention"]
	for _, c := range comp.Cells {
		if c.Floor == nil || len(c.Key) != 1 {
			t.Fatalf("compliance cell %+v", c)
		}
		if c.Percent == nil {
			continue
		}
		var on, all int64
		for _, m := range money.Cells {
			if m.Key[0] == c.Key[0] && m.Key[1] == "detained" {
				on = *m.Cents
			}
			if m.Key[0] == c.Key[0] && m.Key[1] == disclosure.Total {
				all = *m.Cents
			}
		}
		if want := float64(on) * 100 / float64(all); *c.Percent-want > 0.051 || want-*c.Percent > 0.051 || *c.Met != (on*100 >= int64(*c.Floor)*all) {
			t.Errorf("compliance %v: %v%% met %v, want %v%% of %d/%d", c.Key, *c.Percent, *c.Met, want, on, all)
		}
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, d); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	i := 1
	for _, tb := range d.Tables {
		for _, c := range tb.Cells {
			rec := recs[i]
			i++
			if rec[0] != tb.Name || rec[5] != FormatCount(c) || rec[10] != FormatCents(c.Cents) || rec[11] != FormatCents(c.PerCents) || rec[12] != FormatFloor(c) || rec[14] != FormatMet(c) {
				t.Fatalf("CSV row %d %v differs from JSON %s %+v", i, rec, tb.Name, c)
			}
		}
	}
}
