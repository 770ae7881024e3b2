package disclosure

import (
	"strings"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// primaryOnly is the naive dashboard: small counts hidden, nothing else.
func primaryOnly(t *testing.T, r Release, p Policy) *Result {
	t.Helper()
	p = p.withDefaults()
	b := &builder{p: p, s: &sys{k: p.MinCount}, reason: map[int]Reason{}}
	tv, err := b.addTables(r.Tables, r.Links, r.Subsets, false)
	if err != nil {
		t.Fatal(err)
	}
	res := &Result{Policy: p, Links: r.Links, Subsets: r.Subsets}
	for i, tb := range r.Tables {
		res.Tables = append(res.Tables, b.protected(tb, tv[i], nil))
	}
	return res
}

func attack(r *Result, prev *Result) []string {
	o := newOracle(r)
	if prev != nil {
		o.addRelease("prev", prev.Public(), prev)
	}
	o.addRelease("cur", r.Public(), r)
	var pairs [][2]string
	if prev != nil {
		o.addCumulative(r)
		for _, tb := range r.Tables {
			for _, c := range tb.Cells {
				pairs = append(pairs, [2]string{cellName("cur", tb.Name, c.Key), cellName("prev", tb.Name, c.Key)})
			}
		}
	}
	for _, s := range r.Subsets {
		for _, c := range r.Table(s.Outer).Cells {
			pairs = append(pairs, [2]string{cellName("cur", s.Outer, c.Key), cellName("cur", s.Inner, c.Key)})
		}
	}
	return append(o.leaks(r.Policy.MinCount, "cur"), o.differenceLeaks(r.Policy.MinCount, pairs)...)
}

var orgLang = []Dimension{{"organization", []string{"North", "South", "East"}}, {"language", []string{"en", "es", "ht"}}}

// TestAttack_LoneCellFromRowTotal: a lone suppressed cell is recovered from
// its published row total; Protect suppresses a complement.
func TestAttack_LoneCellFromRowTotal(t *testing.T) {
	rel := Release{Tables: []Table{{Name: "letters", Dims: orgLang, Counts: []int64{40, 3, 25, 30, 31, 22, 19, 44, 50}}}}
	naive := primaryOnly(t, rel, Policy{})
	if leaks := attack(naive, nil); len(leaks) == 0 || !strings.Contains(leaks[0], "North|es") {
		t.Fatalf("the naive table should leak North|es, got %v", leaks)
	}
	res, err := Protect(rel, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := attack(res, nil); len(leaks) > 0 {
		t.Errorf("protected table leaks: %v", leaks)
	}
	c, _ := res.Tables[0].Cell("North", "es")
	if !c.Suppressed || c.Reason != ReasonSmall {
		t.Errorf("North|es = %+v, want suppressed as small", c)
	}
	if res.Audit.Complementary < 3 {
		t.Errorf("%d complementary cells, want at least 3 (a 2×2 pattern)", res.Audit.Complementary)
	}
	if pub := res.Public(); pub.Tables[0].Cells[1].Count != 0 {
		t.Error("Public keeps a suppressed count")
	}
}

// TestAttack_SubtractOneQueryFromAnother (CDC WONDER): all clients and
// detained clients by organization, released together; each table alone
// is safe, and their difference (the clients not detained) is a small count.
func TestAttack_SubtractOneQueryFromAnother(t *testing.T) {
	orgs := []Dimension{{"organization", []string{"North", "South", "East"}}}
	rel := Release{
		Tables:  []Table{{Name: "clients", Dims: orgs, Counts: []int64{40, 52, 33}}, {Name: "detained", Dims: orgs, Counts: []int64{37, 20, 15}}},
		Subsets: []Subset{{Outer: "clients", Inner: "detained"}},
	}
	naive := primaryOnly(t, rel, Policy{})
	if leaks := attack(naive, nil); len(leaks) == 0 {
		t.Fatal("the naive release should leak North's 3 clients not detained")
	}
	res, err := Protect(rel, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := attack(res, nil); len(leaks) > 0 {
		t.Errorf("protected release leaks: %v", leaks)
	}
	if c, _ := res.Table("detained").Cell("North"); !c.Suppressed || c.Reason != ReasonChange {
		t.Errorf("detained North = %+v, want suppressed for the difference", c)
	}
}

// TestAttack_SubtractReleases: a cumulative count that grew by 2 since the
// previous release reveals two people, though both counts are large.
func TestAttack_SubtractReleases(t *testing.T) {
	q2 := Release{Tables: []Table{{Name: "letters", Dims: orgLang, Counts: []int64{40, 30, 25, 30, 31, 22, 19, 44, 50}, Cumulative: true}}}
	prev, err := Protect(q2, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	q3 := Release{Tables: []Table{{Name: "letters", Dims: orgLang, Counts: []int64{52, 32, 40, 45, 50, 40, 30, 60, 70}, Cumulative: true}}}
	naive := primaryOnly(t, q3, Policy{})
	if leaks := attack(naive, prev); len(leaks) == 0 {
		t.Fatal("the naive release should reveal North|es growing by 2")
	}
	res, err := Protect(q3, Policy{}, prev)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := attack(res, prev); len(leaks) > 0 {
		t.Errorf("protected release leaks: %v", leaks)
	}
	if c, _ := res.Tables[0].Cell("North", "es"); !c.Suppressed || c.Reason != ReasonChange {
		t.Errorf("North|es = %+v, want suppressed for the change", c)
	}
}

// TestAttack_PercentWithDenominator: a share published next to its row
// total reveals the count; the share of a suppressed count is never published.
func TestAttack_PercentWithDenominator(t *testing.T) {
	tb := Table{Name: "outcomes", Dims: orgLang, Counts: []int64{40, 3, 25, 30, 31, 22, 19, 44, 50},
		Percent: &PercentOf{Of: []string{"organization"}}}
	res, err := Protect(Release{Tables: []Table{tb}}, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Tables[0].Cells {
		if c.Suppressed && c.HasPercent {
			t.Errorf("%v: percentage of a suppressed count published", c.Key)
		}
	}
	if c, _ := res.Tables[0].Cell("South", "en"); !c.HasPercent || c.Denominator != 83 {
		t.Errorf("South|en = %+v, want its share of 83", c)
	}
	if leaks := attack(res, nil); len(leaks) > 0 {
		t.Errorf("leaks: %v", leaks)
	}
}

// TestProtect_Unstable marks shares of denominators under 20.
func TestProtect_Unstable(t *testing.T) {
	tb := Table{Name: "closed", Dims: []Dimension{{"outcome", []string{"stayed", "removed"}}, {"detained", []string{"yes", "no"}}},
		Counts: []int64{12, 40, 0, 30}, Percent: &PercentOf{Of: []string{"detained"}}}
	res, err := Protect(Release{Tables: []Table{tb}}, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := res.Tables[0].Cell("stayed", "yes"); !c.HasPercent || !c.Unstable || c.Percent != 100 {
		t.Errorf("stayed|yes = %+v, want 100%% of 12, unstable", c)
	}
	if c, _ := res.Tables[0].Cell("stayed", "no"); !c.HasPercent || c.Unstable {
		t.Errorf("stayed|no = %+v, want a stable share of 70", c)
	}
	if c, _ := res.Tables[0].Cell("removed", "yes"); c.Suppressed {
		t.Errorf("a zero is published by default: %+v", c)
	}
}

// TestProtect_SuppressZeros and smaller k.
func TestProtect_PolicyK(t *testing.T) {
	tb := Table{Name: "t", Dims: orgLang, Counts: []int64{40, 7, 25, 30, 0, 22, 19, 44, 50}}
	for _, tc := range []struct {
		p    Policy
		key  []string
		supp bool
	}{
		{Policy{}, []string{"North", "es"}, true},
		{Policy{MinCount: 5}, []string{"North", "es"}, false},
		{Policy{MinCount: 5}, []string{"South", "es"}, false},
		{Policy{MinCount: 5, SuppressZeros: true}, []string{"South", "es"}, true},
	} {
		res, err := Protect(Release{Tables: []Table{tb}}, tc.p, nil)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := res.Tables[0].Cell(tc.key...); c.Suppressed != tc.supp {
			t.Errorf("%+v %v: suppressed %v, want %v", tc.p, tc.key, c.Suppressed, tc.supp)
		}
		if leaks := attack(res, nil); len(leaks) > 0 {
			t.Errorf("%+v: leaks %v", tc.p, leaks)
		}
	}
}

// TestProtect_Collapse: months collapse into quarters where the definition
// allows it and too many months are small; the applied rule is recorded.
func TestProtect_Collapse(t *testing.T) {
	rule := Collapse{Dim: "month", Into: "quarter", Map: map[string]string{"Jul": "Q3", "Aug": "Q3", "Sep": "Q3", "Oct": "Q4", "Nov": "Q4", "Dec": "Q4"}}
	tb := Table{Name: "intakes", Dims: []Dimension{{"month", []string{"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}}, {"priority", []string{"high", "other"}}},
		Counts: []int64{4, 20, 5, 22, 6, 30, 12, 14, 3, 9, 2, 25}, Collapsible: []string{"month"}}
	res, err := Protect(Release{Tables: []Table{tb}}, Policy{Collapses: []Collapse{rule}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := res.Tables[0]
	if got.Dims[0].Name != "quarter" || len(got.Dims[0].Categories) != 2 || len(got.Collapsed) != 1 || got.Collapsed[0] != "month → quarter" {
		t.Fatalf("dims %+v collapsed %v", got.Dims, got.Collapsed)
	}
	if c, _ := got.Cell("Q3", "high"); c.Count != 15 || c.Suppressed {
		t.Errorf("Q3|high = %+v, want 15 published", c)
	}
	// Not allowed by the definition: no collapse.
	tb.Collapsible = nil
	res, err = Protect(Release{Tables: []Table{tb}}, Policy{Collapses: []Collapse{rule}}, nil)
	if err != nil || res.Tables[0].Dims[0].Name != "month" {
		t.Errorf("collapsed without the definition's leave: %v %+v", err, res.Tables[0].Dims)
	}
}

// TestProtect_LinkedTables: two tables of one release share their
// organization margin; a cell protected in one is not given away by the other.
func TestProtect_LinkedTables(t *testing.T) {
	rel := Release{
		Tables: []Table{
			{Name: "by-language", Dims: orgLang, Counts: []int64{40, 3, 25, 30, 31, 22, 19, 44, 50}},
			{Name: "by-detention", Dims: []Dimension{orgLang[0], {"detained", []string{"yes", "no"}}}, Counts: []int64{60, 8, 40, 43, 100, 13}},
		},
		Links: []Link{{A: "by-language", B: "by-detention", Dims: []string{"organization"}}},
	}
	res, err := Protect(rel, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if leaks := attack(res, nil); len(leaks) > 0 {
		t.Errorf("leaks: %v", leaks)
	}
	a, _ := res.Table("by-language").Cell("North", Total)
	b, _ := res.Table("by-detention").Cell("North", Total)
	if a.Suppressed != b.Suppressed {
		t.Errorf("the shared margin is published in one table only: %v, %v", a.Suppressed, b.Suppressed)
	}
}

// checkLocalized: err carries a catalog key that reads whole in English
// and Spanish (every argument used, none missing).
func checkLocalized(t *testing.T, cat *locale.Catalog, err error) {
	t.Helper()
	m, ok := amparo.ErrorMsg(err)
	if !ok {
		t.Errorf("%v: no catalog key", err)
		return
	}
	for _, lang := range []string{"en", "es"} {
		if !cat.Has(m.Key) {
			t.Errorf("%s: not in the catalog", m.Key)
		}
		if got := cat.T(lang, m.Key, m.Args...); strings.Contains(got, "%!") || got == m.Key {
			t.Errorf("%s in %s: %q", m.Key, lang, got)
		}
	}
}

// TestProtect_BadInput: each wrong release or policy is refused, naming
// what is wrong, in the reader's language.
func TestProtect_BadInput(t *testing.T) {
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	good := Table{Name: "t", Dims: orgLang, Counts: make([]int64, 9)}
	for _, tc := range []struct {
		name  string
		rel   Release
		p     Policy
		field string
	}{
		{"ShortCounts", Release{Tables: []Table{{Name: "t", Dims: orgLang, Counts: []int64{1}}}}, Policy{}, "table t"},
		{"Negative", Release{Tables: []Table{{Name: "t", Dims: orgLang, Counts: []int64{1, 2, 3, 4, 5, 6, 7, 8, -1}}}}, Policy{}, "table t"},
		{"ReservedCategory", Release{Tables: []Table{{Name: "t", Dims: []Dimension{{"d", []string{Total}}}, Counts: []int64{1}}}}, Policy{}, "table t"},
		{"UnknownLinkTable", Release{Tables: []Table{good}, Links: []Link{{A: "t", B: "nope"}}}, Policy{}, "link"},
		{"UnknownPercentDim", Release{Tables: []Table{{Name: "t", Dims: orgLang, Counts: make([]int64, 9), Percent: &PercentOf{Of: []string{"country"}}}}}, Policy{}, "table t"},
		{"KTooSmall", Release{Tables: []Table{good}}, Policy{MinCount: 1}, "min_count"},
		{"CollapsibleWithoutRule", Release{Tables: []Table{{Name: "t", Dims: orgLang, Counts: make([]int64, 9), Collapsible: []string{"language"}}}}, Policy{}, "table t"},
		{"TwoTablesOneName", Release{Tables: []Table{good, good}}, Policy{}, "table t"},
		{"LinkedTotalsDiffer", Release{Tables: []Table{good, {Name: "u", Dims: orgLang[:1], Counts: []int64{1, 0, 0}}}, Links: []Link{{A: "t", B: "u", Dims: []string{"organization"}}}}, Policy{}, "link t u"},
		{"LinkOnMissingDim", Release{Tables: []Table{good, {Name: "u", Dims: orgLang[:1], Counts: []int64{0, 0, 0}}}, Links: []Link{{A: "t", B: "u", Dims: []string{"language"}}}}, Policy{}, "link t u"},
		{"SubsetLarger", Release{Tables: []Table{good, {Name: "u", Dims: orgLang, Counts: []int64{1, 0, 0, 0, 0, 0, 0, 0, 0}}}, Subsets: []Subset{{Outer: "t", Inner: "u"}}}, Policy{}, "subset u"},
		{"TwoRulesOneDim", Release{Tables: []Table{good}}, Policy{Collapses: []Collapse{{Dim: "a", Into: "b", Map: map[string]string{"x": "y"}}, {Dim: "a", Into: "c", Map: map[string]string{"x": "y"}}}}, "collapses[1]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Protect(tc.rel, tc.p, nil)
			if amparo.ErrorCode(err) != amparo.EINVALID || amparo.ErrorField(err) != tc.field {
				t.Errorf("err = %v, want EINVALID on %q", err, tc.field)
			}
			checkLocalized(t, cat, err)
		})
	}
}
