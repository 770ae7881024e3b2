package amparo

import (
	"context"
	"time"
)

// AuditEvent records who did what to which record, and when. Events are
// append-only and never hold personal data: records are named by ID.
type AuditEvent struct {
	Seq     int64 // position in the trail, increasing
	At      time.Time
	ActorID string
	// ActorName is the name of the actor's account, read with the event
	// (not stored in it): "" for the system and for visitors.
	ActorName      string
	ActorRole      Role
	OrganizationID string // the actor's organization, if any
	Action         AuditAction
	RecordType     string // Action.RecordType()
	RecordID       string
	// RecordName names the record in words, read with the event (not
	// stored in it) where the record has a name in clear: an
	// organization's, account's or member's name, an applicant's
	// reference code. "" for every other record (a client's name is
	// sealed and never read here).
	RecordName string
}

// AuditFilter selects audit events; zero fields match all.
type AuditFilter struct {
	ActorID    string
	Action     AuditAction
	RecordType string
	RecordID   string
	Since      time.Time // events at or after it
	Until      time.Time // events before it
	// ActorName matches events whose actor's account name contains it,
	// in any case.
	ActorName string
	// Sort is the order: "at" (or "") oldest first, "-at" newest first.
	// Anything else is EINVALID.
	Sort   string
	Offset int
	Limit  int
}

// Orders of audit events (AuditFilter.Sort).
const (
	AuditOldestFirst = "at"
	AuditNewestFirst = "-at"
)

// AuditService reads the audit trail. Stores append to it in the same
// transaction as the change they record.
type AuditService interface {
	// FindAuditEvents lists audit events, oldest first unless f.Sort says
	// otherwise, with the total matching f: the auditors, the program
	// office and the system (Actor.ReadsAudit). EFORBIDDEN for anyone
	// else; EINVALID for an unknown f.Sort.
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, int, error)
	// ExportAuditEvents records an AuditAuditExport event, then calls
	// each with every event matching f (f.Offset and f.Limit ignored), in
	// f's order. The export is recorded before it is read, so an export
	// that fails halfway is still in the trail. Same readers and errors
	// as FindAuditEvents.
	ExportAuditEvents(ctx context.Context, f AuditFilter, each func(*AuditEvent) error) error
}

// AuditAction names what an audit event records. Each action is about one
// type of record, which its RecordType names.
type AuditAction string

// Record types of audit events: the kind of record an event's RecordID
// names.
const (
	RecordAccount      = "account"
	RecordAlert        = "alert"
	RecordApplicant    = "applicant"
	RecordAudit        = "audit"
	RecordClient       = "client"
	RecordInvitation   = "invitation"
	RecordLetter       = "letter"
	RecordMember       = "member"
	RecordOrganization = "organization"
	RecordParty        = "party"
	RecordPhoneLink    = "phone_link"
	RecordPolicy       = "policy"
	RecordProgram      = "program"
	RecordRegistry     = "registry"         // RecordID is the registry version
	RecordScreenPolicy = "screening_policy" // RecordID is the policy version
	RecordSigningKey   = "signing_key"
	RecordTrustList    = "trust_list"
	RecordVendor       = "vendor" // RecordID is the vendor's ID
	RecordWorkshop     = "workshop"

	RecordFundSource  = "fund_source"
	RecordGrant       = "grant"
	RecordFundedCase  = "fund_case"
	RecordInvoice     = "invoice"
	RecordLedgerEntry = "ledger_entry"

	RecordReportRelease = "report_release" // RecordID is the release's period, e.g. "2026-Q3"
)

