package web

import (
	"net/url"
	"testing"
)

// Any form a webhook receives is read or refused, never a panic, and a
// receipt read names its message by short words alone.
func FuzzParseReceipt(f *testing.F) {
	f.Add("MessageSid=SM123&MessageStatus=delivered", "m=abc")
	f.Add("CallSid=CA1&CallStatus=completed&ErrorCode=30003", "")
	f.Add("SmsSid=SM1&SmsStatus=sent&MessageSid=&To=%2B1555", "m=%00")
	f.Add("MessageSid=SM%20x&MessageStatus=", "m=../../x")
	f.Fuzz(func(t *testing.T, body, query string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		q, _ := url.ParseQuery(query)
		r, err := parseReceipt(form, q)
		if err != nil {
			return
		}
		if !hookWord.MatchString(r.ProviderID) || r.Status == "" || r.MessageID != "" && !hookWord.MatchString(r.MessageID) {
			t.Errorf("read %+v from %q ? %q", r, body, query)
		}
	})
}
