package report

import (
	"slices"
	"testing"

	"github.com/amparo-project/amparo"
)

// FuzzParseDefinitions: any text is parsed or refused with an EINVALID
// naming a line, never a panic; what parses names only known metrics and
// dimensions.
func FuzzParseDefinitions(f *testing.F) {
	f.Add(councilText)
	f.Add("grain quarter\ntable a\n  metric letters.issued\n  by organization language\n  population x\n")
	f.Add("grain month\ntable a\n  metric alerts.raised\n  by organization ack_time\n  population x\n  denominator y\n  percent organization\n  pending pending\n")
	f.Add("grain quarter\ntable c\n  metric fund.cases\n  by source detention\n  population x\ntable m\n  metric fund.spent\n  by source detention\n  population y\n  money c\n  per case\n  unit z\n  floors detained\n")
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ParseDefinitions(text, nil)
		if err != nil {
			if amparo.ErrorCode(err) != amparo.EINVALID {
				t.Fatalf("%q: %v", text, err)
			}
			return
		}
		for _, tb := range d.Tables {
			if tb.Money != "" && tb.Money != MoneyPublic && !slices.ContainsFunc(d.Tables, func(c Definition) bool {
				return c.Name == tb.Money && c.Money == "" && slices.Equal(c.Dims, tb.Dims)
			}) {
				t.Fatalf("%q: money table %s without its count table", text, tb.Name)
			}
			dims := amparo.ReportMetrics[tb.Metric]
			for _, x := range tb.Dims {
				found := false
				for _, y := range dims {
					found = found || x == y
				}
				if !found {
					t.Fatalf("%q: dimension %q of %s accepted", text, x, tb.Metric)
				}
			}
		}
	})
}
