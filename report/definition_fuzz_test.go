package report

import (
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
	f.Fuzz(func(t *testing.T, text string) {
		d, err := ParseDefinitions(text, nil)
		if err != nil {
			if amparo.ErrorCode(err) != amparo.EINVALID {
				t.Fatalf("%q: %v", text, err)
			}
			return
		}
		for _, tb := range d.Tables {
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
