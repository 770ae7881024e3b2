package main_test

import (
	"reflect"
	"strings"
	"testing"
)

// TestWorkshops_Commands: the demo's workshops listed, one's attendance
// read, its attendees' details erased now, the counts kept; the oldest
// workshop's were erased on schedule already.
func TestWorkshops_Commands(t *testing.T) {
	t.Parallel()
	data := demoData(t)
	type workshop struct {
		ID, Status string
		ErasedAt   *string `json:"erased_at"`
	}
	ws := decode[[]workshop](t, ok(t, "workshops", "list", "--json", "--data", data))
	held, erased := "", 0
	for _, w := range ws {
		if w.ErasedAt != nil {
			erased++
		} else if w.Status == "held" {
			held = w.ID
		}
	}
	if len(ws) != 5 || erased != 1 || held == "" {
		t.Fatalf("the demo's workshops: %+v", ws)
	}
	if out := ok(t, "workshops", "list", "--data", data); !strings.Contains(out, "5 workshops.") || !strings.Contains(out, "Know your rights at work") {
		t.Errorf("workshops list:\n%s", out)
	}
	type attendance struct {
		Registered int     `json:"registered"`
		Came       int     `json:"came"`
		WalkIns    int     `json:"walk_ins"`
		ShowRate   float64 `json:"show_rate"`
		HandedOut  []struct {
			Material string
			Count    int
		} `json:"handed_out"`
	}
	before := decode[attendance](t, ok(t, "workshops", "attendance", held, "--json", "--data", data))
	if before.Registered != 26 || before.Came != 14 || before.WalkIns != 3 || before.ShowRate < 0.5 || len(before.HandedOut) != 2 ||
		before.HandedOut[0].Material != "kyr.title" || before.HandedOut[0].Count != 15 || before.HandedOut[1].Count != 22 {
		t.Fatalf("attendance: %+v", before)
	}
	out := ok(t, "workshops", "forget", held, "--data", data)
	if !strings.Contains(out, "Erased the details of 26 registrations") {
		t.Errorf("workshops forget: %s", out)
	}
	if after := decode[attendance](t, ok(t, "workshops", "attendance", held, "--json", "--data", data)); !reflect.DeepEqual(after, before) {
		t.Errorf("the counts changed: %+v, were %+v", after, before)
	}
	if out := ok(t, "workshops", "attendance", held, "--data", data); !strings.Contains(out, "Came: 14") ||
		!strings.Contains(out, "Materials handed out:\n  Know your rights (kyr.title): 15\n  I am using my rights (kyr.card.title): 22\n") {
		t.Errorf("workshops attendance:\n%s", out)
	}
	if _, stderr, code := amparo(t, nil, "workshops", "attendance", "0123456789abcdef0123456789abcdef", "--data", data); code == 0 || !strings.Contains(stderr, "not found") {
		t.Errorf("an unknown workshop: %d %s", code, stderr)
	}
}