// Audit actions, by the record they are about.
const (
	AuditInvitationCreate AuditAction = "invitation.create"
	AuditInvitationCancel AuditAction = "invitation.cancel"

	AuditAccountCreate            AuditAction = "account.create"
	AuditAccountPassword          AuditAction = "account.password"
	AuditAccountTOTP              AuditAction = "account.totp"
	AuditAccountRecoveryCode      AuditAction = "account.recovery_code"
	AuditAccountSuspend           AuditAction = "account.suspend"
	AuditAccountReactivate        AuditAction = "account.reactivate"
	AuditAccountSignIn            AuditAction = "account.signin"
	AuditAccountSignInFailure     AuditAction = "account.signin_failure"
	AuditAccountSignOutEverywhere AuditAction = "account.signout_everywhere"
	AuditAccountLink              AuditAction = "account.link"
	AuditAccountUnlink            AuditAction = "account.unlink"

	AuditApplicantCreate AuditAction = "applicant.create"
	AuditApplicantUpdate AuditAction = "applicant.update"
	AuditApplicantStatus AuditAction = "applicant.status"
	// AuditApplicantImport and AuditApplicantList are about many
	// applicants: they name the organization whose applicants they are.
	AuditApplicantImport AuditAction = "applicant.import"
	AuditApplicantList   AuditAction = "applicant.list"

	AuditClientCreate AuditAction = "client.create"
	AuditClientView   AuditAction = "client.view"
	AuditClientUpdate AuditAction = "client.update"
	AuditClientErase  AuditAction = "client.erase"
	// AuditClientList is about many clients: it names the organization
	// whose clients were listed ("" for the system's program-wide reads).
	AuditClientList AuditAction = "client.list"

	// AuditConflictCheck names the organization that checked a name.
	AuditConflictCheck AuditAction = "conflict.check"
	AuditPartyCreate   AuditAction = "party.create"

	AuditKeyCreate    AuditAction = "key.create"
	AuditKeyExport    AuditAction = "key.export"
	AuditKeyForget    AuditAction = "key.forget"
	AuditKeyRevoke    AuditAction = "key.revoke"
	AuditTrustPublish AuditAction = "trust.publish" // RecordID is the list's issue time, RFC 3339

	AuditLetterCreate    AuditAction = "letter.create"
	AuditLetterView      AuditAction = "letter.view"
	AuditLetterSubmit    AuditAction = "letter.submit"
	AuditLetterIssue     AuditAction = "letter.issue"
	AuditLetterSupersede AuditAction = "letter.supersede"
	AuditLetterReissue   AuditAction = "letter.reissue"
	AuditLetterRevoke    AuditAction = "letter.revoke"
	AuditLetterExpire    AuditAction = "letter.expire"

	// A client's phone link is made, shown and stopped through a letter:
	// these name the letter.
	AuditPhoneLinkCreate AuditAction = "phone_link.create"
	AuditPhoneLinkView   AuditAction = "phone_link.view"
	AuditPhoneLinkRevoke AuditAction = "phone_link.revoke"
	// A visitor opens the link itself, or fails its PIN: these name the
	// link.
	AuditPhoneLinkOpen     AuditAction = "phone_link.open"
	AuditPhoneLinkWrongPIN AuditAction = "phone_link.wrong_pin"

	AuditMemberCreate     AuditAction = "member.create"
	AuditMemberUpdate     AuditAction = "member.update"
	AuditMemberSuspend    AuditAction = "member.suspend"
	AuditMemberReactivate AuditAction = "member.reactivate"
	AuditMemberLink       AuditAction = "member.link"
	AuditMemberUnlink     AuditAction = "member.unlink"

	AuditOrganizationCreate AuditAction = "organization.create"
	AuditOrganizationUpdate AuditAction = "organization.update"

	// AuditAuditExport is an export of audit events; RecordID is "".
	AuditAuditExport AuditAction = "audit.export"

	// Workshops: AuditWorkshopForget is an erasure of its attendees'
	// details, whose counts workshop_erasures keeps.
	AuditWorkshopCreate AuditAction = "workshop.create"
	AuditWorkshopUpdate AuditAction = "workshop.update"
	AuditWorkshopStatus AuditAction = "workshop.status"
	AuditWorkshopForget AuditAction = "workshop.forget"
	// AuditWorkshopHandedOut is a record of the materials handed out.
	AuditWorkshopHandedOut AuditAction = "workshop.handed_out"

	// Reads of rapid response: a client's response plan (naming the
	// client), an alert (naming it) and the alerts list (naming the
	// organization listed, "" for every one). No name or number.
	AuditPlanView  AuditAction = "response_plan.view"
	AuditAlertView AuditAction = "alert.view"
	AuditAlertList AuditAction = "alert.list"

	// The defense fund: costs and outcomes name their case.
	AuditFundSourceCreate   AuditAction = "fund_source.create"
	AuditFundSourceRestrict AuditAction = "fund_source.restrict"
	AuditGrantCreate        AuditAction = "grant.create"
	AuditGrantStatus        AuditAction = "grant.status"
	AuditGrantAmend         AuditAction = "grant.amend"
	AuditGrantLock          AuditAction = "grant.lock"
	AuditFundedCaseCreate   AuditAction = "fund_case.create"
	AuditFundedCaseCost     AuditAction = "fund_case.cost"
	AuditFundedCaseApprove  AuditAction = "fund_case.approve"
	AuditFundedCaseOutcome  AuditAction = "fund_case.outcome"
	AuditInvoiceSubmit      AuditAction = "invoice.submit"
	AuditInvoiceDecide      AuditAction = "invoice.decide"
	AuditLedgerCorrect      AuditAction = "ledger_entry.correct"

	// The council's report releases: made, then approved (published).
	AuditReportReleaseCreate  AuditAction = "report_release.create"
	AuditReportReleaseApprove AuditAction = "report_release.approve"

	AuditPolicyChange  AuditAction = "policy.change"  // RecordID is ""
	AuditProgramUpdate AuditAction = "program.update" // RecordID is "1", the one program

	// The border-wall registry and the screening policy: RecordID is the
	// new version's number.
	AuditRegistryChange     AuditAction = "registry.change"
	AuditScreenPolicyChange AuditAction = "screening_policy.change"

	// Vendors: their creation, affidavits filed, screenings (RecordID is
	// the vendor's; the screening's versions and hash are in its record)
	// and reviewers' decisions on hits.
	AuditVendorCreate    AuditAction = "vendor.create"
	AuditVendorUpdate    AuditAction = "vendor.update"
	AuditVendorAffidavit AuditAction = "vendor.affidavit"
	AuditVendorScreen    AuditAction = "vendor.screen"
	AuditVendorDecideHit AuditAction = "vendor.decide_hit"
)

