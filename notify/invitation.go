package notify

import (
	"net/url"

	"github.com/amparo-project/amparo"
	"github.com/amparo-project/amparo/locale"
)

// InvitationEmail returns what makes an invitation's e-mail: in English
// and Spanish (an invitation does not know its reader's language), with
// the link to accept it under publicURL. The store enqueues it in the
// invitation's transaction.
func InvitationEmail(cat *locale.Catalog, publicURL *url.URL) func(inv *amparo.Invitation) *amparo.Message {
	return func(inv *amparo.Invitation) *amparo.Message {
		link := publicURL.JoinPath("invite", inv.Token).String()
		part := func(lang string) string {
			return cat.T(lang, "mail.invitation_body", cat.T(lang, "role."+string(inv.Role)), cat.Date(lang, inv.ExpiresAt), link)
		}
		return &amparo.Message{
			Channel:  amparo.ChannelEmail,
			To:       inv.Email,
			Subject:  cat.T("en", "mail.invitation_subject") + " / " + cat.T("es", "mail.invitation_subject"),
			Body:     part("en") + "\n\n—\n\n" + part("es") + "\n",
			Language: "en",
			EventKey: "invitation:" + inv.ID,
		}
	}
}
