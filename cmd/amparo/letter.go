package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/auth"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/document"
	"github.com/amparo-project/amparo/internal/safefile"
	"github.com/amparo-project/amparo/locale"
)

func runLetter(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"list":    {"[--status S] [--org ID] [--json]", "list letters", letterList},
		"show":    {"ID [--json] [--png FILE]", "show a letter and its QR text", letterShow},
		"issue":   {"ID | --client ID --member ID [--languages es,...] --as EMAIL [--code CODE]", "approve and issue a letter as the member it names, with their authenticator code: the credential is signed", letterIssue},
		"renew":   {"ID --as EMAIL [--code CODE]", "renew as the member named; the old letter is superseded and its card keeps verifying until its own date", letterRenew},
		"revoke":  {"ID --reason TEXT", "revoke a letter, for a reason", letterRevoke},
		"pdf":     {"ID --out FILE", "write the letter as a PDF: English for the officer, then the client's part in their language", letterPDF},
		"card":    {"ID --out FILE [--sheet]", "write the wallet card as a PDF: one card with crop marks, or a sheet of 10", letterCard},
		"print":   {"[--status active] [--org ID] --out DIR", "write every active letter as a PDF and their wallet cards on sheets of 10, for a print run", letterPrint},
		"reissue": {"--all-v1 [--dry-run] [--org ID] --out FILE", "reissue every active letter of credential version 1 as version 2, and write the new wallet cards to one PDF; the old cards keep verifying until their own dates", letterReissue},
		"phone":   {"ID [--new|--revoke] [--json]", "show the private link and PIN of the phone page of a letter's client (the same for all their letters); make a new one or revoke it", letterPhone},
	})
}

// letterJSON is a letter as `--json` prints it; scripts rely on its names.
type letterJSON struct {
	ID             string              `json:"id"`
	ClientID       string              `json:"client_id"`
	MemberID       string              `json:"member_id"`
	OrganizationID string              `json:"organization_id"`
	Status         amparo.LetterStatus `json:"status"`
	IssuedAt       *string             `json:"issued_at"`
	ValidUntil     *string             `json:"valid_until"`
	LastDay        string              `json:"last_day,omitempty"` // YYYY-MM-DD in the program's time zone: valid through its end
	RevokedAt      *string             `json:"revoked_at,omitempty"`
	RevokeReason   string              `json:"revoke_reason,omitempty"`
	SupersededBy   string              `json:"superseded_by,omitempty"`
	Languages      []string            `json:"languages"`
	CredentialID   string              `json:"credential_id,omitempty"`
	StatusListID   uint32              `json:"status_list_id,omitempty"`
	StatusIndex    uint32              `json:"status_index,omitempty"`
	QR             string              `json:"qr,omitempty"`
	QRVersion      int                 `json:"qr_version,omitempty"`
	QRECC          string              `json:"qr_ecc,omitempty"`
	// CredentialVersion is the version of the QR's credential (1 or 2;
	// docs/credential.md), absent for a letter not issued yet.
	CredentialVersion int `json:"credential_version,omitempty"`
}

func toJSON(l *amparo.Letter, loc *time.Location) (letterJSON, error) {
	ts := func(t time.Time) *string {
		if t.IsZero() {
			return nil
		}
		s := t.UTC().Format(time.RFC3339)
		return &s
	}
	j := letterJSON{ID: l.ID, ClientID: l.ClientID, MemberID: l.MemberID, OrganizationID: l.OrganizationID,
		Status: l.Status, IssuedAt: ts(l.IssuedAt), ValidUntil: ts(l.ValidUntil), RevokedAt: ts(l.RevokedAt),
		RevokeReason: l.RevokeReason, SupersededBy: l.SupersededBy, Languages: l.Languages,
		CredentialID: l.CredentialID, StatusListID: l.StatusListID, StatusIndex: l.StatusIndex, QR: l.QR}
	if !l.ValidUntil.IsZero() {
		j.LastDay = amparo.LastValidDay(l.ValidUntil, loc).String()
	}
	if j.Languages == nil {
		j.Languages = []string{}
	}
	if l.QR != "" {
		q, err := credential.NewQR(l.QR)
		if err != nil {
			return j, err
		}
		j.QRVersion, j.QRECC = q.Version, credential.QRLevel
		j.CredentialVersion = credential.Version(l.QR)
	}
	return j, nil
}

