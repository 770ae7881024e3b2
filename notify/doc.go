// Package notify sends the outbox's messages and reads what comes back:
// e-mail through SMTP, SMS and voice calls through any gateway speaking
// the Twilio REST API, delivery receipts and inbound SMS (signatures,
// opt-out and help words), and SMS segment counting.
//
// The Outbox workflow is the send job's handler; Hooks answers the
// gateway's webhooks. Neither logs a phone number, an e-mail address or
// a body.
//
// It must never import a database package.
package notify
