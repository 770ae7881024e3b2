package sqldb_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/storetest"
	"github.com/amparo-project/amparo/sqldb"
)

func testSMS(event string) *amparo.Message {
	return &amparo.Message{Channel: amparo.ChannelSMS, To: "+15555550123", Body: "Prueba: su cita es mañana.", EventKey: event, Language: "es"}
}

func countRows(t *testing.T, db *sqldb.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := sqldb.RawDB(db).QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// A message and its send job are written in the transaction of the
// event that causes them: a rollback leaves neither; a commit wakes the
// job runner.
func TestMessages_EnqueuedInTheEventsTransaction(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		woken := 0
		db.JobEnqueued = func() { woken++ }
		err := sqldb.EnqueueMessageThenFail(system, db, testSMS("test:rollback"))
		if !errors.Is(err, sqldb.ErrAfterEnqueue) {
			t.Fatalf("err = %v", err)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM messages"); n != 0 {
			t.Errorf("%d messages after a rollback", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM jobs WHERE kind = 'message.send'"); n != 0 {
			t.Errorf("%d send jobs after a rollback", n)
		}
		if woken != 0 {
			t.Errorf("a rolled-back job woke the runner")
		}

		// An invitation enqueues its e-mail; an invitation refused (a
		// member of no such organization) enqueues nothing.
		org := storetest.MustCreateOrganization(t, db, "Test Legal Aid").ID
		db.InvitationMessage = func(inv *amparo.Invitation) *amparo.Message {
			return &amparo.Message{Channel: amparo.ChannelEmail, To: inv.Email, Subject: "Invitación", Body: "Enlace: /invite/" + inv.Token,
				EventKey: "invitation:" + inv.ID}
		}
		inv := &amparo.Invitation{Email: "ana.prueba@example.org", Role: amparo.RoleMember, OrganizationID: org}
		if err := db.CreateInvitation(system, inv); err != nil {
			t.Fatal(err)
		}
		bad := &amparo.Invitation{Email: "beto.prueba@example.org", Role: amparo.RoleMember, OrganizationID: org, MemberID: "no-such-member"}
		wantCode(t, db.CreateInvitation(system, bad), amparo.EINVALID)
		if n := countRows(t, db, "SELECT COUNT(*) FROM messages"); n != 1 {
			t.Fatalf("%d messages, want the one invitation's", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM jobs WHERE kind = 'message.send'"); n != 1 {
			t.Fatalf("%d send jobs, want 1", n)
		}
		if woken != 1 {
			t.Errorf("runner woken %d times, want 1", woken)
		}
		jobs, _, err := db.FindJobs(system, amparo.JobFilter{Kind: amparo.JobSendMessage})
		if err != nil {
			t.Fatal(err)
		}
		var id string
		if err := sqldb.RawDB(db).QueryRow("SELECT id FROM messages").Scan(&id); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(jobs[0].Args), id) {
			t.Errorf("job args %s do not name message %s", jobs[0].Args, id)
		}
		m, err := db.FindMessageByID(system, id)
		if err != nil || m.To != inv.Email || m.Body != "Enlace: /invite/"+inv.Token || m.Status != amparo.MessageQueued {
			t.Fatalf("%v %+v", err, m)
		}
	})
}

