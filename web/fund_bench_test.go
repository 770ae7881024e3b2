package web_test

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

// BenchmarkFundCompliancePage: the fund officer's GET /fund (the
// quarter's compliance of every source's floors and ceilings, and every
// grant's balance) over 100,000 funded cases with 200,000 approved costs
// spread over the year, on SQLite and PostgreSQL; p50 and p95. The figure
// to meet: p95 under 100 ms.
func BenchmarkFundCompliancePage(b *testing.B) {
	const cases = 100_000
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			db, k, _ := benchStore(b, dialect)
			src := storetest.MustCreateFundSource(b, db)
			var grants []*amparo.Grant
			for i := range 40 {
				org := storetest.MustCreateOrganization(b, db, fmt.Sprintf("Bench Legal Aid %02d", i))
				grants = append(grants, storetest.MustAwardGrant(b, db, src, org.ID, 100_000_000_00))
			}
			year := time.Now().UTC().Year()
			seedFundCases(b, db, dialect, grants, cases, year)
			_, h := newTestServer(b, db, k)
			ts := httptest.NewServer(h)
			b.Cleanup(ts.Close)
			inv := &amparo.Invitation{Email: "fund-bench@example.org", Role: amparo.RoleFundOfficer}
			if err := db.CreateInvitation(storetest.System, inv); err != nil {
				b.Fatal(err)
			}
			acct, err := db.AcceptInvitation(storetest.System, inv.Token, "Cuenta Ejemplo", "$argon2id$unused")
			if err != nil {
				b.Fatal(err)
			}
			session, err := db.CreateSession(storetest.System, acct.ID, true)
			if err != nil {
				b.Fatal(err)
			}
			period := amparo.QuarterOf(amparo.Date{Time: time.Now().UTC()})
			get := func() {
				req, _ := http.NewRequest(http.MethodGet, ts.URL+"/fund?lang=en&period="+period, nil)
				req.AddCookie(&http.Cookie{Name: "__Host-session", Value: session})
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				body := readAll(res)
				if res.StatusCode != 200 || !strings.Contains(body, `data-target="detained"`) {
					b.Fatalf("GET /fund: %d", res.StatusCode)
				}
			}
			get() // warm
			var took []time.Duration
			for b.Loop() {
				start := time.Now()
				get()
				took = append(took, time.Since(start))
			}
			reportPercentiles(b, took)
		})
	}
}

