package web

// The state a suspension's confirmation page carries, for tests that post
// a confirmation.
var (
	AccountSeen = accountSeen
	MemberSeen  = memberSeen
)