// The same message (event, recipient, channel, attempt group) is stored
// once however often it is enqueued; another attempt group is another
// message with another key. The key names no one, and recipient and body
// are sealed.
func TestMessages_Idempotent(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		first := testSMS("alert:1")
		if ok, err := db.EnqueueMessage(system, first); err != nil || !ok {
			t.Fatalf("first: %v %v", ok, err)
		}
		if ok, err := db.EnqueueMessage(system, testSMS("alert:1")); err != nil || ok {
			t.Fatalf("the same again: stored %v, %v", ok, err)
		}
		again := testSMS("alert:1")
		again.AttemptGroup = 1
		if ok, err := db.EnqueueMessage(system, again); err != nil || !ok {
			t.Fatalf("next attempt group: %v %v", ok, err)
		}
		voice := testSMS("alert:1")
		voice.Channel = amparo.ChannelVoice
		if ok, err := db.EnqueueMessage(system, voice); err != nil || !ok {
			t.Fatalf("voice: %v %v", ok, err)
		}
		keys := map[string]bool{first.IdempotencyKey: true, again.IdempotencyKey: true, voice.IdempotencyKey: true}
		if len(keys) != 3 || len(first.IdempotencyKey) != 32 || strings.Contains(first.IdempotencyKey, "5555") {
			t.Errorf("keys %v", keys)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM messages"); n != 3 {
			t.Errorf("%d messages, want 3", n)
		}
		if n := countRows(t, db, "SELECT COUNT(*) FROM jobs"); n != 3 {
			t.Errorf("%d jobs, want 3", n)
		}
		rows, err := sqldb.RawDB(db).Query("SELECT sealed, to_hash, event_key FROM messages")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var sealed, hash []byte
			var event string
			if err := rows.Scan(&sealed, &hash, &event); err != nil {
				t.Fatal(err)
			}
			for _, clear := range []string{"+15555550123", "15555550123", "mañana", "Prueba"} {
				if bytes.Contains(sealed, []byte(clear)) || bytes.Contains(hash, []byte(clear)) || strings.Contains(event, clear) {
					t.Errorf("%q stored in clear", clear)
				}
			}
		}
		bad := testSMS("alert:2")
		bad.To = "213-555-0100"
		_, err = db.EnqueueMessage(system, bad)
		wantCode(t, err, amparo.EINVALID)
		if amparo.ErrorField(err) != "to" {
			t.Errorf("field %q", amparo.ErrorField(err))
		}
		_, err = db.EnqueueMessage(as(amparo.RoleOrgAdmin, "org"), testSMS("alert:3"))
		wantCode(t, err, amparo.EFORBIDDEN)
	})
}

// Delivery status only moves up the lattice: a late, duplicate or
// out-of-order receipt never takes a message back.
func TestMessages_StatusLattice(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		m := testSMS("alert:lattice")
		if _, err := db.EnqueueMessage(system, m); err != nil {
			t.Fatal(err)
		}
		_, err := db.RecordDelivery(system, "", "SM-unknown", amparo.MessageDelivered)
		wantCode(t, err, amparo.ENOTFOUND)
		if err := db.RecordSend(system, m.ID, amparo.SendResult{ProviderID: "SM1", Segments: 2}); err != nil {
			t.Fatal(err)
		}
		steps := []struct {
			status amparo.MessageStatus
			moved  bool
			want   amparo.MessageStatus
		}{
			{amparo.MessageQueued, false, amparo.MessageSent},
			{amparo.MessageSent, false, amparo.MessageSent},
			{amparo.MessageDelivered, true, amparo.MessageDelivered},
			{amparo.MessageDelivered, false, amparo.MessageDelivered},
			{amparo.MessageSent, false, amparo.MessageDelivered},
			{amparo.MessageUndelivered, true, amparo.MessageUndelivered},
			{amparo.MessageDelivered, false, amparo.MessageUndelivered},
			{amparo.MessageFailed, false, amparo.MessageUndelivered},
		}
		for i, s := range steps {
			moved, err := db.RecordDelivery(system, "", "SM1", s.status)
			if err != nil || moved != s.moved {
				t.Fatalf("step %d (%s): moved %v, %v", i, s.status, moved, err)
			}
			got, err := db.FindMessageByID(system, m.ID)
			if err != nil || got.Status != s.want || got.Segments != 2 || got.ProviderID != "SM1" {
				t.Fatalf("step %d: %v %+v", i, err, got)
			}
		}
		// A receipt that comes before the provider's answer is recorded
		// finds its message by ID; the answer then takes nothing back.
		m2 := testSMS("alert:lattice2")
		db.EnqueueMessage(system, m2)
		if moved, err := db.RecordDelivery(system, m2.ID, "SM2", amparo.MessageDelivered); err != nil || !moved {
			t.Fatalf("early receipt: %v %v", moved, err)
		}
		_, err = db.RecordDelivery(system, m2.ID, "SM-other", amparo.MessageFailed)
		wantCode(t, err, amparo.ECONFLICT)
		if err := db.RecordSend(system, m2.ID, amparo.SendResult{ProviderID: "SM2"}); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindMessageByID(system, m2.ID); got.Status != amparo.MessageDelivered {
			t.Errorf("a second RecordSend made it %s", got.Status)
		}
	})
}

