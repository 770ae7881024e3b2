package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/qrscan"
)

// errNotValid ends verify with exit status 1 after the result is printed.
var errNotValid = errors.New("not valid")

func runVerify(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("verify")
	m.dataFlags(fs)
	image := fs.String("image", "", "read the QR code from a PNG or JPEG `photo`")
	pdf := fs.String("pdf", "", "read the QR code from a letter or card `PDF`")
	trust := fs.String("trust", "", "trust bundle `FILE or URL` (from amparo trust export, or https://HOST/v/bundle); default: this server's database")
	root := fs.String("root", "", "refuse a bundle whose root key `fingerprint` differs")
	zone := fs.String("time-zone", "", "the program's time `zone` (IANA name), to print the last valid day in; default: the program's, from this server's database, else UTC")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	pos, err := m.parseArgs(fs, args, 1)
	if err != nil {
		return err
	}
	text := strings.Join(pos, "")
	if n := countSet(text, *image, *pdf); n != 1 {
		fmt.Fprintln(m.Stderr, "amparo verify: give one of TEXT (or - for standard input), --image FILE or --pdf FILE")
		return errUsage
	}
	text, err = m.readQR(ctx, text, *image, *pdf)
	if err != nil {
		return err
	}
	b, err := m.loadBundle(ctx, *trust)
	if err != nil {
		return err
	}
	if *root != "" && !strings.EqualFold(*root, credential.Fingerprint(b.Root)) {
		return fmt.Errorf("the trust bundle's root key is %s, not %s: it is not this program's", credential.Fingerprint(b.Root), *root)
	}
	v, rejected, err := b.Verifier()
	if err != nil {
		return fmt.Errorf("the trust bundle does not verify against its root key: %v", err)
	}
	for _, e := range rejected {
		fmt.Fprintf(m.Stderr, "amparo verify: ignoring %v\n", e)
	}
	r := v.Verify(text, time.Now())
	if *asJSON {
		if err := m.printJSON(r); err != nil {
			return err
		}
	} else {
		loc := time.UTC
		if *zone != "" {
			if loc, err = time.LoadLocation(*zone); err != nil {
				return fmt.Errorf("--time-zone: %v", err)
			}
		} else if *trust == "" {
			loc = m.programZone(ctx)
		}
		printResult(m.Stdout, r, loc)
	}
	if r.Status != credential.StatusValid {
		return errNotValid
	}
	return nil
}

func countSet(ss ...string) int {
	n := 0
	for _, s := range ss {
		if s != "" {
			n++
		}
	}
	return n
}

// readQR returns the QR text given on the command line, on standard input,
// or found in a photo or PDF. Of several codes, the one letter credential is
// taken (a letter also prints its phone page's link).
func (m *Main) readQR(ctx context.Context, text, image, pdf string) (string, error) {
	switch {
	case text == "-":
		b, err := io.ReadAll(io.LimitReader(os.Stdin, credential.MaxQRText+1))
		return strings.TrimSpace(string(b)), err
	case text != "":
		return text, nil
	}
	var texts []string
	var err error
	if image != "" {
		f, ferr := os.Open(image)
		if ferr != nil {
			return "", ferr
		}
		defer f.Close()
		texts, err = qrscan.FromImage(f)
	} else {
		texts, err = qrscan.FromPDF(ctx, pdf)
	}
	if errors.Is(err, qrscan.ErrNone) {
		return "", fmt.Errorf("no QR code found in %s%s", image, pdf)
	} else if err != nil {
		return "", fmt.Errorf("%s%s: %v", image, pdf, err)
	}
	var letters []string
	for _, t := range texts {
		if _, err := credential.ParseQR(t); err == nil && strings.Contains(t, "#") {
			letters = append(letters, t)
		}
	}
	switch len(letters) {
	case 0:
		if len(texts) == 1 {
			return texts[0], nil // not a letter: verification says so
		}
		return "", fmt.Errorf("%s%s holds %d QR codes and none is a letter's", image, pdf, len(texts))
	case 1:
		return letters[0], nil
	}
	return "", fmt.Errorf("%s%s holds %d letter QR codes: photograph or crop one", image, pdf, len(letters))
}

