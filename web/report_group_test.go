package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// TestDemo_ReportByPriorityGroup: the demo's released report shows the
// tables of intakes and of the line by priority group, in English and
// Spanish, and the demo's line has its groups stored (none "unknown").
func TestDemo_ReportByPriorityGroup(t *testing.T) {
	w := newDemoWorld(t)
	for lang, titles := range map[string][]string{
		"en": {"Intakes by priority group", "People waiting by priority group"},
		"es": {"Solicitudes por grupo prioritario", "Personas en espera por grupo prioritario"},
	} {
		code, body := w.get(t, amparo.RoleProgramAdmin, "/reports/"+w.sum.Report+"?lang="+lang)
		if code != 200 {
			t.Fatalf("/reports/%s?lang=%s: %d", w.sum.Report, lang, code)
		}
		for _, title := range titles {
			if !strings.Contains(body, title) {
				t.Errorf("/reports/%s?lang=%s lacks the table %q", w.sum.Report, lang, title)
			}
		}
	}
	// Every applicant the demo received (in the last 42 days) in line is
	// ranked: none is left "unknown".
	office := amparo.NewContextWithActor(t.Context(), amparo.Actor{ID: "office", Role: amparo.RoleProgramAdmin})
	now := time.Now()
	rows, err := w.db.CountReport(office, amparo.MetricQueueGroup, amparo.ReportPeriod{Name: "recent", From: now.AddDate(0, 0, -60), Until: now.Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, r := range rows {
		if r.Keys[0] == amparo.UnknownPriorityGroup {
			t.Errorf("%d applicants in the demo's line have no stored priority group", r.Count)
		}
		n += r.Count
	}
	if n == 0 {
		t.Error("the demo's line is empty")
	}
}
