package report

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
)

func TestCouncil_Parses(t *testing.T) {
	d := Council()
	if d.Grain != "quarter" || len(d.Tables) < 10 {
		t.Fatalf("council: grain %q, %d tables", d.Grain, len(d.Tables))
	}
	for _, tb := range d.Tables {
		if tb.Population == "" {
			t.Errorf("%s: no population", tb.Name)
		}
	}
}

func TestParseDefinitions_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name, text, field, want string
	}{
		{"UnknownDimension", "grain quarter\ntable a\n  metric letters.issued\n  by organization country\n  population x\n", "line 4", `no dimension "country"`},
		{"UnknownMetric", "grain quarter\ntable a\n  metric letters.mailed\n", "line 3", `no metric "letters.mailed"`},
		{"PercentWithoutDenominator", "grain quarter\ntable a\n  metric queue.waiting\n  by organization waited\n  population x\n  percent organization\n", "line 2", "denominator"},
		{"NoPopulation", "grain quarter\ntable a\n  metric intakes.received\n  by organization\n", "line 2", "population"},
		{"NoGrain", "table a\n  metric intakes.received\n  by organization\n  population x\n", "line 1", "grain"},
		{"UnknownWord", "grain quarter\ntable a\n  filter organization\n", "line 3", `unknown word "filter"`},
		{"CollapseWithoutRule", "grain quarter\ntable a\n  metric queue.waiting\n  by organization waited\n  collapse waited\n", "line 5", "no collapse rule"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseDefinitions(tc.text, nil)
			var e *amparo.Error
			if err == nil || !asError(err, &e) || e.Code != amparo.EINVALID || e.Field != tc.field || !strings.Contains(e.Message, tc.want) || e.Key == "" {
				t.Fatalf("got %v (%+v), want %s: …%s…", err, e, tc.field, tc.want)
			}
		})
	}
}

type fundSource struct{}

func (fundSource) ReportDimensions(m amparo.ReportMetric) ([]string, bool) {
	if m == "fund.bonds" {
		return []string{"organization", "detention"}, true
	}
	return nil, false
}
func (fundSource) CountReport(_ context.Context, _ amparo.ReportMetric, _ amparo.ReportPeriod) ([]amparo.ReportRow, error) {
	return nil, nil
}

func TestParseDefinitions_SourceMetrics(t *testing.T) {
	text := "grain quarter\ntable bonds\n  metric fund.bonds\n  by organization detention\n  population bonds paid for funded cases\n"
	if _, err := ParseDefinitions(text, nil); err == nil {
		t.Fatal("a fund metric without the fund's source was accepted")
	}
	if _, err := ParseDefinitions(text, fundSource{}); err != nil {
		t.Fatal(err)
	}
}

func asError(err error, e **amparo.Error) bool { return errors.As(err, e) }
