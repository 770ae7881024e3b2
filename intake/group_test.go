package intake_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/intake"
)

// TestService_StoresPriorityGroups: ranking the queue stores each
// applicant's group (the rule of the best tier, or "none"), and a policy
// change moves the stored group of an applicant whose rule it renames.
func TestService_StoresPriorityGroups(t *testing.T) {
	db, ctx, orgID := store(t)
	svc := &intake.Service{Applicants: db, Policies: db, Members: db, Organizations: db, Programs: db, Conflicts: db, Letters: db}
	var as []*amparo.Applicant
	for i, name := range []string{"Ana Ejemplo", "Beto Muestra", "Caro Prueba"} {
		as = append(as, &amparo.Applicant{Key: name, Facts: amparo.Facts{Personal: amparo.Personal{LegalName: name, Language: "es",
			BirthDate: amparo.MustDate(fmt.Sprintf("199%d-01-02", i)), Phone: "+1 213 555 0123", Situation: amparo.SituationOther,
			Detained: i > 0}}})
	}
	if _, err := db.CreateApplicants(ctx, as); err != nil {
		t.Fatal(err)
	}
	office := amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "office", Role: amparo.RoleProgramAdmin})
	now := time.Now().UTC()
	p, err := amparo.ParseReportPeriod(fmt.Sprintf("%d-Q%d", now.Year(), (int(now.Month())-1)/3+1), time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	groups := func() []string {
		t.Helper()
		rows, err := db.CountReport(office, amparo.MetricIntakesGroup, p)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, fmt.Sprintf("%s=%d", r.Keys[0], r.Count))
		}
		slices.Sort(out)
		return out
	}
	if got, want := groups(), []string{"unknown=3"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("before any ranking: %v, want %v", got, want)
	}
	if _, err := svc.Queue(ctx, orgID, 0, 1); err != nil {
		t.Fatal(err)
	}
	if got, want := groups(), []string{"detained=2", "none=1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the queue is ranked: %v, want %v", got, want)
	}
	v, err := db.CurrentPolicy(office)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(v.Text, "rule detained tier 2", "rule in-custody tier 2", 1)
	if text == v.Text {
		t.Fatal("the council's policy has no rule named detained")
	}
	pc, err := svc.ChangePolicy(office, text, "", "a clearer name for the rule")
	if err != nil || pc.RankErr != nil {
		t.Fatalf("change the policy: %v, %v", err, pc.RankErr)
	}
	if got, want := groups(), []string{"in-custody=2", "none=1"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after the policy change: %v, want %v", got, want)
	}
}