// Receipts racing for the same messages (a gateway retrying its
// callbacks, and sending them out of order, from many connections) move
// each message once per step up the lattice and never back, and none is
// refused with "database is locked".
func TestMessages_ConcurrentReceipts(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		const n = 12
		var ms []*amparo.Message
		for i := range n {
			m := testSMS(fmt.Sprintf("alert:race:%d", i))
			if _, err := db.EnqueueMessage(system, m); err != nil {
				t.Fatal(err)
			}
			if err := db.RecordSend(system, m.ID, amparo.SendResult{ProviderID: fmt.Sprintf("SMrace%d", i), Segments: 1}); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		var moved [n]atomic.Int32
		var wg sync.WaitGroup
		for g := range 16 {
			wg.Go(func() {
				for i := range n {
					for _, st := range []amparo.MessageStatus{amparo.MessageSent, amparo.MessageDelivered, amparo.MessageSent, amparo.MessageDelivered} {
						ok, err := db.RecordDelivery(system, "", fmt.Sprintf("SMrace%d", (i+g)%n), st)
						if err != nil {
							t.Errorf("receipt %d: %v", i, err)
							return
						}
						if ok {
							moved[(i+g)%n].Add(1)
						}
					}
				}
			})
		}
		wg.Wait()
		for i, m := range ms {
			got, err := db.FindMessageByID(system, m.ID)
			if err != nil || got.Status != amparo.MessageDelivered || moved[i].Load() != 1 {
				t.Errorf("message %d: %v, status %s, moved %d times, want delivered once", i, err, got.Status, moved[i].Load())
			}
		}
	})
}

// Failed hand-overs: retrying until the last attempt or a refusal; the
// outbox counts by channel; a failed message is retried with a new job.
func TestMessages_FailuresRetryAndStatus(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		transient, refused, waiting := testSMS("e:1"), testSMS("e:2"), testSMS("e:3")
		mail := &amparo.Message{Channel: amparo.ChannelEmail, To: "ana.prueba@example.org", Subject: "S", Body: "B", EventKey: "e:4"}
		for _, m := range []*amparo.Message{transient, refused, waiting, mail} {
			if _, err := db.EnqueueMessage(system, m); err != nil {
				t.Fatal(err)
			}
		}
		if failed, err := db.RecordSendFailure(system, transient.ID, "gateway answered 503", false); err != nil || failed {
			t.Fatalf("transient: %v %v", failed, err)
		}
		if failed, err := db.RecordSendFailure(system, refused.ID, "refused (21211)", true); err != nil || !failed {
			t.Fatalf("refused: %v %v", failed, err)
		}
		for i := range amparo.MaxSendAttempts {
			failed, err := db.RecordSendFailure(system, mail.ID, "the mail server answered 451", false)
			if err != nil || failed != (i == amparo.MaxSendAttempts-1) {
				t.Fatalf("mail attempt %d: %v %v", i+1, failed, err)
			}
		}
		got, err := db.OutboxStatus(system)
		if err != nil {
			t.Fatal(err)
		}
		// The mail failed on its last attempt: failed, not retrying.
		oc := func(c amparo.Channel, state string, n int) amparo.OutboxCount {
			return amparo.OutboxCount{Channel: c, State: state, Count: n}
		}
		want := []amparo.OutboxCount{oc(amparo.ChannelEmail, "failed", 1), oc(amparo.ChannelSMS, "failed", 1), oc(amparo.ChannelSMS, "queued", 1),
			oc(amparo.ChannelSMS, "retrying", 1)}
		if len(got) != len(want) {
			t.Fatalf("outbox %+v, want %+v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("outbox[%d] = %+v, want %+v", i, got[i], want[i])
			}
		}
		m, _ := db.FindMessageByID(system, refused.ID)
		if m.Status != amparo.MessageFailed || m.Attempts != 1 || m.LastError != "refused (21211)" {
			t.Errorf("refused: %+v", m)
		}
		wantCode(t, db.RetryMessage(system, waiting.ID), amparo.ECONFLICT)
		wantCode(t, db.RetryMessage(system, "no-such-message"), amparo.ENOTFOUND)
		if err := db.RetryMessage(system, refused.ID); err != nil {
			t.Fatal(err)
		}
		m, _ = db.FindMessageByID(system, refused.ID)
		if m.Status != amparo.MessageQueued || m.Attempts != 0 {
			t.Errorf("retried: %+v", m)
		}
		sends, _, err := db.FindJobs(system, amparo.JobFilter{Kind: amparo.JobSendMessage})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, j := range sends {
			if strings.Contains(string(j.Args), refused.ID) {
				n++
			}
		}
		if n != 2 {
			t.Errorf("%d send jobs for the retried message, want 2", n)
		}
		_, err = db.RecordSendFailure(system, "no-such-message", "x", false)
		wantCode(t, err, amparo.ENOTFOUND)
	})
}

