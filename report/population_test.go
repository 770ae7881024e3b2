package report

import (
	"reflect"
	"testing"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/disclosure"
)

// TestLinks_SamePopulation: the line by priority group and the line by
// organization count the same people, so their tables are linked over
// the time waited (and their grand totals); intakes by group and by
// organization likewise; tables of unrelated metrics are not.
func TestLinks_SamePopulation(t *testing.T) {
	waited := disclosure.Dimension{Name: amparo.DimWaited, Categories: amparo.WaitBuckets}
	tables := []disclosure.Table{
		{Name: "queue", Dims: []disclosure.Dimension{{Name: amparo.DimOrganization, Categories: []string{"A", "B"}}, waited}},
		{Name: "queue-group", Dims: []disclosure.Dimension{{Name: amparo.DimGroup, Categories: []string{"detained", "none"}}, waited}},
		{Name: "intakes", Dims: []disclosure.Dimension{{Name: amparo.DimOrganization, Categories: []string{"A", "B"}}}},
		{Name: "intakes-group", Dims: []disclosure.Dimension{{Name: amparo.DimGroup, Categories: []string{"detained", "none"}}}},
	}
	of := map[string]built{
		"queue":         {def: Definition{Metric: amparo.MetricQueue}},
		"queue-group":   {def: Definition{Metric: amparo.MetricQueueGroup}},
		"intakes":       {def: Definition{Metric: amparo.MetricIntakes}},
		"intakes-group": {def: Definition{Metric: amparo.MetricIntakesGroup}},
	}
	got := links(tables, of)
	want := []disclosure.Link{
		{A: "queue", B: "queue-group", Dims: []string{amparo.DimWaited}},
		{A: "intakes", B: "intakes-group", Dims: []string{}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("links: got %+v, want %+v", got, want)
	}
}
