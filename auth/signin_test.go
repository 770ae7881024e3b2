package auth

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/amparo-project/amparo"
)

// accounts is a store of accounts for SignIn alone: calling any other
// method of the service panics (the embedded interface is nil).
type accounts struct {
	amparo.AccountService
	byEmail  map[string]*amparo.Account
	creds    map[string]*amparo.Credentials
	findErr  error    // FindCredentials fails with it
	auditErr error    // AuditSignInFailure fails with it
	audited  []string // the account of each failure audited, "" for none
	finds    int
	created  []string // account|secondFactor of each session made
	deleted  []string // tokens of sessions ended
	rehashed []string
}

func (s *accounts) FindCredentials(_ context.Context, email string) (*amparo.Account, *amparo.Credentials, error) {
	s.finds++
	if s.findErr != nil {
		return nil, nil, s.findErr
	}
	a, ok := s.byEmail[email]
	if !ok {
		return nil, nil, amparo.Errorf(amparo.ENOTFOUND, "no account")
	}
	return a, s.creds[a.ID], nil
}

func (s *accounts) AuditSignInFailure(_ context.Context, accountID string) error {
	if s.auditErr != nil {
		return s.auditErr
	}
	s.audited = append(s.audited, accountID)
	return nil
}

func (s *accounts) CreateSession(_ context.Context, accountID string, secondFactor bool) (string, error) {
	s.created = append(s.created, accountID+"|"+map[bool]string{true: "2fa", false: "password"}[secondFactor])
	return "token-" + accountID, nil
}

func (s *accounts) DeleteSession(_ context.Context, token string) error {
	s.deleted = append(s.deleted, token)
	return nil
}

func (s *accounts) SetPasswordHash(_ context.Context, accountID, _ string) error {
	s.rehashed = append(s.rehashed, accountID)
	return nil
}

