package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/amparo-project/amparo"
)

// applicantsPerOrganization is how many people each organization's queue
// holds: a few dozen, across every tier of the shipped policy.
const applicantsPerOrganization = 36

// profile is a kind of person asking for a letter, as the shipped priority
// policy ranks them; set writes its facts over a fictional person's.
type profile struct {
	name string
	set  func(r *rand.Rand, f *amparo.Facts, now time.Time)
}

// profiles spans the queue: tier 1 (TPS holders facing removal), tier 2
// (detained), then points (a hearing soon, an unaccompanied child, a
// survivor, unhoused, asylum, DACA), and people who left their situation
// unanswered and score nothing.
var profiles = []profile{
	{"tps-facing-removal", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation, f.TPSCountry = amparo.SituationTPS, pick(r, tpsCountries)
		f.FacingRemoval, f.NoticeToAppear = true, true
		f.NextHearing = day(now.AddDate(0, 0, 45+r.IntN(120)))
	}},
	{"detained", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation = pick(r, []string{amparo.SituationAsylum, amparo.SituationPendingCase, amparo.SituationUnknown})
		f.Detained, f.FacingRemoval, f.NoticeToAppear = true, true, true
	}},
	{"hearing-soon", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation = amparo.SituationPendingCase
		f.FacingRemoval, f.NoticeToAppear = true, true
		f.NextHearing = day(now.AddDate(0, 0, 8+r.IntN(20)))
	}},
	{"unaccompanied-minor", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation, f.UnaccompaniedMinor = amparo.SituationAsylum, true
		f.BirthDate = day(now.AddDate(-14-r.IntN(3), -r.IntN(12), -r.IntN(28)))
		f.PreferredName = ""
	}},
	{"unanswered", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation = amparo.SituationUnknown
	}},
	{"tps-holder", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation, f.TPSCountry = amparo.SituationTPS, pick(r, tpsCountries)
	}},
	{"survivor", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation, f.Survivor = pick(r, []string{amparo.SituationAsylum, amparo.SituationOther}), true
	}},
	{"hearing-within-90-days", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation = pick(r, []string{amparo.SituationAsylum, amparo.SituationNoneKnown})
		f.FacingRemoval, f.NoticeToAppear = true, true
		f.NextHearing = day(now.AddDate(0, 0, 40+r.IntN(45)))
	}},
	{"unhoused", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation, f.Unhoused = amparo.SituationNoneKnown, true
	}},
	{"daca", func(r *rand.Rand, f *amparo.Facts, now time.Time) {
		f.Situation = amparo.SituationDACA
	}},
}

// seedApplicants fills each organization's queue with fictional people who
// asked for a letter over the last six weeks, some through the public form
// and some entered by staff; two in each organization wrote a second time
// (the second unanswered one, now detained, with their code; a DACA
// recipient, now with a hearing soon and a new phone, by name and date of
// birth alone), so their history shows an update by the applicant, and a
// phone proposed for staff to confirm.
// Applicants live in their organization's service area, so matches can be
// proposed. setNow moves the store's clock to each intake's day.
func seedApplicants(ctx context.Context, s amparo.ApplicantService, orgs []*amparo.Organization, now time.Time, setNow func(time.Time)) error {
	r := rand.New(rand.NewPCG(2018, 10))
	for oi, o := range orgs {
		staff := amparo.NewContextWithActor(ctx, amparo.Actor{ID: "demo-intake", Role: amparo.RoleIntake, OrganizationID: o.ID})
		public := amparo.NewContextWithActor(ctx, amparo.PublicIntakeActor(o.ID))
		for i := range applicantsPerOrganization {
			lang := "es"
			if i%3 == 2 {
				lang = "en"
			}
			pr := profiles[i%len(profiles)]
			received := now.AddDate(0, 0, -(42 - i*42/applicantsPerOrganization)).Add(-time.Duration(r.IntN(8*60)) * time.Minute)
			a, err := newApplicant(r, o, lang, pr, received)
			if err != nil {
				return fmt.Errorf("applicant %d of %q (%s): %w", i, o.Name, pr.name, err)
			}
			a.Key = fmt.Sprintf("demo-%d-%d", oi, i)
			by, recordedBy := public, amparo.ApplicantActorID
			if i%4 == 3 {
				by, recordedBy = staff, "demo-intake"
			}
			a.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: received.UTC().Truncate(time.Second), RecordedBy: recordedBy, Language: lang}}
			setNow(received)
			if _, err := s.SubmitApplicant(by, a, ""); err != nil {
				return fmt.Errorf("applicant %d of %q: %w", i, o.Name, err)
			}
			if later, at := writesAgain(r, pr.name, i, a, received, now); later != nil {
				// The person sends the public form again, giving their code;
				// the DACA recipient does not, so the new phone they give is
				// only proposed, for staff to confirm.
				setNow(at)
				ref := a.Reference
				if pr.name == "daca" {
					ref = ""
				}
				if _, err := s.SubmitApplicant(public, later, ref); err != nil {
					return fmt.Errorf("applicant %d of %q writing again: %w", i, o.Name, err)
				}
			}
			if i%9 == 7 {
				// Intake staff have begun screening some.
				setNow(received.Add(30 * time.Hour))
				if err := s.SetApplicantStatus(staff, a.ID, amparo.ApplicantScreening, "", ""); err != nil {
					return err
				}
			}
		}
	}
	setNow(now)
	return nil
}

