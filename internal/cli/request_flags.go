package cli

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/replicateapi"
	"github.com/notifier-dev/notifier/internal/watch"
)

// requestFlags are the flags of run and trigger that shape the prediction
// created: how file inputs are sent, and its deadline.
type requestFlags struct {
	Upload   string
	Deadline time.Duration
}

func addRequestFlags(cmd *cobra.Command, f *requestFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.Upload, "upload", uploadFiles, "How to send @FILE inputs: files (the files API) or data-url (inline, up to 256 KiB).")
	fl.DurationVar(&f.Deadline, "deadline", 0, "Have Replicate cancel the prediction this long after it is created (Cancel-After), e.g. 5m; at least 5s.")
}

// apply checks the flags and the request's file inputs, and sets the
// deadline on req.
func (f *requestFlags) apply(req *watch.Request, set func(string) bool) error {
	if set("deadline") && f.Deadline < replicateapi.MinCancelAfter {
		return usageErrorf("--deadline %s is below Replicate's minimum of %s", f.Deadline, replicateapi.MinCancelAfter)
	}
	req.Deadline = f.Deadline
	return checkFiles(req.Input, f.Upload)
}
