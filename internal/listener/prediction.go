package listener

import (
	"fmt"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// maxQuotedStatus bounds how much of an unknown status a reason repeats.
const maxQuotedStatus = 64

// notAPrediction returns why a decoded JSON object is not a prediction, or
// "" when it is one: it needs a non-empty string id and a known status.
func notAPrediction(p *Summary) string {
	switch {
	case p.ID == "":
		return `missing "id"`
	case p.Status == "":
		return `missing "status"`
	case !prediction.Known(p.Status):
		s := string(p.Status)
		if len(s) > maxQuotedStatus {
			s = s[:maxQuotedStatus] + "..."
		}
		return fmt.Sprintf("unknown status %q", s)
	}
	return ""
}
