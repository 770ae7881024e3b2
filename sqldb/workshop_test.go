package sqldb_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
	"github.com/amparo-project/amparo/ticket"
)

var _ amparo.WorkshopService = (*sqldb.DB)(nil)

var visitor = amparo.NewContextWithActor(context.Background(), amparo.VisitorActor)

func mustRegister(tb testing.TB, db *sqldb.DB, r *amparo.Registration) *amparo.Registered {
	tb.Helper()
	if r.PartySize == 0 {
		r.PartySize = 1
	}
	if r.Language == "" {
		r.Language = "es"
	}
	got, err := db.Register(visitor, r)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

func TestWorkshopService_Register(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{})
		t.Run("NoIdentityFields", func(t *testing.T) {
			got := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
			r := got.Registration
			if r.Status != amparo.RegistrationConfirmed || amparo.NormalizeTicketCode(r.Code) != r.Code || got.Token == "" {
				t.Fatalf("registration %+v, token %q", r, got.Token)
			}
			back, ws, err := db.FindTicket(visitor, got.Token)
			if err != nil || back.ID != r.ID || back.Alias != "" || back.Phone != "" || ws.ID != w.ID {
				t.Fatalf("FindTicket: %+v %v", back, err)
			}
			if tk, err := ticket.Verify(ed25519.PublicKey(ws.PublicKey), w.ID, back.Ticket); err != nil || tk.Code != r.Code {
				t.Fatalf("ticket %q: %+v %v", back.Ticket, tk, err)
			}
			// The address is on the ticket (visibility: after registration),
			// never on the public page.
			if ws.Address == "" {
				t.Error("the ticket does not show the address")
			}
			if pub, err := db.FindWorkshopByID(visitor, w.ID); err != nil || pub.Address != "" || pub.TitleIn("es") == "" {
				t.Errorf("public workshop: address %q, %v", pub.Address, err)
			}
		})
		t.Run("ErrBadInput", func(t *testing.T) {
			for _, r := range []*amparo.Registration{
				{WorkshopID: w.ID, PartySize: 0, Language: "es"},
				{WorkshopID: w.ID, PartySize: 1, Language: "es", Phone: "+1 213 555 0100"}, // no consent
				{WorkshopID: w.ID, PartySize: 1, Language: "es", Alias: strings.Repeat("x", 81)},
				{WorkshopID: w.ID, PartySize: 1, Language: "es", Email: "not an address", ConsentMail: true},
			} {
				if _, err := db.Register(visitor, r); amparo.ErrorCode(err) != amparo.EINVALID {
					t.Errorf("%+v: %v, want EINVALID", r, err)
				}
			}
			draft := &amparo.Workshop{}
			storetest.MustCreateWorkshop(t, db, org.ID, draft)
			if _, err := db.SetWorkshopStatus(system, draft.ID, amparo.WorkshopCancelled); err != nil {
				t.Fatal(err)
			}
			_, err := db.Register(visitor, &amparo.Registration{WorkshopID: draft.ID, PartySize: 1, Language: "es"})
			if m, _ := amparo.ErrorMsg(err); m.Key != "workshop.err.cancelled" {
				t.Errorf("a cancelled workshop: %v", err)
			}
		})
		t.Run("Isolation", func(t *testing.T) {
			other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
			_, err := db.CheckIn(as(amparo.RoleOrganizer, other.ID), w.ID, amparo.CheckIn{Nonce: "n1", WalkIn: 1})
			wantCode(t, err, amparo.EFORBIDDEN)
			_, err = db.WorkshopAttendance(as(amparo.RoleMember, org.ID), w.ID)
			wantCode(t, err, amparo.EFORBIDDEN)
			d := &amparo.Workshop{OrganizationID: org.ID, Languages: []string{"es"}, Title: map[string]string{"es": "Borrador"},
				StartsAt: w.StartsAt, EndsAt: w.EndsAt, Capacity: 5, Venue: "Sala", Address: "Calle 1", AddressVisibility: amparo.AddressPublic}
			if err := db.CreateWorkshop(as(amparo.RoleOrganizer, org.ID), d); err != nil {
				t.Fatal(err)
			}
			_, err = db.FindWorkshopByID(visitor, d.ID)
			wantCode(t, err, amparo.ENOTFOUND)
			ws, n, err := db.FindWorkshops(visitor, amparo.WorkshopFilter{})
			for _, x := range ws {
				if x.ID == d.ID {
					t.Error("a draft is on the public list")
				}
			}
			if err != nil || n != len(ws) {
				t.Errorf("public list: %d of %d, %v", len(ws), n, err)
			}
		})
	})
}