// seedFundCases writes n funded cases of the grants, two approved costs
// each (dated across the year) and their ledger entries, straight into the
// tables in one transaction: going through FundCase for each would take
// most of an hour. The sealed snapshot is a placeholder the page never
// opens.
func seedFundCases(b *testing.B, db *sqldb.DB, dialect string, grants []*amparo.Grant, n, year int) {
	b.Helper()
	tx, err := db.Pool().Begin()
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	var seq int64
	if err := tx.QueryRow("SELECT COALESCE(MAX(seq), 0) FROM fund_ledger").Scan(&seq); err != nil {
		b.Fatal(err)
	}
	rebind := func(q string) string {
		if dialect != "postgres" {
			return q
		}
		var sb strings.Builder
		i := 0
		for _, r := range q {
			if r == '?' {
				i++
				sb.WriteString("$" + strconv.Itoa(i))
			} else {
				sb.WriteRune(r)
			}
		}
		return sb.String()
	}
	now := time.Now().UTC().Format("2006-01-02T15:04:05.000000Z")
	groups := []string{"tps-facing-removal", "detained", "facing-removal", "asylum-seeker", "none"}
	r := rand.New(rand.NewPCG(1, 38))
	type batch struct {
		q    string
		cols int
		rows [][]any
	}
	flush := func(bt *batch) {
		if len(bt.rows) == 0 {
			return
		}
		ph := "(" + strings.TrimSuffix(strings.Repeat("?, ", bt.cols), ", ") + ")"
		vals := make([]string, len(bt.rows))
		var args []any
		for i, row := range bt.rows {
			vals[i] = ph
			args = append(args, row...)
		}
		if _, err := tx.Exec(rebind(bt.q+strings.Join(vals, ", ")), args...); err != nil {
			b.Fatal(err)
		}
		bt.rows = bt.rows[:0]
	}
	casesB := &batch{q: `INSERT INTO fund_cases (id, grant_id, source_id, organization_id, client_id, applicant_id, detained, priority_group,
		policy_version, restrictions_version, court, stage, committed_cents, funded_on, wrapped, sealed, created_at) VALUES `, cols: 17}
	costsB := &batch{q: `INSERT INTO fund_costs (id, case_id, grant_id, organization_id, budget_line, kind, centihours, rate_cents, amount_cents,
		incurred_on, status, recorded_by, approved_by, created_at, updated_at) VALUES `, cols: 15}
	ledgerB := &batch{q: `INSERT INTO fund_ledger (id, seq, grant_id, source_id, organization_id, account, amount_cents, effective_on, case_id,
		cost_id, invoice_id, reverses, reason, detained, priority_group, budget_line, posted_by, posted_at) VALUES `, cols: 18}
	sums := map[[2]string]int64{}   // the running sums the store keeps in fund_balances
	months := map[[6]string]int64{} // and in fund_spend_months
	post := func(g *amparo.Grant, account string, cents int64, on, caseID, costID string, detained int, group, line string) {
		seq++
		ledgerB.rows = append(ledgerB.rows, []any{amparo.NewID(), seq, g.ID, g.SourceID, g.OrganizationID, account, cents, on, caseID, costID, "", "", "",
			detained, group, line, "bench", now})
		sums[[2]string{g.ID, account}] += cents
		if account == "spend" {
			months[[6]string{g.SourceID, g.OrganizationID, on[:7], strconv.Itoa(detained), group, line}] += cents
		}
	}
	for i := range n {
		g := grants[i%len(grants)]
		id := amparo.NewID()
		funded := time.Date(year, 1, 1+r.IntN(60), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
		detained := 0
		if r.IntN(10) < 7 {
			detained = 1
		}
		group := groups[r.IntN(len(groups))]
		casesB.rows = append(casesB.rows, []any{id, g.ID, g.SourceID, g.OrganizationID, amparo.NewID(), "", detained, group,
			0, 1, "Los Angeles", "master_calendar", int64(20_000_00), funded, []byte{0}, []byte{0}, now})
		post(g, "commit", 20_000_00, funded, id, "", 0, "", "")
		for j := range 2 {
			cid, cents := amparo.NewID(), int64(100_00+r.IntN(500_000))
			on := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(365)).Format(time.DateOnly)
			line := []string{"attorney", "indirect"}[j]
			costsB.rows = append(costsB.rows, []any{cid, id, g.ID, g.OrganizationID, line, "expense", 0, 0, cents, on, "approved", "bench", "bench", now, now})
			post(g, "spend", cents, on, id, cid, detained, group, line)
		}
		if len(casesB.rows) >= 200 {
			flush(casesB)
			flush(costsB)
			flush(ledgerB)
		}
	}
	flush(casesB)
	flush(costsB)
	flush(ledgerB)
	for k, cents := range sums {
		if _, err := tx.Exec(rebind(`INSERT INTO fund_balances (grant_id, account, amount_cents) VALUES (?, ?, ?)
			ON CONFLICT (grant_id, account) DO UPDATE SET amount_cents = fund_balances.amount_cents + excluded.amount_cents`), k[0], k[1], cents); err != nil {
			b.Fatal(err)
		}
	}
	for k, cents := range months {
		if _, err := tx.Exec(rebind(`INSERT INTO fund_spend_months (source_id, organization_id, month, detained, priority_group, budget_line, amount_cents)
			VALUES (?, ?, ?, ?, ?, ?, ?)`), k[0], k[1], k[2], map[string]int{"0": 0, "1": 1}[k[3]], k[4], k[5], cents); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if _, err := db.Pool().Exec("ANALYZE"); err != nil {
		b.Fatal(err)
	}
}