// TestSignIn_Password: the right password starts a new session replacing
// the old; a wrong password, an unknown account and a suspended one get
// the same answer after the same argon2 work, each failure audited; too
// many failures are refused before any work; a failure of the store is
// neither a wrong password nor passed over.
func TestSignIn_Password(t *testing.T) {
	ctx := context.Background()
	h := NewTestHasher()
	hash, err := h.Hash(ctx, "correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	rosa := &amparo.Account{ID: "acc-rosa", Email: "rosa@centro-ejemplo.example", Role: amparo.RoleIntake, Status: amparo.AccountActive}
	gone := &amparo.Account{ID: "acc-gone", Email: "gone@centro-ejemplo.example", Role: amparo.RoleIntake, Status: amparo.AccountSuspended}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	world := func() (*SignIn, *accounts) {
		st := &accounts{byEmail: map[string]*amparo.Account{rosa.Email: rosa, gone.Email: gone},
			creds: map[string]*amparo.Credentials{rosa.ID: {PasswordHash: hash}, gone.ID: {PasswordHash: hash}}}
		lim := NewLimiter(LimiterConfig{PairFree: 3, PairBase: time.Minute, PairMax: time.Hour, AccountFree: 100, AccountBase: time.Second,
			AccountMax: time.Minute, AddrBurst: 100, AddrRefill: time.Second, Forget: time.Hour, MaxEntries: 100})
		return &SignIn{Accounts: st, Hasher: h, Limiter: lim, Now: func() time.Time { return now }}, st
	}

	s, st := world()
	a, token, err := s.Password(ctx, " Rosa@Centro-Ejemplo.example ", "correct horse battery staple", "192.0.2.1", "", "planted")
	if err != nil || a.ID != rosa.ID || token != "token-acc-rosa" {
		t.Fatalf("right password: %v %q %v", a, token, err)
	}
	if len(st.deleted) != 1 || st.deleted[0] != "planted" || len(st.created) != 1 || st.created[0] != "acc-rosa|password" || len(st.audited) != 0 {
		t.Fatalf("the old session is not replaced by one without its second factor: %+v", st)
	}

	// Wrong password, unknown account, suspended account: one answer,
	// one argon2 computation each, each audited.
	for _, tt := range []struct{ name, email, audited string }{
		{"wrong password", rosa.Email, rosa.ID},
		{"unknown account", "nobody@centro-ejemplo.example", ""},
		{"suspended account", gone.Email, gone.ID},
	} {
		s, st := world()
		runs := h.runs.Load()
		a, token, err := s.Password(ctx, tt.email, "not the password at all", "192.0.2.1", "", "")
		if err != ErrWrongPassword || a != nil || token != "" {
			t.Errorf("%s: %v %q %v, want ErrWrongPassword", tt.name, a, token, err)
		}
		if n := h.runs.Load() - runs; n != 1 {
			t.Errorf("%s: %d argon2 computations, want 1 (the same work whether or not the account exists)", tt.name, n)
		}
		if len(st.audited) != 1 || st.audited[0] != tt.audited || len(st.created) != 0 {
			t.Errorf("%s: audited %q, sessions %v", tt.name, st.audited, st.created)
		}
	}

	// Throttled: after three failures from one address, the fourth is
	// refused before the store or the hasher is asked, and not audited.
	s, st = world()
	for range 3 {
		if _, _, err := s.Password(ctx, rosa.Email, "wrong", "192.0.2.7", "", ""); err != ErrWrongPassword {
			t.Fatal(err)
		}
	}
	finds, runs := st.finds, h.runs.Load()
	_, _, err = s.Password(ctx, rosa.Email, "correct horse battery staple", "192.0.2.7", "", "")
	var throttled *ThrottledError
	if !errors.As(err, &throttled) || throttled.Wait <= 0 || st.finds != finds || h.runs.Load() != runs || len(st.audited) != 3 {
		t.Fatalf("throttled: %v (finds %d→%d, runs %d→%d, audited %d)", err, finds, st.finds, runs, h.runs.Load(), len(st.audited))
	}
	// Another address is not slowed down by this one's guesses.
	if _, _, err := s.Password(ctx, rosa.Email, "correct horse battery staple", "198.51.100.2", "", ""); err != nil {
		t.Fatalf("from another address: %v", err)
	}

	// A failure that cannot be audited is an error, not a quiet "wrong".
	s, st = world()
	st.auditErr = errors.New("disk full")
	if _, _, err := s.Password(ctx, rosa.Email, "wrong", "192.0.2.1", "", ""); err == nil || err == ErrWrongPassword || !errors.Is(err, st.auditErr) {
		t.Fatalf("unaudited failure: %v", err)
	}
	// The store failing is its error, not a wrong password, and no
	// failure is counted against the person.
	s, st = world()
	st.findErr = errors.New("database is closed")
	if _, _, err := s.Password(ctx, rosa.Email, "correct horse battery staple", "192.0.2.1", "", ""); !errors.Is(err, st.findErr) ||
		amparo.ErrorCode(err) != amparo.EINTERNAL || len(st.audited) != 0 {
		t.Fatalf("store failure: %v (audited %v)", err, st.audited)
	}
}

// TestSignIn_Rehash: a password hashed with weaker parameters than the
// Hasher's is hashed again at sign-in.
func TestSignIn_Rehash(t *testing.T) {
	ctx := context.Background()
	weak := newHasher(Params{Memory: 32, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}, 1)
	hash, _ := weak.Hash(ctx, "correct horse battery staple")
	rosa := &amparo.Account{ID: "acc-rosa", Email: "rosa@centro-ejemplo.example", Role: amparo.RoleIntake, Status: amparo.AccountActive}
	st := &accounts{byEmail: map[string]*amparo.Account{rosa.Email: rosa}, creds: map[string]*amparo.Credentials{rosa.ID: {PasswordHash: hash}}}
	s := &SignIn{Accounts: st, Hasher: NewTestHasher(), Limiter: NewLimiter(DefaultLimiterConfig)}
	if _, _, err := s.Password(ctx, rosa.Email, "correct horse battery staple", "192.0.2.1", "", ""); err != nil {
		t.Fatal(err)
	}
	if len(st.rehashed) != 1 || st.rehashed[0] != rosa.ID {
		t.Fatalf("rehashed: %v", st.rehashed)
	}
}
