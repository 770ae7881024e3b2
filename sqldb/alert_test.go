package sqldb_test

import (
	"context"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/locale"
	"github.com/amparo-project/amparo/notify"
	"github.com/amparo-project/amparo/sqldb"
)

const (
	alertClientPhone = "+15555550100"
	attorneyPhone    = "+15555550111"
	hotlinePhone     = "+15555550122"
	contactPhone     = "+15555550133"
)

// alertFixture makes an organization, a client with a phone on record and
// a plan: the attorney and the hotline (SMS and voice), a consenting
// contact (SMS and e-mail) and a contact who has not consented.
func alertFixture(t *testing.T, db *sqldb.DB) (orgID, clientID string) {
	t.Helper()
	cat, err := locale.Load()
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse("https://amparo.example")
	db.AlertMessage = notify.AlertMessage(cat, u)
	org := storetest.MustCreateOrganization(t, db, "Alert Legal Aid")
	c := storetest.MustCreateClient(t, system, db, &amparo.Client{OrganizationID: org.ID,
		Personal: amparo.Personal{LegalName: "Prueba Ficticia Alerta", Language: "es", Phone: alertClientPhone}})
	plan := &amparo.ResponsePlan{ClientID: c.ID, Messages: map[string]string{"es": "Llame a mi hermana.", "en": "Call my sister."},
		Responders: []amparo.Responder{
			{Kind: amparo.ResponderAttorney, Name: "Abogada Ficticia", Phone: attorneyPhone, Language: "en", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderHotline, Name: "Hotline", Phone: hotlinePhone, Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelVoice}},
			{Kind: amparo.ResponderContact, Name: "Hermana Ficticia", Phone: contactPhone, Email: "hermana@example.org", Language: "es", Relation: "hermana", Consent: true,
				Channels: []amparo.Channel{amparo.ChannelSMS, amparo.ChannelEmail}},
			{Kind: amparo.ResponderContact, Name: "Primo Ficticio", Phone: "+15555550144", Language: "es", Channels: []amparo.Channel{amparo.ChannelSMS}},
		}}
	if err := db.SetResponsePlan(system, plan); err != nil {
		t.Fatal(err)
	}
	return org.ID, c.ID
}

func TestAlertService_ResponsePlan(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		p, err := db.FindResponsePlan(system, client)
		if err != nil || len(p.Responders) != 4 || p.Responders[2].Name != "Hermana Ficticia" || p.EffectiveTimeout() != 2*time.Minute {
			t.Fatalf("%v %+v", err, p)
		}
		// Sealed: no name or number in the row.
		var sealed []byte
		if err := sqldb.RawDB(db).QueryRow("SELECT sealed FROM response_plans").Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(sealed), "Ficticia") || strings.Contains(string(sealed), "5555") {
			t.Error("the plan is stored in the clear")
		}
		// A plan with no responder, or a number not in E.164, is refused
		// and the stored plan stays.
		wantCode(t, db.SetResponsePlan(system, &amparo.ResponsePlan{ClientID: client}), amparo.EINVALID)
		bad := *p
		bad.Responders = []amparo.Responder{{Kind: amparo.ResponderHotline, Name: "H", Phone: "213-555-0100", Language: "en", Channels: []amparo.Channel{amparo.ChannelSMS}}}
		err = db.SetResponsePlan(system, &bad)
		wantCode(t, err, amparo.EINVALID)
		if !strings.Contains(err.Error(), "responders.phone") {
			t.Errorf("error %q does not name the field", err)
		}
		if p2, _ := db.FindResponsePlan(system, client); len(p2.Responders) != 4 {
			t.Error("a refused plan changed the stored one")
		}
	})
}

