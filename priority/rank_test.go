package priority

import (
	"strings"
	"testing"
	"time"
)

var today = time.Date(2025, 7, 15, 9, 30, 0, 0, time.UTC)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustPolicy(t testing.TB, src string) *Policy {
	t.Helper()
	p, err := ParsePolicy(src)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustRank(t testing.TB, p *Policy, apps []Applicant) *Ranking {
	t.Helper()
	r, err := Rank(p, DefaultTPSTable(), today, apps)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(pls []Placement) string {
	var s []string
	for _, p := range pls {
		s = append(s, p.ID)
	}
	return strings.Join(s, " ")
}

func ruleNames(rs []Reason) string {
	var s []string
	for _, r := range rs {
		s = append(s, r.Rule)
	}
	return strings.Join(s, ",")
}

// Fictional applicants; the IDs say what matters about them.
var (
	tpsRemoval = Applicant{ID: "tps-removal-SV", IntakeAt: day("2025-06-01"), Facts: Facts{TPSHolder: true, FacingRemoval: true, Country: "SV"}}
	tpsHN      = Applicant{ID: "tps-removal-HN", IntakeAt: day("2025-06-20"), Facts: Facts{TPSHolder: true, FacingRemoval: true, Country: "HN"}}
	detained   = Applicant{ID: "detained", IntakeAt: day("2025-05-01"), Facts: Facts{Detained: true, FacingRemoval: true}}
	hearing    = Applicant{ID: "hearing-20d", IntakeAt: day("2025-04-01"), Facts: Facts{FacingRemoval: true, HearingDate: day("2025-08-04")}}
	minor      = Applicant{ID: "minor", IntakeAt: day("2025-03-01"), Facts: Facts{UnaccompaniedMinor: true}}
	daca       = Applicant{ID: "daca", IntakeAt: day("2025-02-01"), Facts: Facts{DACARecipient: true}}
	daca2      = Applicant{ID: "daca-later", IntakeAt: day("2025-02-02"), Facts: Facts{DACARecipient: true}}
	nothing    = Applicant{ID: "no-facts", IntakeAt: day("2025-01-01")}
	felony     = Applicant{ID: "felony", IntakeAt: day("2025-01-02"), Facts: Facts{Detained: true, ViolentFelonyConviction: true}}
)

func TestRank_Council(t *testing.T) {
	for _, tt := range []struct {
		name   string
		policy string // "" is the council's
		apps   []Applicant
		order  string
		excl   string
	}{
		{"TPSFacingRemovalFirst", "", []Applicant{nothing, detained, tpsRemoval}, "tps-removal-SV detained no-facts", ""},
		// Honduras's TPS ends within 180 days of today: 30+15 more points than El Salvador's.
		{"TPSEndDateByCountry", "", []Applicant{tpsRemoval, tpsHN}, "tps-removal-HN tps-removal-SV", ""},
		{"DetentionBeforePoints", "", []Applicant{hearing, minor, detained}, "detained hearing-20d minor", ""},
		{"TieBreakByIntake", "", []Applicant{daca2, daca}, "daca daca-later", ""},
		{"NoFactsLast", "", []Applicant{nothing, daca}, "daca no-facts", ""},
		{"ExclusionOffByDefault", "", []Applicant{nothing, felony}, "felony no-facts", ""},
		{"ExclusionOn", strings.Replace(councilPolicy, "violent-felony off", "violent-felony", 1), []Applicant{nothing, felony}, "no-facts", "felony"},
		{"HearingTieBreak", "rule d points 1 when daca_recipient or facing_removal\ntiebreak hearing intake",
			[]Applicant{daca, hearing, {ID: "hearing-later", IntakeAt: day("2024-01-01"), Facts: Facts{FacingRemoval: true, HearingDate: day("2025-09-01")}}},
			"hearing-20d hearing-later daca", ""},
		{"PastHearingIgnored", "rule h tier 1 when hearing_within 30 days",
			[]Applicant{{ID: "past", IntakeAt: day("2025-01-01"), Facts: Facts{HearingDate: day("2025-07-14")}}, {ID: "today", IntakeAt: day("2025-06-01"), Facts: Facts{HearingDate: today.Add(5 * time.Hour)}}},
			"today past", ""},
		{"NegativePoints", "rule a points 10 when unhoused\nrule b points -20 when daca_recipient",
			[]Applicant{daca, nothing, {ID: "unhoused-daca", IntakeAt: day("2025-01-01"), Facts: Facts{Unhoused: true, DACARecipient: true}}},
			"no-facts unhoused-daca daca", ""},
		{"BestTierCounts", "rule a tier 3 when daca_recipient\nrule b tier 2 when unhoused",
			[]Applicant{daca, {ID: "both", IntakeAt: day("2025-06-01"), Facts: Facts{Unhoused: true, DACARecipient: true}}},
			"both daca", ""},
		{"OffRuleIgnored", "rule a tier 1 off when daca_recipient\nrule b points 1 when unaccompanied_minor", []Applicant{daca, minor}, "minor daca", ""},
		{"EndedTPSIsNotEnding", "rule a tier 1 when tps_ending_within 3650 days\nrule b tier 2 when tps_country",
			[]Applicant{{ID: "AF", IntakeAt: day("2025-01-01"), Facts: Facts{Country: "AF"}}, {ID: "sv", IntakeAt: day("2025-06-01"), Facts: Facts{Country: "sv"}}, {ID: "MX", IntakeAt: day("2024-01-01"), Facts: Facts{Country: "MX"}}},
			"sv MX AF", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := DefaultPolicy()
			if tt.policy != "" {
				p = mustPolicy(t, tt.policy)
			}
			r := mustRank(t, p, tt.apps)
			if got := ids(r.Places); got != tt.order {
				t.Errorf("order = %q, want %q", got, tt.order)
			}
			if got := ids(r.Excluded); got != tt.excl {
				t.Errorf("excluded = %q, want %q", got, tt.excl)
			}
		})
	}
}

func TestRank_Reasons(t *testing.T) {
	r := mustRank(t, DefaultPolicy(), []Applicant{tpsHN, hearing, nothing, daca, daca2})
	for _, tt := range []struct {
		id     string
		place  int
		tier   int
		points int
		rules  string
	}{
		{"tps-removal-HN", 1, 1, 65, "tps-facing-removal,tps-ending-180,tps-ending-365,facing-removal"},
		{"hearing-20d", 2, 0, 80, "hearing-30,hearing-90,facing-removal"},
		{"daca", 3, 0, 10, "daca"},
		{"no-facts", 5, 0, 0, ""},
	} {
		pl, ok := r.Lookup(tt.id)
		if !ok || pl.Place != tt.place || pl.Tier != tt.tier || pl.Points != tt.points || ruleNames(pl.Reasons) != tt.rules {
			t.Errorf("%s: got place %d tier %d points %d rules %q, want %d %d %d %q",
				tt.id, pl.Place, pl.Tier, pl.Points, ruleNames(pl.Reasons), tt.place, tt.tier, tt.points, tt.rules)
		}
	}
	if got, want := r.Explain("tps-removal-HN"), "Place 1 of 5. Tier 1: Holds TPS and faces deportation. +30 points: Holds TPS, and their country's TPS ends within 180 days. +15 points: Holds TPS, and their country's TPS ends within a year. +20 points: Faces deportation. 65 points in all."; got != want {
		t.Errorf("Explain:\n got %q\nwant %q", got, want)
	}
	if got, want := r.Explain("daca-later"), "Place 4 of 5. No tier applies. +10 points: Has DACA. 10 points in all. 2 people have the same tier and points; among them, earlier intake comes first (intake on 2025-02-02)."; got != want {
		t.Errorf("Explain:\n got %q\nwant %q", got, want)
	}
	if got, want := r.Explain("no-facts"), "Place 5 of 5. No tier applies. 0 points in all."; got != want {
		t.Errorf("Explain:\n got %q\nwant %q", got, want)
	}
	on := mustPolicy(t, strings.Replace(councilPolicy, "violent-felony off", "violent-felony", 1))
	r = mustRank(t, on, []Applicant{felony})
	if got, want := r.Explain("felony"), "Not in line. Excluded: violent-felony conviction."; got != want {
		t.Errorf("Explain excluded: got %q, want %q", got, want)
	}
}

func TestRank_BadInput(t *testing.T) {
	if _, err := Rank(DefaultPolicy(), nil, today, []Applicant{daca, daca}); err == nil || !strings.Contains(err.Error(), `"daca" appears twice`) {
		t.Errorf("duplicate ID: err = %v", err)
	}
	if _, err := Rank(DefaultPolicy(), nil, today, []Applicant{{}}); err == nil {
		t.Error("empty ID accepted")
	}
	// Without a TPS table nobody's country is designated.
	r, err := Rank(DefaultPolicy(), nil, today, []Applicant{tpsHN})
	if err != nil || r.Places[0].Points != 20 {
		t.Errorf("nil table: %v, %+v", err, r.Places)
	}
}

// The ranking does not depend on the order applicants come in.
func TestRank_InputOrder(t *testing.T) {
	apps := randomApplicants(500, 1)
	a := mustRank(t, DefaultPolicy(), apps)
	for i, j := 0, len(apps)-1; i < j; i, j = i+1, j-1 {
		apps[i], apps[j] = apps[j], apps[i]
	}
	b := mustRank(t, DefaultPolicy(), apps)
	if ids(a.Places) != ids(b.Places) {
		t.Error("reversing the input changed the order")
	}
}

func TestTPSTable(t *testing.T) {
	tb := DefaultTPSTable()
	if !tb.AsOf.Equal(day("2025-07-15")) || len(tb.Designations) < 15 {
		t.Fatalf("as-of %v, %d designations", tb.AsOf, len(tb.Designations))
	}
	d, ok := tb.Lookup("sv")
	if !ok || d.Name != "El Salvador" || !d.End.Equal(day("2026-09-09")) || d.Source == "" {
		t.Errorf("SV = %+v", d)
	}
	again, err := ParseTPSTable(tb.String())
	if err != nil || again.String() != tb.String() {
		t.Errorf("round trip: %v", err)
	}
	for _, tt := range []struct{ src, want string }{
		{"tps SV \"El Salvador\" ends 2026-09-09 source \"x\"", "line 1, column 1: the table needs an as-of date"},
		{"as-of 2025-07-15\ntps SVN \"El Salvador\" ends 2026-09-09 source \"x\"", "line 2, column 5: expected a two-letter upper-case ISO country code"},
		{"as-of 2025-07-15\ntps SV \"El Salvador\" ends 2026-9-9 source \"x\"", "line 2, column 27: expected a date as YYYY-MM-DD"},
		{"as-of 2025-07-15\ntps SV \"El Salvador\" ends 2026-09-09", "line 2, column 37: expected source"},
		{"as-of 2025-07-15\ntps SV El Salvador ends 2026-09-09 source \"x\"", "line 2, column 8: expected the country's name in quotes"},
		{"as-of 2025-07-15\ntps SV \"A\" ends 2026-09-09 source \"x\"\ntps SV \"B\" ends 2026-09-09 source \"x\"", "line 3, column 5: SV is already in the table on line 2"},
		{"as-of July", "line 1, column 7: expected a date"},
	} {
		_, err := ParseTPSTable(tt.src)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: err = %v, want %s", tt.src, err, tt.want)
		}
	}
}