// Opt-outs are kept by keyed hash of the number, never the number.
func TestMessages_OptOut(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		const number = "+15555550177"
		if out, err := db.OptedOut(system, number); err != nil || out {
			t.Fatalf("before: %v %v", out, err)
		}
		if err := db.SetOptOut(system, number, true, "es"); err != nil {
			t.Fatal(err)
		}
		if out, _ := db.OptedOut(system, number); !out {
			t.Error("not opted out after STOP")
		}
		if out, _ := db.OptedOut(system, "+15555550178"); out {
			t.Error("another number opted out")
		}
		if err := db.SetOptOut(system, number, false, "es"); err != nil {
			t.Fatal(err)
		}
		if out, _ := db.OptedOut(system, number); out {
			t.Error("still opted out after START")
		}
		var hash []byte
		if err := sqldb.RawDB(db).QueryRow("SELECT number_hash FROM opt_outs").Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(hash, []byte("5555550177")) {
			t.Error("the number is stored in clear")
		}
		wantCode(t, db.SetOptOut(system, "5550177", true, "en"), amparo.EINVALID)
	})
}

// After the retention period a sent message keeps its status and loses
// its recipient and body; a queued one keeps all until it is sent.
func TestMessages_PurgeBodies(t *testing.T) {
	each(t, func(t *testing.T, db *sqldb.DB) {
		now := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		sent, waiting := testSMS("p:1"), testSMS("p:2")
		db.EnqueueMessage(system, sent)
		db.EnqueueMessage(system, waiting)
		db.RecordSend(system, sent.ID, amparo.SendResult{ProviderID: "SMp"})
		db.RecordDelivery(system, "", "SMp", amparo.MessageDelivered)
		now = now.Add(amparo.MessageRetention + time.Hour)
		n, err := db.PurgeMessageBodies(system, now.Add(-amparo.MessageRetention))
		if err != nil || n != 1 {
			t.Fatalf("purged %d, %v", n, err)
		}
		m, err := db.FindMessageByID(system, sent.ID)
		if err != nil || !m.BodyPurged || m.Body != "" || m.To != "" || m.Status != amparo.MessageDelivered || m.ProviderID != "SMp" {
			t.Fatalf("%v %+v", err, m)
		}
		if m, _ := db.FindMessageByID(system, waiting.ID); m.BodyPurged || m.Body == "" {
			t.Errorf("a queued message lost its body: %+v", m)
		}
		if n, _ := db.PurgeMessageBodies(system, now); n != 0 {
			t.Errorf("purged %d again", n)
		}
	})
}

// On PostgreSQL a job committed by one process wakes the runner of
// another (LISTEN/NOTIFY); a rolled-back one does not.
func TestListenJobs_WakesOtherProcesses(t *testing.T) {
	dsn := migratedDSN(t, "postgres")
	master := envelope.GenerateMasterKey()
	listener, writer := storetest.MustOpenDSN(t, dsn, master), storetest.MustOpenDSN(t, dsn, master)
	woken := make(chan struct{}, 10)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { listener.ListenJobs(ctx, func() { woken <- struct{}{} }); close(done) }()
	defer func() { cancel(); <-done }()
	// The listener is listening once a notification sent now arrives;
	// until then, send again.
	deadline := time.After(30 * time.Second)
	for listening := false; !listening; {
		if _, err := writer.EnqueueJob(system, &amparo.Job{Kind: "probe"}); err != nil {
			t.Fatal(err)
		}
		select {
		case <-woken:
			listening = true
		case <-time.After(100 * time.Millisecond):
		case <-deadline:
			t.Fatal("no notification in 30 s")
		}
	}
	for len(woken) > 0 {
		<-woken
	}
	if err := sqldb.EnqueueMessageThenFail(system, writer, testSMS("listen:rollback")); !errors.Is(err, sqldb.ErrAfterEnqueue) {
		t.Fatal(err)
	}
	if _, err := writer.EnqueueMessage(system, testSMS("listen:1")); err != nil {
		t.Fatal(err)
	}
	select {
	case <-woken:
	case <-time.After(30 * time.Second):
		t.Fatal("the message's job woke no one")
	}
	select {
	case <-woken:
		t.Error("woken twice: the rolled-back job notified")
	case <-time.After(200 * time.Millisecond):
	}
	// SQLite has no notifications: ListenJobs returns at once.
	db, _ := storetest.OpenSQLite(t)
	if err := db.ListenJobs(t.Context(), func() {}); err != nil {
		t.Fatal(err)
	}
}