// Many retries of one press, some at once, make one alert; its messages
// (one per channel of each responder who consented) and its first
// escalation are stored with it.
func TestAlertService_RaiseAlert_OnePerKey(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		var wg sync.WaitGroup
		ids := make([]string, 8)
		created := make([]bool, 8)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a, c, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-1", Source: amparo.AlertFromHotline, ClientID: client})
				if err != nil {
					t.Error(err)
					return
				}
				ids[i], created[i] = a.ID, c
			}()
		}
		wg.Wait()
		n := 0
		for i := range ids {
			if ids[i] != ids[0] {
				t.Errorf("retry %d made alert %s, not %s", i, ids[i], ids[0])
			}
			if created[i] {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d retries report creating the alert", n)
		}
		if c := countRows(t, db, "SELECT COUNT(*) FROM alerts"); c != 1 {
			t.Fatalf("%d alerts", c)
		}
		// attorney sms, hotline sms, contact sms + e-mail; the contact who
		// did not consent gets nothing.
		if c := countRows(t, db, "SELECT COUNT(*) FROM messages WHERE emergency = TRUE"); c != 4 {
			t.Errorf("%d emergency messages, want 4", c)
		}
		if c := countRows(t, db, "SELECT COUNT(*) FROM jobs WHERE kind = 'alert.escalate'"); c != 1 {
			t.Errorf("%d escalation jobs, want 1", c)
		}
		a, err := db.FindAlertByID(system, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != amparo.AlertOpen || len(a.Events) != 5 || a.Events[0].Kind != amparo.AlertRaised {
			t.Fatalf("%+v", a)
		}
		for _, e := range a.Events[1:] {
			if e.Kind != amparo.AlertMessaged || e.Status != amparo.MessageQueued || e.MessageID == "" {
				t.Errorf("event %+v", e)
			}
		}
		m, err := db.FindMessageByID(system, a.Events[1].MessageID)
		if err != nil || !strings.Contains(m.Body, "Prueba Ficticia Alerta") || !strings.Contains(m.Body, "Call my sister.") ||
			!strings.Contains(m.Body, "https://amparo.example/a/") {
			t.Errorf("%v %q", err, m.Body)
		}
		// A second press while the alert is open is the same alert.
		b, c, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-2", Source: amparo.AlertFromHotline, ClientID: client})
		if err != nil || c || b.ID != a.ID {
			t.Errorf("second press: %v %v %v", err, c, b)
		}
	})
}

// An alert whose messages cannot be stored is not stored either: the
// alert, its messages, recipients and jobs are one transaction.
func TestAlertService_RaiseAlert_RollbackLeavesNothing(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		good := db.AlertMessage
		db.AlertMessage = func(n *amparo.AlertNotice) *amparo.Message {
			m := good(n)
			if n.Index == 2 {
				m.Body = "" // invalid: the third responder's message fails
			}
			return m
		}
		_, _, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-r", Source: amparo.AlertFromHotline, ClientID: client})
		wantCode(t, err, amparo.EINVALID)
		for _, table := range []string{"alerts", "alert_events", "alert_recipients", "messages", "jobs"} {
			if n := countRows(t, db, "SELECT COUNT(*) FROM "+table); n != 0 {
				t.Errorf("%d rows in %s after a rollback", n, table)
			}
		}
		db.AlertMessage = good
		if _, c, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-r", Source: amparo.AlertFromHotline, ClientID: client}); err != nil || !c {
			t.Fatalf("retry after the failure: %v %v", err, c)
		}
	})
}

