package priority

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParsePolicy: the parser never panics; every error names a line and a
// column inside the source; every policy it accepts writes back in canonical
// form and parses again to the same policy, and ranks without panicking.
//
//	go test -run '^$' -fuzz FuzzParsePolicy -fuzztime 20s ./priority/
func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{
		councilPolicy, "", "#", "policy \"x\"", "rule a tier 1 when detained",
		"rule a points -5 off when not (hearing_within 30 days or tps_ending_within 0) and unhoused \"Why \\\"so\\\"\"",
		"exclude x when violent_felony_conviction\ntiebreak hearing intake",
		"rule a tier 1 when ((detained)", "rule a tier 1 when detained)\r\nrule b", "\uFEFFrule ñ tier 1 when x",
		"rule a tier 1 when \"", "tiebreak", "rule a tier 99 points 100000 when not not not tps_country",
	} {
		f.Add(s)
	}
	apps := randomApplicants(20, 9)
	tps := DefaultTPSTable()
	f.Fuzz(func(t *testing.T, src string) {
		p, err := ParsePolicy(src)
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || len(list) == 0 || len(list) > maxErrors {
				t.Fatalf("error %T %v", err, err)
			}
			lines := strings.Split(src, "\n")
			for _, e := range list {
				if e.Line < 1 || e.Line > len(lines) || e.Col < 1 || e.Col > len([]rune(lines[e.Line-1]))+1 || e.Msg == "" {
					t.Fatalf("error outside the source: %v (%d lines)", e, len(lines))
				}
			}
			return
		}
		q, err := ParsePolicy(p.String())
		if err != nil {
			t.Fatalf("canonical form does not parse: %v\n%s", err, p)
		}
		if !samePolicy(p, q) {
			t.Fatalf("round trip changed the policy:\n%s\n---\n%s", p, q)
		}
		r, err := Rank(p, tps, today, apps)
		if err != nil || len(r.Places)+len(r.Excluded) != len(apps) {
			t.Fatalf("rank: %v", err)
		}
	})
}