// TestWorkshopService_Capacity: 20 people racing for the last 5 places
// never over-fill; the others wait.
func TestWorkshopService_Capacity(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{Capacity: 25})
		for range 20 {
			mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		}
		var wg sync.WaitGroup
		got := make([]*amparo.Registered, 20)
		errs := make([]error, 20)
		for i := range 20 {
			wg.Go(func() {
				got[i], errs[i] = db.Register(visitor, &amparo.Registration{WorkshopID: w.ID, PartySize: 1, Language: "en"})
			})
		}
		wg.Wait()
		confirmed := 0
		for i, r := range got {
			if errs[i] != nil {
				t.Fatalf("goroutine %d: %v", i, errs[i])
			}
			if r.Registration.Status == amparo.RegistrationConfirmed {
				confirmed++
			}
		}
		at, err := db.WorkshopAttendance(as(amparo.RoleOrganizer, org.ID), w.ID)
		if err != nil {
			t.Fatal(err)
		}
		if confirmed != 5 || at.RegisteredPeople != 25 || at.Waitlisted != 15 {
			t.Fatalf("%d of the racers confirmed, %d people registered, %d waiting; want 5, 25, 15", confirmed, at.RegisteredPeople, at.Waitlisted)
		}
	})
}

// TestWorkshopService_Waitlist: a freed place is offered to the first who
// waits, until OfferHours later but never past the start; an offer not
// taken expires and passes on; people leave the waitlist.
func TestWorkshopService_Waitlist(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		start := time.Now().Add(30 * time.Hour).Truncate(time.Minute)
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{Capacity: 2, StartsAt: start, OfferHours: 48})
		a := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, PartySize: 2})
		b := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		c := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		d := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		if b.Registration.Status != amparo.RegistrationWaitlisted || c.Registration.Status != amparo.RegistrationWaitlisted {
			t.Fatalf("b %s, c %s: want waitlisted", b.Registration.Status, c.Registration.Status)
		}
		// d leaves the waitlist.
		if err := db.CancelTicket(visitor, d.Token); err != nil {
			t.Fatal(err)
		}
		if err := db.CancelTicket(visitor, a.Token); err != nil {
			t.Fatal(err)
		}
		rb, _, err := db.FindTicket(visitor, b.Token)
		if err != nil || rb.Status != amparo.RegistrationOffered {
			t.Fatalf("b after a cancelled: %+v %v", rb, err)
		}
		// Offered for 48 hours, but the workshop starts in 30: until the start.
		if !rb.OfferExpiresAt.Equal(start) {
			t.Fatalf("offer until %v, want the start %v", rb.OfferExpiresAt, start)
		}
		rc, _, _ := db.FindTicket(visitor, c.Token)
		if rc.Status != amparo.RegistrationOffered {
			t.Fatalf("c: %s, want offered (two places free)", rc.Status)
		}
		if err := db.AcceptOffer(visitor, c.Token); err != nil {
			t.Fatal(err)
		}
		// At the start, b's offer has expired, and nobody cancels.
		db.Now = func() time.Time { return start.Add(time.Minute) }
		rb, _, _ = db.FindTicket(visitor, b.Token)
		rc, _, _ = db.FindTicket(visitor, c.Token)
		if rb.Status != amparo.RegistrationExpired || rc.Status != amparo.RegistrationConfirmed {
			t.Fatalf("after the start: b %s, c %s; want expired, confirmed", rb.Status, rc.Status)
		}
		wantCode(t, db.AcceptOffer(visitor, b.Token), amparo.ECONFLICT)
		wantCode(t, db.CancelTicket(visitor, c.Token), amparo.ECONFLICT)
	})
}

