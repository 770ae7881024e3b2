package disclosure

import "testing"

func TestSmoke(t *testing.T) {
	tb := Table{Name: "t", Dims: []Dimension{{"org", []string{"a", "b", "c"}}, {"lang", []string{"en", "es", "ht"}}},
		Counts: []int64{20, 3, 40, 25, 30, 35, 12, 14, 50}}
	r, err := Protect(Release{Tables: []Table{tb}}, Policy{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Tables[0].Cells {
		t.Logf("%v %d %v %s", c.Key, c.Count, c.Suppressed, c.Reason)
	}
	t.Logf("%+v", r.Audit)
}
