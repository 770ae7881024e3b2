package priority

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// randomApplicants makes n fictional applicants with facts in plausible
// proportions.
func randomApplicants(n int, seed uint64) []Applicant {
	rng := rand.New(rand.NewPCG(seed, 7))
	countries := []string{"SV", "HN", "HT", "NI", "VE", "MX", "GT", "UA", "SD", "", ""}
	apps := make([]Applicant, n)
	for i := range apps {
		f := Facts{
			TPSHolder:               rng.IntN(6) == 0,
			FacingRemoval:           rng.IntN(3) == 0,
			Detained:                rng.IntN(12) == 0,
			Country:                 countries[rng.IntN(len(countries))],
			UnaccompaniedMinor:      rng.IntN(30) == 0,
			Unhoused:                rng.IntN(10) == 0,
			TraffickingSurvivor:     rng.IntN(40) == 0,
			ViolenceSurvivor:        rng.IntN(15) == 0,
			AsylumSeeker:            rng.IntN(4) == 0,
			DACARecipient:           rng.IntN(8) == 0,
			ViolentFelonyConviction: rng.IntN(100) == 0,
		}
		if rng.IntN(3) == 0 {
			f.HearingDate = today.AddDate(0, 0, rng.IntN(400)-30)
		}
		apps[i] = Applicant{
			ID:       fmt.Sprintf("A%06d", i),
			IntakeAt: today.Add(-time.Duration(rng.IntN(2*365*24)) * time.Hour),
			Facts:    f,
		}
	}
	return apps
}

// policy20 is the council's policy grown to 20 rules, with the exclusion on.
func policy20(tb testing.TB) *Policy {
	src := strings.Replace(councilPolicy, "violent-felony off", "violent-felony", 1) + `
rule hearing-7 points 60 when hearing_within 7 days
rule hearing-180 points 5 when hearing_within 180 days and not detained
rule tps-ending-90 points 40 when tps_holder and tps_ending_within 90 days
rule tps-country points 5 when tps_country and not tps_holder
rule minor-detained tier 1 when unaccompanied_minor and detained
rule survivor-removal points 10 when (trafficking_survivor or violence_survivor) and facing_removal
rule asylum-hearing points 10 when asylum_seeker and hearing_within 60 days
rule daca-removal points 15 when daca_recipient and facing_removal
`
	p := mustPolicy(tb, src)
	if len(p.Rules) != 20 {
		tb.Fatalf("%d rules", len(p.Rules))
	}
	return p
}

// BenchmarkRank: the figure is 100,000 applicants under a 20-rule
// policy in under 1 s.
func BenchmarkRank(b *testing.B) {
	apps := randomApplicants(100_000, 42)
	p := policy20(b)
	tps := DefaultTPSTable()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Rank(p, tps, today, apps); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRerank: ranking again under a changed policy and comparing.
func BenchmarkRerank(b *testing.B) {
	apps := randomApplicants(100_000, 42)
	p := policy20(b)
	q := mustPolicy(b, strings.Replace(p.String(), "rule detained tier 2", "rule detained tier 1", 1))
	tps := DefaultTPSTable()
	before, _ := Rank(p, tps, today, apps)
	for b.Loop() {
		after, err := Rank(q, tps, today, apps)
		if err != nil {
			b.Fatal(err)
		}
		_ = Compare(before, after)
	}
}

// TestRank_Large checks a ranking of 100,000 people is complete and in
// order; how long it takes is BenchmarkRank's to say (no test asserts time:
// a loaded machine would fail it).
func TestRank_Large(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	apps := randomApplicants(100_000, 42)
	p := policy20(t)
	r, err := Rank(p, DefaultTPSTable(), today, apps)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Places)+len(r.Excluded) != len(apps) || len(r.Excluded) == 0 {
		t.Errorf("%d placed, %d excluded", len(r.Places), len(r.Excluded))
	}
	for i := 1; i < len(r.Places); i++ {
		if compare(p.TieBreaks, &r.Places[i-1], &r.Places[i]) >= 0 {
			t.Fatalf("places %d and %d out of order", i, i+1)
		}
	}
}