// loadBundle reads a trust bundle from a file or URL, or from the database.
func (m *Main) loadBundle(ctx context.Context, src string) (*credential.Bundle, error) {
	var data []byte
	switch {
	case strings.HasPrefix(src, "https://") || strings.HasPrefix(src, "http://"):
		req, err := http.NewRequestWithContext(ctx, "GET", src, nil)
		if err != nil {
			return nil, err
		}
		c := &http.Client{Timeout: 20 * time.Second}
		res, err := c.Do(req)
		if err != nil {
			return nil, fmt.Errorf("cannot fetch the trust bundle: %v", err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 {
			return nil, fmt.Errorf("cannot fetch the trust bundle: %s answered %s", src, res.Status)
		}
		if data, err = io.ReadAll(io.LimitReader(res.Body, credential.MaxBundleSize+1)); err != nil {
			return nil, err
		}
	case src != "":
		f, err := os.Open(src)
		if err != nil {
			return nil, fmt.Errorf("trust bundle: %v", err)
		}
		defer f.Close()
		if data, err = io.ReadAll(io.LimitReader(f, credential.MaxBundleSize+1)); err != nil {
			return nil, err
		}
	default:
		if err := m.open(ctx); err != nil {
			return nil, fmt.Errorf("%v (or give a trust bundle with --trust)", err)
		}
		doc, err := m.DB.FindBundle(system(ctx))
		if err != nil {
			return nil, err
		}
		data = doc.Bytes
	}
	b, err := credential.ParseBundle(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", src, err)
	}
	return b, nil
}

var statusWords = map[credential.Status]string{
	credential.StatusValid: "VALID", credential.StatusRevoked: "REVOKED", credential.StatusExpired: "EXPIRED",
	credential.StatusNotGenuine: "NOT GENUINE", credential.StatusUnknownIssuer: "UNKNOWN ISSUER",
	credential.StatusIssuerRevoked: "ISSUER REVOKED",
}

// printResult prints a result; a letter is valid through the end of its
// last day in the program's time zone loc, which it prints.
func printResult(out io.Writer, r credential.Result, loc *time.Location) {
	fmt.Fprintln(out, statusWords[r.Status])
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	if c := r.Claims; c != nil {
		fmt.Fprintf(w, "Client\t%s\n", c.ClientName)
		if c.BarNumber != "" {
			fmt.Fprintf(w, "Attorney\t%s (bar %s %s)\n", c.MemberName, c.BarJurisdiction, c.BarNumber)
		} else {
			fmt.Fprintf(w, "Representative\t%s (%s, accredited %s)\n", c.MemberName, c.Organization, c.Accreditation)
		}
		fmt.Fprintf(w, "Phone\t%s\n", c.Phone)
		fmt.Fprintf(w, "Issued by\t%s\n", r.Issuer)
		fmt.Fprintf(w, "Valid\t%s through %s (%s)\n", c.IssuedAt.In(loc).Format("2006-01-02"), amparo.LastValidDay(c.Expires, loc), loc)
	}
	if c := r.ClaimsV2; c != nil {
		fmt.Fprintf(w, "Client\t%s\n", c.ClientName)
		printMember(w, r)
		fmt.Fprintf(w, "Issued by\t%s\n", r.Issuer)
		fmt.Fprintf(w, "Valid\t%s through %s (%s)\n", c.IssuedOn.Format("2006-01-02"), amparo.LastValidDay(c.Expires, loc), loc)
	}
	if r.StatusListAsOf != nil {
		fmt.Fprintf(w, "Revocation data as of\t%s\n", r.StatusListAsOf.Format(time.RFC3339))
	}
	if r.RosterAsOf != nil {
		fmt.Fprintf(w, "Roster as of\t%s\n", r.RosterAsOf.Format(time.RFC3339))
	}
	if r.Reason != "" {
		fmt.Fprintf(w, "Why\t%s\n", r.Reason)
	}
	w.Flush()
}

// printMember prints a version 2 letter's member from the organization's
// roster. A member no longer active is named with what happened and the
// organization's number in place of theirs: never a number that no longer
// answers.
func printMember(w io.Writer, r credential.Result) {
	if m := r.Member; m != nil {
		if m.BarNumber != "" {
			fmt.Fprintf(w, "Attorney\t%s (bar %s %s)\n", m.Name, m.BarJurisdiction, m.BarNumber)
		} else {
			fmt.Fprintf(w, "Representative\t%s (%s, accredited %s)\n", m.Name, m.Organization, m.Accreditation)
		}
	}
	switch r.MemberNotice {
	case credential.NoticeLeft:
		fmt.Fprintf(w, "Note\tthis member has left the organization and no longer handles this letter: call the organization\n")
	case credential.NoticeSuspended:
		fmt.Fprintf(w, "Note\tthis member is suspended and cannot handle this letter now: call the organization\n")
	case credential.NoticeUnknownMember:
		fmt.Fprintf(w, "Note\tthe organization's roster does not list this letter's member: call the organization\n")
	case credential.NoticeNoRoster:
		fmt.Fprintf(w, "Note\tno roster of the organization loaded: the member and their phone cannot be shown\n")
	}
	switch {
	case r.Contact == "":
	case r.MemberNotice == "":
		fmt.Fprintf(w, "Phone\t%s\n", r.Contact)
	default:
		fmt.Fprintf(w, "Organization phone\t%s\n", r.Contact)
	}
}