func letterList(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter list")
	m.dataFlags(fs)
	status := fs.String("status", "", "only letters in this `status`: "+joinNames(amparo.LetterStatuses))
	org := fs.String("org", "", "only this organization's letters (`ID`)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	// Every letter, a thousand at a time: the list is never cut short.
	all, err := allPages(1000, func(offset, limit int) ([]*amparo.Letter, int, error) {
		return m.DB.FindLetters(system(ctx), amparo.LetterFilter{Status: amparo.LetterStatus(*status), OrganizationID: *org, Offset: offset, Limit: limit})
	})
	if err != nil {
		return err
	}
	loc := m.programZone(ctx)
	if *asJSON {
		out := []letterJSON{}
		for _, l := range all {
			j, err := toJSON(l, loc)
			if err != nil {
				return err
			}
			out = append(out, j)
		}
		return m.printJSON(out)
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tSTATUS\tVALID UNTIL\tORGANIZATION\tMEMBER")
	for _, l := range all {
		until := "-"
		if !l.ValidUntil.IsZero() {
			until = amparo.LastValidDay(l.ValidUntil, loc).String()
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", l.ID, l.Status, until, l.OrganizationID, l.MemberName)
	}
	return w.Flush()
}

func letterShow(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter show")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON, with qr, qr_version and qr_ecc")
	png := fs.String("png", "", "also write the QR code as a PNG image to this `file`")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	l, err := m.DB.FindLetterByID(system(ctx), id)
	if err != nil {
		return err
	}
	if *png != "" {
		if l.QR == "" {
			return fmt.Errorf("the letter has no QR code (it is %s)", l.Status)
		}
		q, err := credential.NewQR(l.QR)
		if err != nil {
			return err
		}
		b, err := q.PNG(8)
		if err != nil {
			return err
		}
		if err := safefile.WriteNew(*png, b, 0o644); err != nil {
			return err
		}
	}
	return m.printLetter(l, m.programZone(ctx), *asJSON)
}

// programZone is the program's time zone, UTC if it cannot be read.
func (m *Main) programZone(ctx context.Context) *time.Location {
	p, err := m.DB.FindProgram(system(ctx))
	if err != nil {
		return time.UTC
	}
	return p.Location()
}

// signer is the context of the member whose account email is given,
// proven by their authenticator code: issuing and renewing are signing
// acts, which only the member named on a letter does, with their second
// factor. The operator cannot sign in their name. The code comes from
// --code or, if not given, from a line of standard input.
func (m *Main) signer(ctx context.Context, email, code string) (context.Context, error) {
	if email == "" {
		return nil, errors.New("give --as EMAIL: only the member named on a letter approves it, with their own account and authenticator code")
	}
	a, creds, err := m.DB.FindCredentials(system(ctx), email)
	if err != nil {
		return nil, fmt.Errorf("no account %s: %w", email, err)
	}
	if a.Status != amparo.AccountActive || creds.TOTPSecret == "" {
		return nil, fmt.Errorf("the account %s is suspended or has no authenticator enrolled", email)
	}
	if code == "" {
		fmt.Fprintf(m.Stderr, "Authenticator code of %s: ", email)
		line, _ := bufio.NewReader(os.Stdin).ReadString('\n')
		code = strings.TrimSpace(line)
	}
	step, ok := auth.ValidateTOTP(creds.TOTPSecret, code, time.Now(), creds.TOTPLastStep)
	actor := a.Actor()
	actor.SecondFactor = true
	sctx := amparo.NewContextWithActor(ctx, actor)
	if ok {
		if ok, err = m.DB.UseTOTPStep(sctx, a.ID, step); err != nil {
			return nil, err
		}
	}
	if !ok {
		m.DB.AuditSignInFailure(system(ctx), a.ID)
		return nil, errors.New("the authenticator code is wrong or was already used")
	}
	return sctx, nil
}

// printLetter prints a letter; its dates are days in the program's time
// zone loc, through the end of the last one.
func (m *Main) printLetter(l *amparo.Letter, loc *time.Location, asJSON bool) error {
	j, err := toJSON(l, loc)
	if err != nil {
		return err
	}
	if asJSON {
		return m.printJSON(j)
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(w, "Letter\t%s\nStatus\t%s\nClient\t%s\nMember\t%s\nOrganization\t%s\n", l.ID, l.Status, l.ClientID, l.MemberID, l.OrganizationID)
	if j.IssuedAt != nil {
		fmt.Fprintf(w, "Valid\t%s through %s (%s)\n", amparo.LastValidDay(l.IssuedAt.Add(time.Nanosecond), loc),
			amparo.LastValidDay(l.ValidUntil, loc), loc)
	}
	if l.RevokeReason != "" {
		fmt.Fprintf(w, "Revoked\t%s: %s\n", *j.RevokedAt, l.RevokeReason)
	}
	if l.SupersededBy != "" {
		fmt.Fprintf(w, "Superseded by\t%s\n", l.SupersededBy)
	}
	if l.QR != "" {
		fmt.Fprintf(w, "QR\tversion %d, error correction %s\n", j.QRVersion, j.QRECC)
	}
	w.Flush()
	if l.QR != "" {
		fmt.Fprintf(m.Stdout, "%s\n", l.QR)
	}
	return nil
}

func letterIssue(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter issue")
	m.dataFlags(fs)
	client := fs.String("client", "", "make a letter for this client (`ID`)")
	member := fs.String("member", "", "signed by this member (`ID`)")
	langs := fs.String("languages", "", "`languages` of the client's part, comma-separated (default: the client's)")
	as := fs.String("as", "", "the `email` of the account of the member named on the letter, who approves it")
	code := fs.String("code", "", "that account's authenticator `code` (default: read from standard input)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := m.parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	id := strings.Join(pos, "")
	if (id == "") == (*client == "" || *member == "") {
		fmt.Fprintln(m.Stderr, "amparo letter issue: give a draft's ID, or --client ID and --member ID")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	sign, err := m.signer(ctx, *as, *code)
	if err != nil {
		return err
	}
	ctx = system(ctx)
	if id == "" {
		mem, err := m.DB.FindMemberByID(ctx, *member)
		if err != nil {
			return err
		}
		l := &amparo.Letter{ClientID: *client, MemberID: mem.ID, OrganizationID: mem.OrganizationID}
		if *langs != "" {
			l.Languages = strings.Split(*langs, ",")
		} else if c, err := m.DB.FindClientByID(ctx, *client); err != nil {
			return err
		} else if c.Language != "en" {
			l.Languages = []string{c.Language}
		}
		if err := m.DB.CreateLetter(ctx, l); err != nil {
			return err
		}
		id = l.ID
	}
	if _, err := m.DB.IssueLetter(sign, id); err != nil {
		return err
	}
	return m.printIssued(ctx, id, *asJSON)
}

func letterRenew(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter renew")
	m.dataFlags(fs)
	as := fs.String("as", "", "the `email` of the account of the member named on the letter, who signs the renewal")
	code := fs.String("code", "", "that account's authenticator `code` (default: read from standard input)")
	asJSON := fs.Bool("json", false, "print JSON of the new letter")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	sign, err := m.signer(ctx, *as, *code)
	if err != nil {
		return err
	}
	next, err := m.DB.RenewLetter(sign, id)
	if err != nil {
		return err
	}
	return m.printIssued(ctx, next.ID, *asJSON)
}

// printIssued prints a letter just issued and, unless asJSON, its phone link.
func (m *Main) printIssued(ctx context.Context, id string, asJSON bool) error {
	l, err := m.DB.FindLetterByID(system(ctx), id)
	if err != nil {
		return err
	}
	if err := m.printLetter(l, m.programZone(ctx), asJSON); err != nil || asJSON {
		return err
	}
	return m.printPhoneLink(ctx, l.ID, false)
}

func letterPhone(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter phone")
	m.dataFlags(fs)
	renew := fs.Bool("new", false, "make a new link and PIN for the client; their old link stops working")
	revoke := fs.Bool("revoke", false, "stop the client's link from working")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	switch {
	case *revoke:
		if err := m.DB.RevokePhoneLink(system(ctx), id); err != nil {
			return err
		}
		fmt.Fprintln(m.Stdout, "The phone link no longer works.")
		return nil
	case *renew:
		if _, err := m.DB.CreatePhoneLink(system(ctx), id); err != nil {
			return err
		}
	}
	return m.printPhoneLink(ctx, id, *asJSON)
}

// printPhoneLink shows the phone link and PIN of a letter's client, to give
// them: the link is the client's, and shows their current letter.
func (m *Main) printPhoneLink(ctx context.Context, letterID string, asJSON bool) error {
	link, err := m.DB.FindPhoneLink(system(ctx), letterID)
	if err != nil {
		return err
	}
	p, err := m.DB.FindProgram(system(ctx))
	if err != nil {
		return err
	}
	link.Token = p.PhoneURL(link.Token)
	if asJSON {
		return m.printJSON(map[string]string{"letter_id": letterID, "client_id": link.ClientID, "phone_url": link.Token, "pin": link.PIN})
	}
	fmt.Fprintf(m.Stdout, "Phone page for the client: %s  PIN %s\n", link.Token, link.PIN)
	return nil
}

func letterRevoke(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter revoke")
	m.dataFlags(fs)
	reason := fs.String("reason", "", "why the letter is revoked (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	id, err := m.parseID(fs, args, "the letter ID (see amparo letter list)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	l, err := m.DB.RevokeLetter(system(ctx), id, *reason)
	if err != nil {
		return err
	}
	return m.printLetter(l, m.programZone(ctx), *asJSON)
}

func letterReissue(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("letter reissue")
	m.dataFlags(fs)
	all := fs.Bool("all-v1", false, "reissue every active letter whose credential is version 1 (required)")
	dry := fs.Bool("dry-run", false, "only count the letters to reissue; change and write nothing")
	org := fs.String("org", "", "only this organization's letters (`ID`)")
	out := fs.String("out", "", "write the new wallet cards to this PDF `file`, on sheets of 10 (required unless --dry-run; an existing file is never overwritten)")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if !*all {
		fmt.Fprintln(m.Stderr, "amparo letter reissue: give --all-v1 (every active version 1 letter is reissued)")
		return errUsage
	}
	if !*dry {
		if err := m.needOut(fs, *out); err != nil {
			return err
		}
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	cat, err := locale.Load()
	if err != nil {
		return err
	}
	bar := newProgress(m.Stdout)
	rep, err := document.ReissueV1(system(ctx), document.New(cat), m.DB, document.ReissueOptions{OrganizationID: *org, DryRun: *dry, Cards: *out, Progress: bar.set})
	bar.finish()
	if err != nil {
		if rep != nil && len(rep.Reissued) > 0 {
			fmt.Fprintf(m.Stdout, "Reissued %d letters as version 2.\n", len(rep.Reissued))
		}
		return err
	}
	switch {
	case rep.Found == 0:
		fmt.Fprintln(m.Stdout, "No active letters of credential version 1: nothing to reissue.")
		return nil
	case *dry:
		fmt.Fprintf(m.Stdout, "%d active letters of credential version 1 would be reissued as version 2 (dry run: nothing changed).\n", rep.Found)
		return nil
	}
	fmt.Fprintf(m.Stdout, "Reissued %d of %d active letters of credential version 1 as version 2.\n", len(rep.Reissued), rep.Found)
	if rep.Cards > 0 {
		fmt.Fprintf(m.Stdout, "Their %d wallet cards are in %s (%d sheets of 10, fronts then backs for long-edge duplex): give each client their new card. The old cards keep verifying until their own dates.\n",
			rep.Cards, *out, rep.Sheets)
	}
	if len(rep.Failed) > 0 {
		fmt.Fprintf(m.Stdout, "%d could not be reissued or printed:\n", len(rep.Failed))
		for _, f := range rep.Failed {
			fmt.Fprintf(m.Stdout, "  %s\n", f)
		}
		return errNotValid
	}
	return nil
}

// joinNames lists the values of a named string type (statuses, kinds) for
// a flag's help.
func joinNames[T ~string](vs []T) string {
	names := make([]string, len(vs))
	for i, v := range vs {
		names[i] = string(v)
	}
	return strings.Join(names, ", ")
}
