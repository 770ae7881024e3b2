package priority

import (
	"strings"
	"testing"
)

func TestCompare_PolicyChange(t *testing.T) {
	apps := []Applicant{tpsRemoval, detained, hearing, minor, daca, nothing, felony}
	before := mustRank(t, DefaultPolicy(), apps)
	if got := ids(before.Places); got != "tps-removal-SV detained felony hearing-20d minor daca no-facts" {
		t.Fatalf("before = %q", got)
	}

	for _, tt := range []struct {
		name, old, new string
		after          string
		summary        string
		moves          []Move
	}{
		{"Unchanged", "", "", "tps-removal-SV detained felony hearing-20d minor daca no-facts", "Nobody moved (7 people).", nil},
		// Both in tier 1 with 20 points: the earlier intake goes first.
		{"DetentionFirst", "rule detained tier 2", "rule detained tier 1",
			"detained tps-removal-SV felony hearing-20d minor daca no-facts",
			"2 of 7 people moved: 1 forward (at most 1 place), 1 back (at most 1 place). By tier: 2 from tier 2 to tier 1.",
			[]Move{{"detained", 2, 1, 2, 1}, {"tps-removal-SV", 1, 2, 1, 1}}},
		{"ExclusionOn", "exclude violent-felony off", "exclude violent-felony",
			"tps-removal-SV detained hearing-20d minor daca no-facts",
			"5 of 7 people moved: 4 forward (at most 1 place), 1 out of line. By tier: 1 from tier 2 to out of line.",
			[]Move{{"felony", 3, 0, 2, -1}, {"hearing-20d", 4, 3, 0, 0}, {"minor", 5, 4, 0, 0}, {"daca", 6, 5, 0, 0}, {"no-facts", 7, 6, 0, 0}}},
		{"MinorsFirst", "rule unaccompanied-minor points 25", "rule unaccompanied-minor tier 1 points 25",
			"minor tps-removal-SV detained felony hearing-20d daca no-facts",
			"5 of 7 people moved: 1 forward (at most 4 places), 4 back (at most 1 place). By tier: 1 from no tier to tier 1.",
			nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := councilPolicy
			if tt.old != "" {
				if !strings.Contains(src, tt.old) {
					t.Fatalf("no %q in the policy", tt.old)
				}
				src = strings.Replace(src, tt.old, tt.new, 1)
			}
			after := mustRank(t, mustPolicy(t, src), apps)
			if got := ids(after.Places); got != tt.after {
				t.Errorf("after = %q, want %q", got, tt.after)
			}
			c := Compare(before, after)
			if got := c.String(); got != tt.summary {
				t.Errorf("summary:\n got %q\nwant %q", got, tt.summary)
			}
			if tt.moves != nil {
				if len(c.Moves) != len(tt.moves) {
					t.Fatalf("moves = %+v", c.Moves)
				}
				got := map[string]Move{}
				for _, m := range c.Moves {
					got[m.ID] = m
				}
				for _, m := range tt.moves {
					if got[m.ID] != m {
						t.Errorf("move of %s = %+v, want %+v", m.ID, got[m.ID], m)
					}
				}
			}
		})
	}
}

// Everyone who moved is counted once, and the counts add up, on a large
// random line.
func TestCompare_Counts(t *testing.T) {
	apps := randomApplicants(5000, 3)
	before := mustRank(t, DefaultPolicy(), apps)
	after := mustRank(t, policy20(t), append(apps[1000:], randomApplicants(6000, 4)[5000:]...))
	c := Compare(before, after)
	if c.Total != 6000 {
		t.Errorf("total = %d", c.Total)
	}
	if c.Up+c.Down+c.Joined+c.Left != c.Moved || len(c.Moves) != c.Moved {
		t.Errorf("counts do not add up: %+v", c)
	}
	// 1000 left the ranking and 1000 came in, a few of them excluded.
	if c.Left < 1000 || c.Joined < 950 {
		t.Errorf("left %d, joined %d", c.Left, c.Joined)
	}
	for i := 1; i < len(c.Moves); i++ {
		if distance(c.Moves[i-1]) < distance(c.Moves[i]) {
			t.Fatal("moves not largest first")
		}
	}
}