// AuditActions lists every audit action.
var AuditActions = []AuditAction{
	AuditInvitationCreate, AuditInvitationCancel,
	AuditAccountCreate, AuditAccountPassword, AuditAccountTOTP, AuditAccountRecoveryCode, AuditAccountSuspend, AuditAccountReactivate,
	AuditAccountSignIn, AuditAccountSignInFailure, AuditAccountSignOutEverywhere, AuditAccountLink, AuditAccountUnlink,
	AuditApplicantCreate, AuditApplicantUpdate, AuditApplicantStatus, AuditApplicantImport, AuditApplicantList,
	AuditClientCreate, AuditClientView, AuditClientUpdate, AuditClientErase, AuditClientList,
	AuditConflictCheck, AuditPartyCreate,
	AuditKeyCreate, AuditKeyExport, AuditKeyForget, AuditKeyRevoke, AuditTrustPublish,
	AuditLetterCreate, AuditLetterView, AuditLetterSubmit, AuditLetterIssue, AuditLetterSupersede, AuditLetterReissue, AuditLetterRevoke, AuditLetterExpire,
	AuditPhoneLinkCreate, AuditPhoneLinkView, AuditPhoneLinkRevoke, AuditPhoneLinkOpen, AuditPhoneLinkWrongPIN,
	AuditMemberCreate, AuditMemberUpdate, AuditMemberSuspend, AuditMemberReactivate, AuditMemberLink, AuditMemberUnlink,
	AuditOrganizationCreate, AuditOrganizationUpdate,
	AuditAuditExport,
	AuditWorkshopCreate, AuditWorkshopUpdate, AuditWorkshopStatus, AuditWorkshopForget, AuditWorkshopHandedOut,
	AuditPlanView, AuditAlertView, AuditAlertList,
	AuditFundSourceCreate, AuditFundSourceRestrict, AuditGrantCreate, AuditGrantStatus, AuditGrantAmend, AuditGrantLock,
	AuditFundedCaseCreate, AuditFundedCaseCost, AuditFundedCaseApprove, AuditFundedCaseOutcome, AuditInvoiceSubmit, AuditInvoiceDecide,
	AuditLedgerCorrect,
	AuditReportReleaseCreate, AuditReportReleaseApprove,
	AuditPolicyChange, AuditProgramUpdate,
	AuditRegistryChange, AuditScreenPolicyChange,
	AuditVendorCreate, AuditVendorUpdate, AuditVendorAffidavit, AuditVendorScreen, AuditVendorDecideHit,
}