func TestWorkshopService_CheckIn(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		ctx := as(amparo.RoleOrganizer, org.ID)
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{})
		other := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{})
		a := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID, PartySize: 3})
		b := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		gone := mustRegister(t, db, &amparo.Registration{WorkshopID: w.ID})
		if err := db.CancelTicket(visitor, gone.Token); err != nil {
			t.Fatal(err)
		}
		elsewhere := mustRegister(t, db, &amparo.Registration{WorkshopID: other.ID})
		_, forger, _ := ed25519.GenerateKey(nil)
		forged := ticket.Sign(forger, ticket.Ticket{WorkshopID: w.ID, Code: b.Registration.Code})
		for _, tt := range []struct {
			name  string
			scan  amparo.CheckIn
			want  amparo.CheckInOutcome
			retry bool
		}{
			{"ByCode", amparo.CheckIn{Nonce: "s1", Code: strings.ToLower(a.Registration.Code[:3]) + "-" + a.Registration.Code[3:]}, amparo.CheckInOK, false},
			{"RetriedUpload", amparo.CheckIn{Nonce: "s1", Code: a.Registration.Code}, amparo.CheckInOK, true},
			{"Again", amparo.CheckIn{Nonce: "s2", Ticket: a.Registration.Ticket}, amparo.CheckInAlready, false},
			{"Forged", amparo.CheckIn{Nonce: "s3", Ticket: forged}, amparo.CheckInForged, false},
			{"OtherWorkshop", amparo.CheckIn{Nonce: "s4", Ticket: elsewhere.Registration.Ticket}, amparo.CheckInOtherWorkshop, false},
			{"Cancelled", amparo.CheckIn{Nonce: "s5", Code: gone.Registration.Code}, amparo.CheckInCancelled, false},
			{"Unknown", amparo.CheckIn{Nonce: "s6", Code: "ZZZZZZ"}, amparo.CheckInUnknown, false},
			{"NotACode", amparo.CheckIn{Nonce: "s7", Code: "hello"}, amparo.CheckInUnknown, false},
			{"ByTicket", amparo.CheckIn{Nonce: "s8", Ticket: b.Registration.Ticket}, amparo.CheckInOK, false},
			{"WalkIn", amparo.CheckIn{Nonce: "s9", WalkIn: 2}, amparo.CheckInWalkIn, false},
			{"WalkInRetried", amparo.CheckIn{Nonce: "s9", WalkIn: 2}, amparo.CheckInWalkIn, true},
		} {
			res, err := db.CheckIn(ctx, w.ID, tt.scan)
			if err != nil || res.Outcome != tt.want || res.Repeat != tt.retry {
				t.Errorf("%s: %+v, %v; want %s (repeat %v)", tt.name, res, err, tt.want, tt.retry)
			}
		}
		_, err := db.CheckIn(ctx, w.ID, amparo.CheckIn{Nonce: "s10"})
		wantCode(t, err, amparo.EINVALID)
		_, err = db.CheckIn(ctx, w.ID, amparo.CheckIn{Code: a.Registration.Code})
		wantCode(t, err, amparo.EINVALID)
		at, err := db.WorkshopAttendance(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := amparo.Attendance{WorkshopID: w.ID, Capacity: 30, Registered: 2, RegisteredPeople: 4, Cancelled: 1, Came: 2, CamePeople: 4, WalkIns: 2, ShowRate: 1}
		if !reflect.DeepEqual(*at, want) {
			t.Fatalf("attendance %+v, want %+v", *at, want)
		}
	})
}

