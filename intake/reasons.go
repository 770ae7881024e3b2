package intake

import (
	"fmt"

	"github.com/amparo-project/amparo"
)

// The reasons a workflow writes into an applicant's history. The history
// keeps the record in English, as the audit trail and the command line read
// it; HistoryReason reads each back as a catalog message, so that a person
// reads it in their language. A reason a person typed is kept as typed.
var historyReasons = []struct{ format, key string }{
	{"accepted; conflict check: nobody close found", "applicant.history.accepted_clear"},
	{"accepted; conflict check: %d possible conflicts reviewed and cleared", "applicant.history.accepted_cleared"},
}

// historyReason is the record of the workflow reason i with its argument.
func historyReason(i int, args ...any) string {
	if len(args) == 0 {
		return historyReasons[i].format
	}
	return fmt.Sprintf(historyReasons[i].format, args...)
}

// HistoryReason returns the catalog message of a reason a workflow wrote,
// and false for any other reason, such as one a person typed.
func HistoryReason(stored string) (amparo.Msg, bool) {
	for _, r := range historyReasons {
		var n int
		if r.format == stored {
			return amparo.Msg{Key: r.key}, true
		} else if c, err := fmt.Sscanf(stored, r.format, &n); err == nil && c == 1 && fmt.Sprintf(r.format, n) == stored {
			return amparo.Msg{Key: r.key, Args: []any{n}}, true
		}
	}
	return amparo.Msg{}, false
}
