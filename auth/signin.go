package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/amparo-project/amparo"
)

// SignIn is the workflow of staff signing in: the limiter, the password
// hash (made again when its parameters are out of date), the second
// factor, the audit of every failure and a new session that replaces the
// browser's old one. The web calls one method per step.
type SignIn struct {
	Accounts amparo.AccountService
	Hasher   *Hasher
	Limiter  *Limiter
	// Devices recognizes browsers that signed in before (nil: none is).
	Devices *Devices
	Logger  *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// ThrottledError is a sign-in refused before any check because of too
// many failures: Wait is how long until the next try.
type ThrottledError struct{ Wait time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed sign-ins: try again in %s", e.Wait.Round(time.Second))
}

// ErrWrongPassword and ErrWrongCode are the answers to a failed attempt:
// unknown accounts, suspended ones and wrong passwords get the same one.
var (
	ErrWrongPassword = amparo.Errorf(amparo.EUNAUTHORIZED, "wrong email or password")
	ErrWrongCode     = amparo.Errorf(amparo.EUNAUTHORIZED, "wrong code")
)

// limitKey is what the limiter counts an attempt on email's account
// against: the account, or, from a browser with a device token of the
// account (Devices), that device alone.
func (s *SignIn) limitKey(email, device string) string {
	if id, ok := s.Devices.device(email, device); ok {
		return email + "\x00device " + id
	}
	return email
}

func (s *SignIn) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Password checks an email and password from addr, sent by a browser with
// the device token device ("" for none). On success it returns
// the account and the token of a new session without its second factor,
// which replaces oldToken (a token planted before signing in is worth
// nothing after). It returns *ThrottledError, ErrWrongPassword (the
// failure audited), or the store's error.
func (s *SignIn) Password(ctx context.Context, email, password, addr, device, oldToken string) (*amparo.Account, string, error) {
	email, now := amparo.NormalizeEmail(email), s.now()
	limited := s.limitKey(email, device)
	if ok, wait, err := s.Limiter.Allow(ctx, limited, addr, now); err != nil {
		return nil, "", err
	} else if !ok {
		return nil, "", &ThrottledError{Wait: wait}
	}
	account, creds, err := s.Accounts.FindCredentials(ctx, email)
	if err != nil && amparo.ErrorCode(err) != amparo.ENOTFOUND {
		return nil, "", err // a database failure is not a wrong password
	}
	ok := false
	if err == nil && account.Status == amparo.AccountActive {
		var rehash bool
		ok, rehash, err = s.Hasher.Verify(ctx, password, creds.PasswordHash)
		if err != nil && ctx.Err() != nil {
			return nil, "", err
		}
		if ok && rehash {
			s.rehash(ctx, account, password)
		}
	} else {
		s.Hasher.VerifyNoAccount(ctx, password)
	}
	if !ok {
		id := ""
		if account != nil {
			id = account.ID
		}
		return nil, "", s.fail(ctx, limited, addr, id, ErrWrongPassword)
	}
	s.limits(ctx, s.Limiter.Succeed(ctx, limited, addr, now))
	token, err := s.Rotate(ctx, oldToken, account.ID, false)
	if err != nil {
		return nil, "", err
	}
	return account, token, nil
}

// rehash stores the password's hash again with the current parameters;
// a failure leaves the old hash, which still verifies, and is logged.
func (s *SignIn) rehash(ctx context.Context, a *amparo.Account, password string) {
	h, err := s.Hasher.Hash(ctx, password)
	if err == nil {
		err = s.Accounts.SetPasswordHash(amparo.NewContextWithActor(ctx, a.Actor()), a.ID, h)
	}
	if err != nil && s.Logger != nil {
		s.Logger.Warn("password rehash failed", "err", err)
	}
}

// limits logs a limiter's failure to record an outcome: the attempt was
// counted as a failure when it was allowed, so the worst a lost outcome
// does is keep that count, which errs on the guesser's side.
func (s *SignIn) limits(ctx context.Context, err error) {
	if err != nil && s.Logger != nil {
		s.Logger.WarnContext(ctx, "sign-in outcome not recorded by the limiter", "err", err)
	}
}

// fail counts a failed attempt on limited (a limitKey) and audits it,
// returning answer, or the audit's error: a failure that cannot be
// recorded is not passed over. The failure is dated now, after the
// password's check: the wait runs from it, however long the check took on
// a busy machine.
func (s *SignIn) fail(ctx context.Context, limited, addr string, accountID string, answer error) error {
	s.limits(ctx, s.Limiter.Fail(ctx, limited, addr, s.now()))
	if err := s.Accounts.AuditSignInFailure(ctx, accountID); err != nil {
		return fmt.Errorf("audit a failed sign-in: %w", err)
	}
	return answer
}

// Code checks the second factor of a session that gave its password: a
// TOTP code, once, or a recovery code. On success it returns the token of
// a new session with its second factor, replacing oldToken. A device
// token is recognized as by Password. It returns
// *ThrottledError, ErrWrongCode (the failure audited), or the store's
// error.
func (s *SignIn) Code(ctx context.Context, sess *amparo.Session, code, addr, device, oldToken string) (string, error) {
	now, email := s.now(), sess.Account.Email
	limited := s.limitKey(email, device)
	if ok, wait, err := s.Limiter.Allow(ctx, limited, addr, now); err != nil {
		return "", err
	} else if !ok {
		return "", &ThrottledError{Wait: wait}
	}
	_, creds, err := s.Accounts.FindCredentials(ctx, email)
	if err != nil {
		return "", err
	}
	ok := false
	if step, valid := ValidateTOTP(creds.TOTPSecret, code, now, creds.TOTPLastStep); valid {
		ok, err = s.Accounts.UseTOTPStep(ctx, sess.AccountID, step)
	} else if len(code) > 8 {
		ok, err = s.Accounts.UseRecoveryCode(ctx, sess.AccountID, HashRecoveryCode(code))
	}
	if err != nil {
		return "", err
	}
	if !ok {
		return "", s.fail(ctx, limited, addr, sess.AccountID, ErrWrongCode)
	}
	s.limits(ctx, s.Limiter.Succeed(ctx, limited, addr, now))
	return s.Rotate(ctx, oldToken, sess.AccountID, true)
}

// Reauthenticate checks the signed-in person's password again before a
// change of their sign-in details, throttled like signing in (a device
// token recognized as by Password). It returns *ThrottledError,
// ErrWrongPassword, or the store's error.
func (s *SignIn) Reauthenticate(ctx context.Context, a *amparo.Account, password, addr, device string) error {
	now, limited := s.now(), s.limitKey(a.Email, device)
	if ok, wait, err := s.Limiter.Allow(ctx, limited, addr, now); err != nil {
		return err
	} else if !ok {
		return &ThrottledError{Wait: wait}
	}
	_, creds, err := s.Accounts.FindCredentials(ctx, a.Email)
	if err != nil {
		return err
	}
	ok, _, err := s.Hasher.Verify(ctx, password, creds.PasswordHash)
	if err != nil && ctx.Err() != nil {
		return err
	}
	if !ok {
		s.limits(ctx, s.Limiter.Fail(ctx, limited, addr, s.now()))
		return ErrWrongPassword
	}
	s.limits(ctx, s.Limiter.Succeed(ctx, limited, addr, now))
	return nil
}

// Rotate ends the session of oldToken (if any) and starts a new one for
// the account.
func (s *SignIn) Rotate(ctx context.Context, oldToken, accountID string, secondFactor bool) (string, error) {
	if oldToken != "" {
		if err := s.Accounts.DeleteSession(ctx, oldToken); err != nil {
			return "", err
		}
	}
	return s.Accounts.CreateSession(ctx, accountID, secondFactor)
}

// PasswordCode is the code of a password the policy refuses (see
// CheckPassword), "" for any other error.
func PasswordCode(err error) string {
	var pe *PasswordError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