// TestWorkshopService_Forget: when retention ends, the job erases every
// alias, contact and ticket link, keeps the counts, audits the run, and
// the database files no longer hold what was erased.
func TestWorkshopService_Forget(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			dsn := "sqlite:" + filepath.Join(dir, "amparo.db")
			if dialect == "postgres" {
				dsn = migratedDSN(t, dialect)
			}
			db := storetest.MustOpenDSN(t, dsn, envelope.GenerateMasterKey())
			org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
			ctx := as(amparo.RoleOrganizer, org.ID)
			w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{RetentionDays: 30, Materials: amparo.Handouts})
			if _, err := db.RecordHandedOut(ctx, w.ID, map[string]int{"kyr.card.title": 12}); err != nil {
				t.Fatal(err)
			}
			kept := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{RetentionDays: 90})
			var regs []*amparo.Registered
			for i, alias := range []string{"Paloma Seudónimo", "", "Gorrión Inventado"} {
				r := &amparo.Registration{WorkshopID: w.ID, Alias: alias, PartySize: i + 1, Language: "es"}
				if i == 0 {
					r.Phone, r.ConsentSMS, r.Email, r.ConsentMail = "+1 213 555 0199", true, "paloma.seudonimo@example.org", true
				}
				regs = append(regs, mustRegister(t, db, r))
			}
			mustRegister(t, db, &amparo.Registration{WorkshopID: kept.ID, Alias: "Jilguero Ficticio", PartySize: 1, Language: "es"})
			if _, err := db.CheckIn(ctx, w.ID, amparo.CheckIn{Nonce: "n1", Code: regs[0].Registration.Code}); err != nil {
				t.Fatal(err)
			}
			before, _ := db.WorkshopAttendance(ctx, w.ID)
			raw := sqldb.RawDB(db)
			var sealed [][]byte
			rows, err := raw.Query("SELECT wrapped FROM workshop_registrations WHERE workshop_id = '" + w.ID + "' UNION ALL SELECT sealed FROM workshop_registrations WHERE workshop_id = '" + w.ID + "'")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var b []byte
				rows.Scan(&b)
				sealed = append(sealed, b)
			}
			rows.Close()
			if len(sealed) != 6 {
				t.Fatalf("read %d sealed values", len(sealed))
			}

			// Not due yet: nothing erased.
			if es, err := db.ForgetDueWorkshops(system, w.EndsAt.Add(29*24*time.Hour)); err != nil || len(es) != 0 {
				t.Fatalf("before retention ends: %v %v", es, err)
			}
			es, err := db.ForgetDueWorkshops(system, w.EndsAt.Add(31*24*time.Hour))
			if err != nil || len(es) != 1 {
				t.Fatalf("ForgetDueWorkshops: %v %v", es, err)
			}
			if e := es[0]; e.WorkshopID != w.ID || e.Registrations != 3 || e.Aliases != 2 || e.Contacts != 2 || e.Tickets != 3 {
				t.Fatalf("erasure %+v", e)
			}
			_, err = db.ForgetDueWorkshops(as(amparo.RoleOrganizer, org.ID), time.Now())
			wantCode(t, err, amparo.EFORBIDDEN)
			for _, r := range regs {
				_, _, err := db.FindTicket(visitor, r.Token)
				wantCode(t, err, amparo.ENOTFOUND)
			}
			after, _ := db.WorkshopAttendance(ctx, w.ID)
			if !reflect.DeepEqual(after, before) || after.HandedOut[1].Count != 12 {
				t.Fatalf("counts changed: %+v, was %+v", *after, *before)
			}
			if list, _ := db.FindWorkshopErasures(ctx, w.ID); len(list) != 1 {
				t.Fatalf("%d erasures shown", len(list))
			}
			events, _, _ := db.FindAuditEvents(system, amparo.AuditFilter{RecordID: w.ID, Action: amparo.AuditWorkshopForget})
			if len(events) != 1 {
				t.Fatalf("%d forget events, want 1", len(events))
			}
			// A second run finds nothing due.
			if es, err := db.ForgetDueWorkshops(system, w.EndsAt.Add(40*24*time.Hour)); err != nil || len(es) != 0 {
				t.Fatalf("a second run: %v %v", es, err)
			}
			var left int
			raw.QueryRow("SELECT COUNT(*) FROM workshop_registrations WHERE workshop_id = '" + w.ID + "' AND (wrapped IS NOT NULL OR sealed IS NOT NULL OR code IS NOT NULL OR token_mac IS NOT NULL)").Scan(&left)
			if left != 0 {
				t.Fatalf("%d registrations keep details", left)
			}
			raw.QueryRow("SELECT COUNT(*) FROM workshop_registrations WHERE wrapped IS NOT NULL").Scan(&left)
			if left != 1 {
				t.Fatalf("the other workshop's registration lost its details: %d left", left)
			}
			if dialect == "sqlite" {
				files, _ := filepath.Glob(filepath.Join(dir, "amparo.db*"))
				for _, f := range files {
					b, _ := os.ReadFile(f)
					for i, s := range sealed {
						if bytes.Contains(b, s) {
							t.Errorf("%s still holds sealed value %d", filepath.Base(f), i)
						}
					}
					for _, n := range []string{"Paloma", "Gorri", "555 0199", "5550199", "seudonimo"} {
						if bytes.Contains(b, []byte(n)) {
							t.Errorf("%s holds %q", filepath.Base(f), n)
						}
					}
				}
				return
			}
			var all strings.Builder
			rows, err = raw.Query("SELECT t::text FROM workshop_registrations t")
			if err != nil {
				t.Fatal(err)
			}
			for rows.Next() {
				var s string
				rows.Scan(&s)
				all.WriteString(s)
			}
			rows.Close()
			for i, s := range sealed {
				if strings.Contains(all.String(), hex.EncodeToString(s)) {
					t.Errorf("a row still holds sealed value %d", i)
				}
			}
		})
	}
}

