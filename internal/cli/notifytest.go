package cli

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/notify"
)

type notifyTestOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Now    func() time.Time
	URLs   []string
}

func newNotifyTestCmd(f *factory) *cobra.Command {
	opts := &notifyTestOptions{IO: f.IO, Getenv: f.Getenv, Now: time.Now}
	return &cobra.Command{
		Use:   "notify-test [URL ...]",
		Short: "Send a test message to each notification URL and say how each went",
		Long: `Send one test message to each URL (default: those of ` + envNotify + `), the way
--notify sends results, and report each on its own: stdout says which were
sent, stderr why the others failed. Exit 0 when all were sent, 2 for a URL
that is not valid, 5 when any could not be sent.

The test is a passing summary: PagerDuty gets a "resolve" event, which
checks the integration key without paging anyone.`,
		Example: `  notifier notify-test 'ntfy://ntfy.sh/my-secret-topic'
  export NOTIFIER_NOTIFY='slack://hook:T0.../B0.../XXXX@webhook discord://TOKEN@ID'
  notifier notify-test`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.URLs = args
			return notifyTestRun(cmd.Context(), opts)
		},
	}
}

func notifyTestRun(ctx context.Context, opts *notifyTestOptions) error {
	getenv := opts.Getenv
	if len(opts.URLs) > 0 {
		getenv = func(k string) string {
			if k == envNotify {
				return ""
			}
			return opts.Getenv(k)
		}
	}
	routes, err := notifyFlags{Notify: opts.URLs}.urlRoutes(func(string) bool { return false }, getenv)
	if err != nil {
		return err
	}
	if len(routes) == 0 {
		return usageErrorf("give the URLs to test, or set %s", envNotify)
	}
	pr := newProgress(opts.IO)
	var mu sync.Mutex
	outcomes := map[string]notify.Outcome{}
	for i := range routes {
		routes[i].On = nil // the test goes to every URL, PagerDuty's included
	}
	d := notify.New(notify.Config{OnOutcome: func(o notify.Outcome) {
		mu.Lock()
		outcomes[o.Channel] = o
		mu.Unlock()
	}}, routes...)
	d.Notify(notify.Notification{Kind: notify.KindSummary, What: "the test message", Title: "notifier test message",
		Statuses: []replicate.Status{replicate.Succeeded}, Lines: []string{
			"This is a test message from notifier " + versionString() + ".",
			"Sent at " + opts.Now().UTC().Format(time.RFC3339) + ".",
		}})
	err = closeDispatcher(ctx, d, pr, notify.DefaultGrace)
	mu.Lock()
	defer mu.Unlock()
	for _, r := range routes {
		name := r.Channel.Name()
		o, ok := outcomes[name]
		switch {
		case ok && o.Err == nil:
			fmt.Fprintf(opts.IO.Out, "sent a test message to %s\n", name)
		case ok:
			pr.warnf("%s: %v", name, o.Err)
		default:
			pr.warnf("%s: not sent: notifier stopped first", name)
		}
	}
	return err
}
