package sqldb

import (
	"context"
	"crypto/ed25519"
	"errors"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/credential"
)

// issueCredential signs an active letter's credential with its
// organization's issuing key, gives it a random status index, and stores
// its QR text sealed with the client's data key, in the store's version.
func (tx *Tx) issueCredential(ctx context.Context, l *amparo.Letter) error {
	return tx.issueCredentialVersion(ctx, l, tx.db.CredentialVersion)
}

// issueCredentialVersion issues l's credential in version v (1, or 2 for
// anything else), whatever version the store issues by default.
func (tx *Tx) issueCredentialVersion(ctx context.Context, l *amparo.Letter, v int) error {
	in, err := tx.credentialInputs(ctx, l)
	if err != nil {
		return err
	}
	if v == 1 {
		return tx.issueCredentialV1(ctx, l, in)
	}
	return tx.issueCredentialV2(ctx, l, in)
}

// credentialInputs is what every version of a letter's credential is made
// from: the issuing key, the verify URL, the client's name and the member.
type credentialInputs struct {
	keyID      string
	priv       ed25519.PrivateKey
	verifyURL  string
	clientName string
	member     *amparo.Member
}

func (tx *Tx) credentialInputs(ctx context.Context, l *amparo.Letter) (*credentialInputs, error) {
	in := &credentialInputs{}
	var err error
	if in.keyID, in.priv, err = tx.issuingKey(ctx, l.OrganizationID); err != nil {
		return nil, err
	}
	if err := tx.queryRow(ctx, "SELECT verify_url FROM program WHERE id = 1").Scan(&in.verifyURL); err != nil {
		return nil, mapError(err)
	}
	cs, _, err := tx.findClients(ctx, amparo.ClientFilter{ID: l.ClientID, Limit: 1})
	if err != nil {
		return nil, err
	} else if len(cs) == 0 {
		return nil, amparo.Invalid("client_id", "no such client")
	}
	in.clientName = cs[0].LegalName
	if in.member, err = scanMember(tx.queryRow(ctx, "SELECT "+memberSelect+" FROM members WHERE id = ?", l.MemberID)); err != nil {
		return nil, err
	}
	return in, nil
}

// issueCredentialV2 signs l's version 2 credential.
func (tx *Tx) issueCredentialV2(ctx context.Context, l *amparo.Letter, in *credentialInputs) error {
	if in.member.Ref <= 0 {
		return amparo.Invalid("member_id", "the member has no roster reference yet")
	}
	// Verifiers of a version 2 letter find its member in the roster: make
	// sure the organization has one (members added before its issuing key
	// was certified had none signed).
	var rosters int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM rosters WHERE organization_id = ?", l.OrganizationID).Scan(&rosters); err != nil {
		return mapError(err)
	}
	if rosters == 0 {
		if err := tx.signRoster(ctx, l.OrganizationID); err != nil {
			return err
		}
	}
	listID, index, err := tx.assignStatusIndex(ctx, l.OrganizationID)
	if err != nil {
		return err
	}
	id, err := credential.NewShortID()
	if err != nil {
		return err
	}
	on, exp := credential.V2Dates(l.IssuedAt, l.ValidUntil)
	c := credential.ClaimsV2{ID: id, IssuedOn: on, Expires: exp, StatusListID: listID, StatusIndex: index,
		ClientName: in.clientName, Member: credential.MemberRef(in.member.Ref)}
	signed, err := credential.SignV2(&c, in.priv)
	if err != nil {
		return claimsError(err)
	}
	return tx.storeCredential(ctx, l, 2, id.String(), in.keyID, listID, index, credential.Encode(credential.CompactPrefix(in.verifyURL), signed))
}

// storeCredential records l's signed credential: its identifiers on the
// letter and its QR text sealed with the client's data key.
func (tx *Tx) storeCredential(ctx context.Context, l *amparo.Letter, version int, id, keyID string, listID, index uint32, qr string) error {
	l.CredentialID, l.SigningKeyID, l.StatusListID, l.StatusIndex = id, keyID, listID, index
	l.CredentialVersion, l.QR = version, qr
	dk, err := tx.clientKey(ctx, l.ClientID)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE letters SET credential_id = ?, signing_key_id = ?, status_list_id = ?, status_index = ?,
		sealed_qr = ?, credential_version = ? WHERE id = ?`, id, keyID, listID, index, dk.Seal([]byte(qr), []byte("letter "+l.ID)), version, l.ID)
	return err
}

// claimsError says which of the letter's fields does not fit the QR.
func claimsError(err error) error {
	var fe *credential.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	switch fe.Field {
	case "client_name":
		return amparo.Invalid("legal_name", "the legal name %s for the letter's QR code", fe.Problem)
	case "member_name":
		return amparo.Invalid("member_id", "the member's name %s for a letter", fe.Problem)
	case "phone":
		return amparo.Invalid("member_id", "the member's public phone %s for a letter", fe.Problem)
	}
	return amparo.Invalid("member_id", "the member's %s %s for a letter", fe.Field, fe.Problem)
}

// revokeCredential sets the status bit of a letter's credential, if it has
// one, so it fails verification from the next status list on.
func (tx *Tx) revokeCredential(ctx context.Context, l *amparo.Letter) error {
	if l.CredentialID == "" {
		return nil
	}
	return tx.revokeStatus(ctx, l.OrganizationID, l.StatusListID, l.StatusIndex)
}

// clientKey opens a client's data key.
func (tx *Tx) clientKey(ctx context.Context, clientID string) (dataKey, error) {
	var wrapped []byte
	if err := tx.queryRow(ctx, "SELECT wrapped FROM client_keys WHERE client_id = ?", clientID).Scan(&wrapped); err != nil {
		return nil, mapError(err)
	}
	dk, err := tx.db.cipher.OpenDataKey(clientID, wrapped)
	if err != nil {
		return nil, decryptError(err)
	}
	return dk, nil
}

// letterQR opens a letter's QR text; "" for a draft or an erased client.
func (tx *Tx) letterQR(ctx context.Context, l *amparo.Letter) (string, error) {
	var sealed []byte
	if err := tx.queryRow(ctx, "SELECT sealed_qr FROM letters WHERE id = ?", l.ID).Scan(&sealed); err != nil {
		return "", mapError(err)
	}
	if sealed == nil || l.ClientID == "" {
		return "", nil
	}
	dk, err := tx.clientKey(ctx, l.ClientID)
	if err != nil {
		return "", err
	}
	qr, err := dk.Open(sealed, []byte("letter "+l.ID))
	if err != nil {
		return "", decryptError(err)
	}
	return string(qr), nil
}