// TestWorkshopService_HandedOut: the organizer records how many copies of
// each material went out; the attendance shows them, a second record
// replaces the first, a bad count or material is refused naming it with
// nothing stored, and no one outside the organizers records any.
func TestWorkshopService_HandedOut(t *testing.T) {
	t.Parallel()
	each(t, func(t *testing.T, db *sqldb.DB) {
		org := storetest.MustCreateOrganization(t, db, "Centro Legal Ejemplo")
		other := storetest.MustCreateOrganization(t, db, "Otra Organización Ejemplo")
		ctx := as(amparo.RoleOrganizer, org.ID)
		w := storetest.MustCreateWorkshop(t, db, org.ID, &amparo.Workshop{Materials: []string{"kyr.card.title", "kyr.title"}})
		at, err := db.WorkshopAttendance(ctx, w.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []amparo.HandedOut{{Material: "kyr.card.title"}, {Material: "kyr.title"}}
		if !reflect.DeepEqual(at.HandedOut, want) {
			t.Fatalf("before any record: %+v", at.HandedOut)
		}
		at, err = db.RecordHandedOut(ctx, w.ID, map[string]int{"kyr.card.title": 40, "kyr.title": 7})
		if err != nil {
			t.Fatal(err)
		}
		want = []amparo.HandedOut{{Material: "kyr.card.title", Count: 40}, {Material: "kyr.title", Count: 7}}
		if !reflect.DeepEqual(at.HandedOut, want) {
			t.Fatalf("recorded: %+v", at.HandedOut)
		}
		// A second record replaces one count and keeps the other.
		if _, err := db.RecordHandedOut(ctx, w.ID, map[string]int{"kyr.title": 9}); err != nil {
			t.Fatal(err)
		}
		want[1].Count = 9
		for _, bad := range []map[string]int{{"kyr.title": -1}, {"kyr.title": amparo.MaxHandedOut + 1}, {"kyr.title": 3, "leaflet.unknown": 2}} {
			_, err := db.RecordHandedOut(ctx, w.ID, bad)
			wantCode(t, err, amparo.EINVALID)
			for m := range bad {
				if m != "kyr.title" || bad[m] != 3 {
					if !strings.Contains(err.Error(), "handed_out."+m) {
						t.Errorf("%v: the error %q does not name handed_out.%s", bad, err, m)
					}
				}
			}
		}
		_, err = db.RecordHandedOut(as(amparo.RoleOrganizer, other.ID), w.ID, map[string]int{"kyr.title": 1})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RecordHandedOut(as(amparo.RoleMember, org.ID), w.ID, map[string]int{"kyr.title": 1})
		wantCode(t, err, amparo.EFORBIDDEN)
		_, err = db.RecordHandedOut(ctx, amparo.NewID(), map[string]int{"kyr.title": 1})
		wantCode(t, err, amparo.ENOTFOUND)
		at, err = db.WorkshopAttendance(ctx, w.ID)
		if err != nil || !reflect.DeepEqual(at.HandedOut, want) {
			t.Fatalf("after the refused records: %+v %v", at.HandedOut, err)
		}
		// A material the workshop no longer lists keeps its count.
		w.Materials = []string{"kyr.card.title"}
		fresh, _ := db.FindWorkshopByID(ctx, w.ID)
		w.UpdatedAt = fresh.UpdatedAt
		if err := db.UpdateWorkshop(ctx, w); err != nil {
			t.Fatal(err)
		}
		if at, _ := db.WorkshopAttendance(ctx, w.ID); !reflect.DeepEqual(at.HandedOut, want) {
			t.Fatalf("after the materials changed: %+v", at.HandedOut)
		}
		events, _, _ := db.FindAuditEvents(system, amparo.AuditFilter{RecordID: w.ID, Action: amparo.AuditWorkshopHandedOut})
		if len(events) != 2 {
			t.Fatalf("%d handed-out events, want 2", len(events))
		}
	})
}

// TestWorkshopService_ForgetDueRacing: two processes (two stores on one
// database) running the retention job at once erase each due workshop
// once: one erasure record and one audit event each, with the counts,
// never a second, empty one.
func TestWorkshopService_ForgetDueRacing(t *testing.T) {
	t.Parallel()
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel()
			dsn := migratedDSN(t, dialect)
			master := envelope.GenerateMasterKey()
			a, b := storetest.MustOpenDSN(t, dsn, master), storetest.MustOpenDSN(t, dsn, master)
			org := storetest.MustCreateOrganization(t, a, "Centro Legal Ejemplo")
			ctx := as(amparo.RoleOrganizer, org.ID)
			const workshops = 12
			var ids []string
			for range workshops {
				w := storetest.MustCreateWorkshop(t, a, org.ID, &amparo.Workshop{RetentionDays: 1})
				mustRegister(t, a, &amparo.Registration{WorkshopID: w.ID, Alias: "Paloma Seudónimo"})
				ids = append(ids, w.ID)
			}
			due := time.Now().AddDate(0, 0, 30)
			for round := range 3 {
				start := make(chan struct{})
				var wg sync.WaitGroup
				results := make([][]*amparo.WorkshopErasure, 2)
				errs := make([]error, 2)
				for i, db := range []*sqldb.DB{a, b} {
					wg.Go(func() {
						<-start
						results[i], errs[i] = db.ForgetDueWorkshops(system, due)
					})
				}
				close(start)
				wg.Wait()
				if errs[0] != nil || errs[1] != nil {
					t.Fatalf("round %d: %v, %v", round, errs[0], errs[1])
				}
				got := len(results[0]) + len(results[1])
				if want := map[int]int{0: workshops}[round]; got != want {
					t.Errorf("round %d: %d + %d erasures, want %d in all", round, len(results[0]), len(results[1]), want)
				}
				for _, es := range results {
					for _, e := range es {
						if e.Registrations != 1 || e.Aliases != 1 {
							t.Errorf("round %d: an erasure of %s with %+v", round, e.WorkshopID, e)
						}
					}
				}
			}
			for _, id := range ids {
				if list, err := a.FindWorkshopErasures(ctx, id); err != nil || len(list) != 1 || list[0].Registrations != 1 {
					t.Errorf("workshop %s: erasures %+v %v, want one of 1 registration", id, list, err)
				}
				events, _, err := a.FindAuditEvents(system, amparo.AuditFilter{RecordID: id, Action: amparo.AuditWorkshopForget})
				if err != nil || len(events) != 1 {
					t.Errorf("workshop %s: %d forget events, %v; want 1", id, len(events), err)
				}
			}
		})
	}
}
