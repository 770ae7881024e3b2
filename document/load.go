package document

import (
	"context"

	"github.com/amparo-project/amparo"
)

// Source is what a Loader reads a letter's parts from: the store's
// services, scoped to the caller's actor.
type Source interface {
	amparo.ProgramService
	amparo.OrganizationService
	amparo.MemberService
	amparo.ClientService
	amparo.LetterService
	amparo.PhoneService
}

// Loader gathers what letters print, remembering the program, members and
// organizations a batch shares. It is not safe for concurrent use.
type Loader struct {
	src     Source
	program *amparo.Program
	members map[string]*amparo.Member
	orgs    map[string]*amparo.Organization
}

// NewLoader returns a loader reading from src.
func NewLoader(ctx context.Context, src Source) (*Loader, error) {
	p, err := src.FindProgram(ctx)
	if err != nil {
		return nil, err
	}
	return &Loader{src: src, program: p, members: map[string]*amparo.Member{}, orgs: map[string]*amparo.Organization{}}, nil
}

// Load returns what letter id prints: only an active letter is printed.
func (ld *Loader) Load(ctx context.Context, id string) (*Letter, error) {
	l, err := ld.src.FindLetterByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if l.Status != amparo.LetterActive {
		return nil, amparo.Errorf(amparo.EINVALID, "letter %s is %s: only active letters are printed", l.ID, l.Status)
	}
	c, err := ld.src.FindClientByID(ctx, l.ClientID)
	if err != nil {
		return nil, err
	}
	mem, ok := ld.members[l.MemberID]
	if !ok {
		if mem, err = ld.src.FindMemberByID(ctx, l.MemberID); err != nil {
			return nil, err
		}
		ld.members[l.MemberID] = mem
	}
	org, ok := ld.orgs[l.OrganizationID]
	if !ok {
		if org, err = ld.src.FindOrganizationByID(ctx, l.OrganizationID); err != nil {
			return nil, err
		}
		ld.orgs[l.OrganizationID] = org
	}
	d := NewLetter(l, c, mem, org, ld.program)
	// The client's part carries the phone page's private link, if any.
	if link, err := ld.src.FindPhoneLink(ctx, l.ID); err == nil {
		d.PhoneLink = ld.program.PhoneURL(link.Token)
	} else if amparo.ErrorCode(err) != amparo.ENOTFOUND {
		return nil, err
	}
	return d, d.Validate()
}