// Escalation steps run once each, call by voice, and stop at the first
// acknowledgement; a later acknowledgement keeps the first.
func TestAlertService_EscalateAlert(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		a, _, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-e", Source: amparo.AlertFromHotline, ClientID: client})
		if err != nil {
			t.Fatal(err)
		}
		jobs, _, _ := db.FindJobs(system, amparo.JobFilter{Kind: amparo.JobEscalateAlert})
		if len(jobs) != 1 || !jobs[0].RunAt.Equal(now.Add(2*time.Minute)) {
			t.Fatalf("escalation jobs %+v", jobs)
		}
		now = now.Add(2 * time.Minute)
		for range 2 { // the job runs twice: one step
			if _, err := db.EscalateAlert(system, a.ID, 1); err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM messages WHERE channel = 'voice'"); n != 1 {
			t.Errorf("%d voice calls after step 1, want 1", n)
		}
		wantCode(t, func() error { _, err := db.EscalateAlert(visitor, a.ID, 2); return err }(), amparo.EFORBIDDEN)
		// The hotline answers "1"; step 2 then does nothing.
		now = now.Add(30 * time.Second)
		if _, err := db.AcknowledgeBySMS(system, hotlinePhone); err != nil {
			t.Fatal(err)
		}
		now = now.Add(90 * time.Second)
		if did, err := db.EscalateAlert(system, a.ID, 2); err != nil || did {
			t.Errorf("step 2 after the acknowledgement: %v %v", did, err)
		}
		if err := db.AcknowledgeAlert(system, a.ID, "on my way"); err != nil {
			t.Fatal(err)
		}
		a, err = db.FindAlertByID(system, a.ID)
		if err != nil {
			t.Fatal(err)
		}
		if a.Status != amparo.AlertAcknowledged || a.AckBy != "hotline:1" || a.AckChannel != amparo.ChannelSMS ||
			a.AcknowledgedAt.Sub(a.RaisedAt) != 150*time.Second || a.Note != "on my way" {
			t.Errorf("%+v", a)
		}
		kinds := []string{}
		for _, e := range a.Events {
			kinds = append(kinds, string(e.Kind))
		}
		if got := strings.Join(kinds, ","); got != "raised,message,message,message,message,escalated,message,acknowledged" {
			t.Errorf("timeline %s", got)
		}
		if err := db.ResolveAlert(system, a.ID, "client_released", "released at 3pm", amparo.Checklist{ANumber: "A012345678", Facility: "Test Facility"}); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.ResolveAlert(system, a.ID, "partied", "", amparo.Checklist{}), amparo.EINVALID)
		var sealed []byte
		if err := sqldb.RawDB(db).QueryRow("SELECT sealed FROM alerts").Scan(&sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(sealed), "A012345678") {
			t.Error("the A-number is stored in the clear")
		}
		f, err := db.AlertFigures(system, "")
		if err != nil || f.Alerts != 1 || f.Acknowledged != 1 || f.AckedInTime != 0 || f.AckP50 != 150*time.Second {
			t.Errorf("%v %+v", err, f)
		}
	})
}

// The keyword from the client's number raises an alert; from an unknown
// number, nothing. A responder's link acknowledges. A flood is bounded,
// but the first alert of the hour never refused.
func TestAlertService_SMSLinkAndFlood(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		_, _, err := db.RaiseAlertBySMS(system, "+15555550999", "k0")
		wantCode(t, err, amparo.ENOTFOUND)
		a, created, err := db.RaiseAlertBySMS(system, alertClientPhone, "k1")
		if err != nil || !created || a.Source != amparo.AlertFromSMS {
			t.Fatalf("%v %v %+v", err, created, a)
		}
		_, err = db.AcknowledgeByToken(system, "not-a-token")
		wantCode(t, err, amparo.ENOTFOUND)
		// The contact's link: the token is in the message body.
		var got *amparo.Alert
		for _, e := range a.Events {
			if e.Responder == 2 && e.Channel == amparo.ChannelSMS {
				m, _ := db.FindMessageByID(system, e.MessageID)
				token := m.Body[strings.LastIndex(m.Body, "/")+1:]
				if got, err = db.AcknowledgeByToken(visitor, token); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got == nil || got.Status != amparo.AlertAcknowledged || got.AckBy != "contact:2" {
			t.Fatalf("%+v", got)
		}
		for i := 2; i <= amparo.MaxAlertsPerHour; i++ {
			now = now.Add(time.Minute)
			a, _, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "k" + string(rune('0'+i)), Source: amparo.AlertFromHotline, ClientID: client})
			if err != nil {
				t.Fatalf("alert %d: %v", i, err)
			}
			if err := db.ResolveAlert(system, a.ID, "false_alarm", "", amparo.Checklist{}); err != nil {
				t.Fatal(err)
			}
		}
		_, _, err = db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "k-flood", Source: amparo.AlertFromHotline, ClientID: client})
		wantCode(t, err, amparo.ECONFLICT)
		now = now.Add(time.Hour)
		if _, c, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "k-later", Source: amparo.AlertFromHotline, ClientID: client}); err != nil || !c {
			t.Errorf("an hour later: %v %v", err, c)
		}
		_, _, err = db.RaiseAlert(system, amparo.RaiseAlertRequest{Source: amparo.AlertFromHotline, ClientID: client})
		wantCode(t, err, amparo.EINVALID)
	})
}