// RecordType returns the type of record the action is about, "" for an
// action not in AuditActions.
func (a AuditAction) RecordType() string {
	switch a {
	case AuditInvitationCreate, AuditInvitationCancel:
		return RecordInvitation
	case AuditAccountCreate, AuditAccountPassword, AuditAccountTOTP, AuditAccountRecoveryCode, AuditAccountSuspend, AuditAccountReactivate,
		AuditAccountSignIn, AuditAccountSignInFailure, AuditAccountSignOutEverywhere, AuditAccountLink, AuditAccountUnlink:
		return RecordAccount
	case AuditApplicantCreate, AuditApplicantUpdate, AuditApplicantStatus:
		return RecordApplicant
	case AuditApplicantImport, AuditApplicantList, AuditClientList, AuditConflictCheck,
		AuditOrganizationCreate, AuditOrganizationUpdate, AuditAlertList:
		return RecordOrganization
	case AuditClientCreate, AuditClientView, AuditClientUpdate, AuditClientErase, AuditPlanView:
		return RecordClient
	case AuditAlertView:
		return RecordAlert
	case AuditPartyCreate:
		return RecordParty
	case AuditKeyCreate, AuditKeyExport, AuditKeyForget, AuditKeyRevoke:
		return RecordSigningKey
	case AuditTrustPublish:
		return RecordTrustList
	case AuditLetterCreate, AuditLetterView, AuditLetterSubmit, AuditLetterIssue, AuditLetterSupersede, AuditLetterReissue, AuditLetterRevoke,
		AuditLetterExpire, AuditPhoneLinkCreate, AuditPhoneLinkView, AuditPhoneLinkRevoke:
		return RecordLetter
	case AuditPhoneLinkOpen, AuditPhoneLinkWrongPIN:
		return RecordPhoneLink
	case AuditMemberCreate, AuditMemberUpdate, AuditMemberSuspend, AuditMemberReactivate, AuditMemberLink, AuditMemberUnlink:
		return RecordMember
	case AuditAuditExport:
		return RecordAudit
	case AuditPolicyChange:
		return RecordPolicy
	case AuditProgramUpdate:
		return RecordProgram
	case AuditRegistryChange:
		return RecordRegistry
	case AuditScreenPolicyChange:
		return RecordScreenPolicy
	case AuditVendorCreate, AuditVendorUpdate, AuditVendorAffidavit, AuditVendorScreen, AuditVendorDecideHit:
		return RecordVendor
	case AuditWorkshopCreate, AuditWorkshopUpdate, AuditWorkshopStatus, AuditWorkshopForget, AuditWorkshopHandedOut:
		return RecordWorkshop
	case AuditFundSourceCreate, AuditFundSourceRestrict:
		return RecordFundSource
	case AuditGrantCreate, AuditGrantStatus, AuditGrantAmend, AuditGrantLock:
		return RecordGrant
	case AuditFundedCaseCreate, AuditFundedCaseCost, AuditFundedCaseApprove, AuditFundedCaseOutcome:
		return RecordFundedCase
	case AuditInvoiceSubmit, AuditInvoiceDecide:
		return RecordInvoice
	case AuditLedgerCorrect:
		return RecordLedgerEntry
	case AuditReportReleaseCreate, AuditReportReleaseApprove:
		return RecordReportRelease
	}
	return ""
}
