package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
	"github.com/amparo-project/amparo/envelope"
	"github.com/amparo-project/amparo/internal/safefile"
	"github.com/amparo-project/amparo/sqldb"
)

func runKeys(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"master": {"[--out FILE]", "generate a master key for encrypting clients' data", keysMaster},
		"root":   {"new|set-public|export|forget ...", "make the program root key, or keep it offline", keysRoot},
		"org":    {"new --org ID", "give an organization a new issuing key, retiring its old one (rotation)", keysOrgNew},
		"revoke": {"KEY-ID", "revoke an organization's issuing key: its letters fail as issuer revoked", keysRevoke},
		"list":   {"[--json]", "list the program's signing keys", keysList},
	})
}

func keysMaster(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys master")
	out := fs.String("out", "", "write the key to this `file` (mode 0600) instead of printing it")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	k := envelope.GenerateMasterKey()
	if *out == "" {
		fmt.Fprintln(m.Stdout, envelope.EncodeKey(k))
		return nil
	}
	if err := envelope.WriteKeyFile(*out, k); err != nil {
		return fmt.Errorf("cannot write %s: %v (an existing key is never overwritten)", *out, errors.Unwrap(err))
	}
	fmt.Fprintf(m.Stdout, "Wrote a new master key to %s. Back it up apart from the database: without it, no client can be read.\n", *out)
	return nil
}

func keysRoot(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"new":        {"[--out FILE] [--data DIR] [--db DSN]", "make the root key: in the database, or with --out in a file alone (on an offline machine)", rootNew},
		"set-public": {"KEY [--data DIR] [--db DSN]", "record the public half of a root key kept offline (base64)", rootSetPublic},
		"export":     {"--out FILE [--data DIR] [--db DSN]", "copy the root private key to a file, to keep offline", rootExport},
		"forget":     {"[--data DIR] [--db DSN]", "delete the root private key from the database (export it first)", rootForget},
	})
}

func rootNew(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys root new")
	m.dataFlags(fs)
	out := fs.String("out", "", "write the new root key to this `file` only, touching no database")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *out != "" {
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		if err := envelope.WriteKeyFile(*out, priv.Seed()); err != nil {
			return fmt.Errorf("cannot write %s: %v (an existing key is never overwritten)", *out, errors.Unwrap(err))
		}
		fmt.Fprintf(m.Stdout, "Wrote a new root key to %s. Keep it offline.\nIts public key, for amparo keys root set-public on the server:\n  %s\nFingerprint: %s\n",
			*out, base64.StdEncoding.EncodeToString(pub), credential.Fingerprint(pub))
		return nil
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	k, err := m.DB.CreateRootKey(system(ctx))
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Made the program root key (fingerprint %s); it is kept sealed in the database.\n", k.KeyID)
	return nil
}

func rootSetPublic(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys root set-public")
	m.dataFlags(fs)
	key, err := m.parseID(fs, args, "the public key (base64)")
	if err != nil {
		return err
	}
	pub, err := base64.StdEncoding.DecodeString(key)
	if err != nil {
		return fmt.Errorf("the public key is not base64: %v", err)
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	k, err := m.DB.SetRootPublicKey(system(ctx), pub)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Recorded the root public key (fingerprint %s).\n", k.KeyID)
	return nil
}

func rootExport(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys root export")
	m.dataFlags(fs)
	out := fs.String("out", "", "`file` to write the root key to (mode 0600); it must not exist")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "amparo keys root export: --out FILE is required")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	seed, err := m.DB.ExportRootKey(system(ctx))
	if err != nil {
		return err
	}
	if err := envelope.WriteKeyFile(*out, seed); err != nil {
		return fmt.Errorf("cannot write %s: %v (an existing key is never overwritten)", *out, errors.Unwrap(err))
	}
	fmt.Fprintf(m.Stdout, "Wrote the root key to %s. Move it offline, then run amparo keys root forget.\n", *out)
	return nil
}

func rootForget(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys root forget")
	m.dataFlags(fs)
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.ForgetRootKey(system(ctx)); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "The root private key is no longer in the database. Sign trust lists offline: amparo trust request, then amparo trust sign --root FILE --in REQUEST on the offline machine, then amparo trust import.")
	return nil
}