// Erasing a client erases their plan, their alerts' notes and
// checklists and their messages' bodies; the alerts' statuses stay.
func TestAlertService_ClientErasure(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		_, client := alertFixture(t, db)
		a, _, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "press-x", Source: amparo.AlertFromHotline, ClientID: client})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.ResolveAlert(system, a.ID, "client_detained", "nota", amparo.Checklist{ANumber: "A012345678"}); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteClient(system, client); err != nil {
			t.Fatal(err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM response_plans"); n != 0 {
			t.Errorf("%d plans after the erasure", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM messages WHERE sealed IS NOT NULL"); n != 0 {
			t.Errorf("%d message bodies after the erasure", n)
		}
		got, err := db.FindAlertByID(system, a.ID)
		if err != nil || got.Status != amparo.AlertResolved || got.Note != "" || got.Checklist.ANumber != "" {
			t.Errorf("%v %+v", err, got)
		}
	})
}

// An alert from the phone link of a client whose letters are all revoked
// or expired still reaches help — the hotline and the contacts, by
// message and by escalation — and never the attorney who no longer
// represents them: the timeline says the attorney was not told. While
// the letter is active, the attorney is told.
func TestAlertService_RevokedLetterLink(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		orgID, client := alertFixture(t, db)
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		storetest.MustCertifyNewKey(t, db, orgID)
		m := storetest.MustCreateMember(t, db, orgID, "900777")
		staff := as(amparo.RoleIntake, orgID)
		l := &amparo.Letter{ClientID: client, MemberID: m.ID, OrganizationID: orgID}
		if err := db.CreateLetter(staff, l); err != nil {
			t.Fatal(err)
		}
		signer := storetest.SignerFor(t, db, m)
		issued, err := db.IssueLetter(signer, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		link, err := db.FindPhoneLink(staff, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		told := func(a *amparo.Alert) (msgs map[int]int, withheld []int) {
			msgs = map[int]int{}
			for _, e := range a.Events {
				switch e.Kind {
				case amparo.AlertMessaged:
					msgs[e.Responder]++
				case amparo.AlertWithheld:
					withheld = append(withheld, e.Responder)
				}
			}
			return msgs, withheld
		}
		raise := func(key string) *amparo.Alert {
			t.Helper()
			a, created, err := db.RaiseAlert(visitor, amparo.RaiseAlertRequest{Key: key, Source: amparo.AlertFromPhonePage, LinkID: link.ID})
			if err != nil || !created {
				t.Fatalf("%s: %v %v", key, err, created)
			}
			return a
		}
		// Active: the attorney (0), the hotline (1) and the consenting
		// contact (2, by SMS and e-mail) are told.
		a := raise("active")
		if msgs, withheld := told(a); msgs[0] != 1 || msgs[1] != 1 || msgs[2] != 2 || len(withheld) != 0 {
			t.Fatalf("active letter: messages %v, withheld %v", msgs, withheld)
		}
		if err := db.ResolveAlert(system, a.ID, "false_alarm", "", amparo.Checklist{}); err != nil {
			t.Fatal(err)
		}
		check := func(what string, a *amparo.Alert) {
			t.Helper()
			if msgs, withheld := told(a); msgs[0] != 0 || msgs[1] != 1 || msgs[2] != 2 || len(withheld) != 1 || withheld[0] != 0 {
				t.Fatalf("%s: messages %v, withheld %v", what, msgs, withheld)
			}
			// The escalation's first step passes over the attorney: the
			// hotline is called.
			if did, err := db.EscalateAlert(system, a.ID, 1); err != nil || !did {
				t.Fatalf("%s: escalate: %v %v", what, did, err)
			}
			got, err := db.FindAlertByID(system, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			last := got.Events[len(got.Events)-1]
			if last.Kind != amparo.AlertMessaged || last.Responder != 1 || last.Channel != amparo.ChannelVoice {
				t.Fatalf("%s: the escalation's call: %+v", what, last)
			}
			if err := db.ResolveAlert(system, a.ID, "false_alarm", "", amparo.Checklist{}); err != nil {
				t.Fatal(err)
			}
		}
		// Expired (still marked active, its date passed).
		now = issued.ValidUntil.Add(time.Hour)
		check("expired letter", raise("expired"))
		// Revoked.
		now = time.Date(2026, 3, 1, 12, 5, 0, 0, time.UTC)
		if _, err := db.RevokeLetter(signer, l.ID, "no longer represents the client"); err != nil {
			t.Fatal(err)
		}
		check("revoked letter", raise("revoked"))
	})
}

// Reading a plan, an alert and the alerts list is audited: who read
// which record, and nothing personal in the entry.
func TestAlertService_ReadsAudited(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		orgID, client := alertFixture(t, db)
		a, _, err := db.RaiseAlert(system, amparo.RaiseAlertRequest{Key: "audited", Source: amparo.AlertFromHotline, ClientID: client})
		if err != nil {
			t.Fatal(err)
		}
		staff := as(amparo.RoleIntake, orgID)
		if _, err := db.FindResponsePlan(staff, client); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindAlertByID(staff, a.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.FindAlerts(staff, amparo.AlertFilter{}); err != nil {
			t.Fatal(err)
		}
		actor, _ := amparo.ActorFromContext(staff)
		for _, want := range []struct {
			action     amparo.AuditAction
			recordType string
			record     string
		}{
			{amparo.AuditPlanView, amparo.RecordClient, client},
			{amparo.AuditAlertView, amparo.RecordAlert, a.ID},
			{amparo.AuditAlertList, amparo.RecordOrganization, orgID},
		} {
			es, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: want.action})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) != 1 || es[0].ActorID != actor.ID || es[0].RecordType != want.recordType || es[0].RecordID != want.record ||
				es[0].OrganizationID != orgID {
				t.Errorf("%s: %+v", want.action, es)
			}
		}
		// The list re-read while its page is open is one entry per five
		// minutes; another account's read is its own entry.
		now := time.Now()
		db.Now = func() time.Time { return now }
		lists := func() int {
			t.Helper()
			es, _, err := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: amparo.AuditAlertList})
			if err != nil {
				t.Fatal(err)
			}
			return len(es)
		}
		for _, step := range []struct {
			after time.Duration
			ctx   context.Context
			want  int
		}{{time.Minute, staff, 1}, {3 * time.Minute, staff, 1}, {0, amparo.NewContextWithActor(context.Background(), amparo.Actor{ID: "another-intake", Role: amparo.RoleIntake, OrganizationID: orgID}), 2}, {2 * time.Minute, staff, 3}} {
			now = now.Add(step.after)
			if _, err := db.FindAlerts(step.ctx, amparo.AlertFilter{}); err != nil {
				t.Fatal(err)
			}
			if got := lists(); got != step.want {
				t.Fatalf("after %s: %d list reads audited, want %d", step.after, got, step.want)
			}
		}
		// A read refused is not audited as a read.
		other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
		if _, err := db.FindAlertByID(as(amparo.RoleIntake, other.ID), a.ID); amparo.ErrorCode(err) != amparo.ENOTFOUND {
			t.Errorf("another organization's staff: %v", err)
		}
		if es, _, _ := db.FindAuditEvents(as(amparo.RoleAuditor, ""), amparo.AuditFilter{Action: amparo.AuditAlertView}); len(es) != 1 {
			t.Errorf("%d alert reads audited, want 1", len(es))
		}
	})
}
