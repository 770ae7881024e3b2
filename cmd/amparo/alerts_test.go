package main_test

import (
	"strings"
	"testing"
)

// TestAlerts_Commands: the demo's resolved alert listed and shown with
// its timeline (raised, four messages, the escalation's call, the
// hotline's acknowledgement, the resolution), and no name or number in
// either.
func TestAlerts_Commands(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	type event struct {
		Kind    string `json:"kind"`
		Channel string `json:"channel"`
	}
	type alert struct {
		ID       string  `json:"id"`
		Status   string  `json:"status"`
		Outcome  string  `json:"outcome"`
		AckBy    string  `json:"acknowledged_by"`
		Timeline []event `json:"timeline"`
	}
	as := decode[[]alert](t, ok(t, "alerts", "list", "--json", "--data", data))
	if len(as) != 1 || as[0].Status != "resolved" || as[0].Outcome != "client_released" {
		t.Fatalf("the demo's alerts: %+v", as)
	}
	a := decode[alert](t, ok(t, "alerts", "show", as[0].ID, "--json", "--data", data))
	var kinds []string
	for _, e := range a.Timeline {
		kinds = append(kinds, e.Kind+":"+e.Channel)
	}
	if got := strings.Join(kinds, ","); got != "raised:,message:sms,message:sms,message:sms,message:email,escalated:,message:voice,acknowledged:sms,resolved:" || a.AckBy != "hotline:1" {
		t.Errorf("timeline %s, acknowledged by %s", got, a.AckBy)
	}
	out := ok(t, "alerts", "show", as[0].ID, "--data", data) + ok(t, "alerts", "list", "--data", data)
	for _, leak := range []string{"+1213", "2135550", "Marta", "Ejemplo", "ficticia", "Demo Processing"} {
		if strings.Contains(out, leak) {
			t.Errorf("the alerts commands print %q:\n%s", leak, out)
		}
	}
	if _, stderr, code := amparo(t, nil, "alerts", "show", "0123456789abcdef0123456789abcdef", "--data", data); code == 0 || !strings.Contains(stderr, "not found") {
		t.Errorf("an unknown alert: %d %s", code, stderr)
	}
}
