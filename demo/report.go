package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/report"
)

// LastQuarter is the name of the last quarter over at now, in loc.
func LastQuarter(now time.Time, loc *time.Location) string {
	n := now.In(loc)
	q := n.Year()*4 + (int(n.Month())-1)/3 - 1
	return fmt.Sprintf("%d-Q%d", q/4, q%4+1)
}

// seedReport releases and approves the council's report of the last
// quarter that is over, as the program office does: the public
// dashboard (/reports) shows it.
func seedReport(ctx context.Context, s Store, now time.Time) (string, error) {
	p, err := s.FindProgram(ctx)
	if err != nil {
		return "", err
	}
	svc := &report.Service{Store: s, Programs: s, Now: func() time.Time { return now }}
	admin := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-program", Role: amparo.RoleProgramAdmin})
	r, err := svc.Release(admin, LastQuarter(now, p.Location()), true)
	if err != nil {
		return "", fmt.Errorf("the council's report: %w", err)
	}
	return r.ID, nil
}