// newApplicant is a fictional person of o's service area, as demo's clients
// are, with the facts of a profile.
func newApplicant(r *rand.Rand, o *amparo.Organization, lang string, pr profile, received time.Time) (*amparo.Applicant, error) {
	c := Client(r, o.ID, lang, received)
	f := amparo.Facts{Personal: c.Personal, InterpreterOK: r.IntN(3) == 0, IntakeDate: day(received)}
	// Only the profile's facts: what the person did not say stays unsaid.
	f.Situation, f.TPSCountry = amparo.SituationUnknown, ""
	f.FacingRemoval, f.NoticeToAppear, f.Detained, f.NextHearing = false, false, false, amparo.Date{}
	f.Consents = nil
	if len(o.ServiceArea) > 0 {
		f.Address.City = pick(r, o.ServiceArea)
	}
	if r.IntN(4) == 0 {
		f.Email = fmt.Sprintf("persona%d@correo.example", r.IntN(1000))
	}
	pr.set(r, &f, received)
	check := amparo.Client{OrganizationID: o.ID, Personal: f.Personal}
	if err := check.Validate(); err != nil {
		return nil, err
	}
	return &amparo.Applicant{OrganizationID: o.ID, Facts: f}, nil
}

// writesAgain returns the second form of the people who send one: the
// first unanswered profile of an organization, now detained and seeking
// asylum; the first DACA recipient, now with a hearing soon and a new
// phone. Everyone else writes once. at is when they send it.
func writesAgain(r *rand.Rand, profile string, i int, a *amparo.Applicant, received, now time.Time) (later *amparo.Applicant, at time.Time) {
	if i >= len(profiles) {
		return nil, at
	}
	later = &amparo.Applicant{OrganizationID: a.OrganizationID, Key: a.Key, Facts: amparo.Facts{Personal: amparo.Personal{
		LegalName: a.LegalName, BirthDate: a.BirthDate, Language: a.Language}}}
	at = received.AddDate(0, 0, 3+r.IntN(5))
	if at.After(now) {
		at = now
	}
	later.IntakeDate = day(at)
	switch profile {
	case "unanswered":
		later.Situation, later.Detained, later.FacingRemoval = amparo.SituationAsylum, true, true
	case "daca":
		later.FacingRemoval, later.NoticeToAppear = true, true
		later.NextHearing = day(now.AddDate(0, 0, 12+r.IntN(10)))
		later.Phone = Phone(r)
	default:
		return nil, at
	}
	later.Consents = []amparo.Consent{{Purpose: amparo.ConsentDataStorage, GivenAt: at.UTC().Truncate(time.Second),
		RecordedBy: amparo.ApplicantActorID, Language: a.Language}}
	return later, at
}

// day is t's calendar day, as intake records dates.
func day(t time.Time) amparo.Date {
	return amparo.Date{Time: time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)}
}