func keysOrgNew(ctx context.Context, m *Main, args []string) error {
	if len(args) > 0 && args[0] == "new" {
		args = args[1:]
	} else if len(args) == 0 || (args[0] != "--help" && args[0] != "-h") {
		fmt.Fprintln(m.Stderr, "amparo keys org: usage: amparo keys org new --org ID")
		return errUsage
	}
	fs := m.flags("keys org")
	m.dataFlags(fs)
	org := fs.String("org", "", "the organization's `ID`")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *org == "" {
		fmt.Fprintln(m.Stderr, "amparo keys org new: --org ID is required")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	k, err := m.DB.CreateIssuingKey(system(ctx), *org)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Made issuing key %s (kid %s) for the organization; its previous key, if any, is retired.\n", k.ID, k.KeyID)
	return m.resignTrustList(ctx)
}

func keysRevoke(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys revoke")
	m.dataFlags(fs)
	id, err := m.parseID(fs, args, "the key's ID (see amparo keys list)")
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.RevokeKey(system(ctx), id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Revoked key %s: once the new trust list is published, its letters fail as issuer revoked.\n", id)
	return m.resignTrustList(ctx)
}

// resignTrustList publishes a new trust list after a key change when the
// root key is here, and says how to when it is offline.
func (m *Main) resignTrustList(ctx context.Context) error {
	doc, err := m.DB.SignTrustList(system(ctx), nil)
	if amparo.ErrorCode(err) == amparo.ECONFLICT {
		fmt.Fprintln(m.Stdout, "The root key is offline: publish the change with amparo trust request --out REQUEST, amparo trust sign --root ROOT.key --in REQUEST --out LIST on the offline machine, then amparo trust import LIST.")
		return nil
	} else if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Signed and published a new trust list (%s).\n", doc.IssuedAt.Format("2006-01-02 15:04:05Z"))
	return nil
}

func keysList(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("keys list")
	m.dataFlags(fs)
	asJSON := fs.Bool("json", false, "print JSON")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	keys, err := m.DB.FindSigningKeys(system(ctx))
	if err != nil {
		return err
	}
	if *asJSON {
		type keyJSON struct {
			ID             string           `json:"id"`
			Kind           amparo.KeyKind   `json:"kind"`
			OrganizationID string           `json:"organization_id,omitempty"`
			KID            string           `json:"kid"`
			PublicKey      []byte           `json:"public_key"`
			Private        bool             `json:"private_key_here"`
			ValidFrom      string           `json:"valid_from"`
			ValidTo        string           `json:"valid_to"`
			Status         amparo.KeyStatus `json:"status"`
			Certified      bool             `json:"certified"`
		}
		out := []keyJSON{}
		for _, k := range keys {
			out = append(out, keyJSON{k.ID, k.Kind, k.OrganizationID, k.KeyID, k.PublicKey, k.HasPrivate,
				k.ValidFrom.Format("2006-01-02T15:04:05Z"), k.ValidTo.Format("2006-01-02T15:04:05Z"), k.Status, !k.CertifiedAt.IsZero()})
		}
		return m.printJSON(out)
	}
	w := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tKIND\tORGANIZATION\tKID\tSTATUS\tVALID TO\tPRIVATE KEY HERE")
	for _, k := range keys {
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%v\n", k.ID, k.Kind, k.OrganizationID, k.KeyID, k.Status, k.ValidTo.Format("2006-01-02"), k.HasPrivate)
	}
	return w.Flush()
}

func runTrust(ctx context.Context, m *Main, args []string) error {
	return m.dispatch(ctx, args, map[string]sub{
		"sign":    {"[--root FILE] | --root FILE --in REQUEST --out LIST", "sign the trust list with the root key; with --in, offline from a request file", trustSign},
		"request": {"--out FILE", "write the trust list to sign, as JSON, for a root key kept offline", trustRequest},
		"import":  {"FILE", "publish a trust list signed offline, after checking it against the root key", trustImport},
		"export":  {"--out FILE", "write a trust bundle (root key, trust list, status lists) for amparo verify --trust", trustExport},
	})
}

func trustSign(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("trust sign")
	m.dataFlags(fs)
	rootFile := fs.String("root", "", "root key `file` (default: the root key in the database)")
	in := fs.String("in", "", "sign this trust list `request` (from amparo trust request), without a database")
	out := fs.String("out", "", "with --in: `file` to write the signed trust list to")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	var seed []byte
	if *rootFile != "" {
		var err error
		if seed, err = envelope.ReadKeyFile(*rootFile); err != nil {
			return fmt.Errorf("root key: %v", err)
		}
	}
	if *in != "" {
		if seed == nil || *out == "" {
			fmt.Fprintln(m.Stderr, "amparo trust sign: --in needs --root FILE and --out FILE")
			return errUsage
		}
		req, err := os.ReadFile(*in)
		if err != nil {
			return err
		}
		signed, err := sqldb.SignTrustListRequest(req, seed)
		if err != nil {
			return err
		}
		if err := safefile.WriteNew(*out, signed, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(m.Stdout, "Signed the trust list into %s; on the server: amparo trust import %s\n", *out, *out)
		return nil
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	doc, err := m.DB.SignTrustList(system(ctx), seed)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Signed and published the trust list (%s).\n", doc.IssuedAt.Format("2006-01-02 15:04:05Z"))
	return nil
}

func trustRequest(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("trust request")
	m.dataFlags(fs)
	out := fs.String("out", "", "`file` to write the request to")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "amparo trust request: --out FILE is required")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	req, err := m.DB.TrustListRequest(system(ctx))
	if err != nil {
		return err
	}
	if err := safefile.WriteNew(*out, req, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Wrote %s. Read it, then sign it where the root key is: amparo trust sign --root ROOT.key --in %s --out LIST\n", *out, *out)
	return nil
}

func trustImport(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("trust import")
	m.dataFlags(fs)
	file, err := m.parseID(fs, args, "the signed trust list FILE")
	if err != nil {
		return err
	}
	signed, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	if err := m.DB.ImportTrustList(system(ctx), signed); err != nil {
		return err
	}
	fmt.Fprintln(m.Stdout, "Published the trust list.")
	return nil
}

func trustExport(ctx context.Context, m *Main, args []string) error {
	fs := m.flags("trust export")
	m.dataFlags(fs)
	out := fs.String("out", "", "`file` to write the trust bundle to")
	if err := m.parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		fmt.Fprintln(m.Stderr, "amparo trust export: --out FILE is required")
		return errUsage
	}
	if err := m.open(ctx); err != nil {
		return err
	}
	doc, err := m.DB.FindBundle(system(ctx))
	if err != nil {
		return err
	}
	if err := safefile.WriteNew(*out, doc.Bytes, 0o644); err != nil {
		return err
	}
	b, err := credential.ParseBundle(doc.Bytes)
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "Wrote the trust bundle to %s (%d status lists; root fingerprint %s).\n", *out, len(b.StatusLists), credential.Fingerprint(b.Root))
	return nil
}

// writePrivate writes a new file only its owner reads: a letter holds the
// client's name.
func writePrivate(path string, data []byte) error { return safefile.WriteNew(path, data, 0o600) }
