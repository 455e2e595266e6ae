package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/notify/email"
	"github.com/notifier-dev/notifier/internal/notify/urls"
	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/webhook"
)

// notifyFlags are --email-to, --email-on, --notify and --notify-on.
type notifyFlags struct {
	EmailTo  []string
	EmailOn  []string
	Notify   []string
	NotifyOn []string
}

func addNotifyFlags(cmd *cobra.Command, n *notifyFlags) {
	fl := cmd.Flags()
	fl.StringArrayVar(&n.EmailTo, "email-to", nil, "Email the result to this address (repeatable); needs NOTIFIER_SMTP_URL and NOTIFIER_EMAIL_FROM.")
	fl.StringSliceVar(&n.EmailOn, "email-on", statusNames(prediction.TerminalStatuses()), "Email only for these statuses: succeeded, failed, canceled, aborted.")
	fl.StringArrayVar(&n.Notify, "notify", nil, "Send the result to this service URL (repeatable): slack://, discord://, teams+https://, ntfy://, pagerduty://, generic://...; also "+envNotify+".")
	fl.StringSliceVar(&n.NotifyOn, "notify-on", nil, "Send to --notify URLs only for these statuses (default: all; PagerDuty: failed, aborted).")
}

// notifyPlan is the validated notification setup: nil when there is nothing to send.
type notifyPlan struct {
	routes []notify.Route
}

// plan validates the flags and the SMTP settings before anything is
// created: a usage error (exit 2) with a hint for each mistake.
func (n notifyFlags) plan(set func(string) bool, getenv func(string) string) (*notifyPlan, error) {
	var routes []notify.Route
	if len(n.EmailTo) == 0 {
		if set("email-on") {
			return nil, usageErrorf("--email-on needs --email-to")
		}
	} else {
		on, err := parseStatuses("--email-on", n.EmailOn)
		if err != nil {
			return nil, err
		}
		for _, to := range n.EmailTo {
			if err := email.CheckAddress(to); err != nil {
				return nil, usageErrorf("invalid --email-to %q: %v", to, err)
			}
		}
		sender, err := senderFromEnv(getenv)
		if err != nil {
			return nil, err
		}
		routes = append(routes, notify.Route{Channel: email.NewChannel(sender, n.EmailTo), On: on})
	}
	more, err := n.urlRoutes(set, getenv)
	if err != nil {
		return nil, err
	}
	if routes = append(routes, more...); len(routes) == 0 {
		return nil, nil
	}
	return &notifyPlan{routes: routes}, nil
}

// urlRoutes checks the --notify URLs and those of NOTIFIER_NOTIFY through
// shoutrrr's router: a bad one is exit 2, its secrets never shown.
func (n notifyFlags) urlRoutes(set func(string) bool, getenv func(string) string) ([]notify.Route, error) {
	list := append(slices.Clone(n.Notify), strings.Fields(getenv(envNotify))...)
	if len(list) == 0 {
		if set("notify-on") {
			return nil, usageErrorf("--notify-on needs --notify or %s", envNotify)
		}
		return nil, nil
	}
	var on []replicate.Status
	if set("notify-on") {
		var err error
		if on, err = parseStatuses("--notify-on", n.NotifyOn); err != nil {
			return nil, err
		}
	}
	var secret webhook.Secret
	if raw := strings.TrimSpace(getenv(envNotifySecret)); raw != "" {
		var err error
		if secret, err = webhook.ParseSecret(raw); err != nil {
			return nil, withCode(exitUsage, fmt.Errorf("%s is not a valid signing secret: %w", envNotifySecret, err),
				"the form is whsec_ followed by base64, e.g. the output of: echo whsec_$(head -c 24 /dev/urandom | base64)")
		}
	}
	var routes []notify.Route
	for i, raw := range list {
		c, err := urls.New(raw, urls.Options{Secret: secret})
		switch {
		case errors.Is(err, urls.ErrNoSecret):
			return nil, withCode(exitUsage, fmt.Errorf("notification URL %d (generic://) needs %s: notifier signs every generic webhook", i+1, envNotifySecret),
				"export "+envNotifySecret+"=whsec_$(head -c 24 /dev/urandom | base64), and give the receiver the same secret to verify with")
		case err != nil:
			return nil, withCode(exitUsage, fmt.Errorf("invalid notification URL %d: %w", i+1, err),
				"the forms are in docs/usage.md, \"Notifications\": slack://hook:T.../B.../X...@webhook, ntfy://ntfy.sh/topic, teams+https://<workflow URL>, generic://host/path")
		}
		r := notify.Route{Channel: c, On: on}
		if !set("notify-on") {
			r.On = c.DefaultOn()
		}
		routes = append(routes, r)
	}
	return routes, nil
}

// start returns the dispatcher, which shows what it sent, and with
// warnFailures what it could not send (for a long-running listen; run
// reports them once, as its error).
func (p *notifyPlan) start(pr *progress, warnFailures bool) *notify.Dispatcher {
	return notify.New(notify.Config{OnOutcome: func(o notify.Outcome) {
		switch {
		case o.Err == nil:
			pr.infof("%s", clean(done("emailed", "sent", o)))
		case warnFailures:
			pr.warnf("%s: %v", clean(done("emailing", "sending", o)), o.Err)
		}
	}}, p.routes...)
}

// done says what happened to one notification, with the verb for email or
// the one for other channels: "emailed the summary to ops@example.com".
func done(emailVerb, verb string, o notify.Outcome) string {
	if to, ok := strings.CutPrefix(o.Channel, "email to "); ok {
		return emailVerb + " " + o.Notification.Describe() + " to " + to
	}
	return verb + " " + o.Notification.Describe() + " to " + o.Channel
}

// closeDispatcher waits for d's pending notifications, with one grace
// period once ctx ends, and returns what did not go out as an exit-5 error.
func closeDispatcher(ctx context.Context, d *notify.Dispatcher, pr *progress, grace time.Duration) error {
	if d == nil {
		return nil
	}
	gctx, cancel := graceFor(ctx, pr, grace, "notifications still being sent")
	defer cancel()
	return notifyError(d.Close(gctx))
}

// notifyError turns a dispatcher's report into exit 5, with a hint by the
// kind of the first failure.
func notifyError(r notify.Report) error {
	err := r.Err()
	if err == nil {
		return nil
	}
	if len(r.Failed) > 0 {
		first := r.Failed[0]
		err = fmt.Errorf("%s: %w", done("emailing", "sending", first), first.Err)
		if n := len(r.Failed) - 1 + r.Unsent; n > 0 {
			err = fmt.Errorf("%w (and %d more not sent)", err, n)
		}
	}
	var ue *urls.Error
	if len(r.Failed) > 0 && errors.As(r.Failed[0].Err, &ue) && ue.Hint() != "" {
		return withCode(exitNotifyFailed, err, ue.Hint())
	}
	var ee *email.Error
	if len(r.Failed) == 0 || !errors.As(r.Failed[0].Err, &ee) {
		return withCode(exitNotifyFailed, err)
	}
	switch ee.Kind {
	case email.KindAuth:
		return withCode(exitNotifyFailed, err, "check the user and password in "+envSMTPURL+" (URL-escaped); many providers need an app password")
	case email.KindConnection:
		return withCode(exitNotifyFailed, err, "check the host and port in "+envSMTPURL+" and that this machine may reach it")
	case email.KindTLS:
		return withCode(exitNotifyFailed, err, "check the scheme: smtp:// uses STARTTLS (port 587), smtps:// implicit TLS (port 465), ?tls=none a local relay")
	case email.KindRecipient:
		return withCode(exitNotifyFailed, err, "check the --email-to addresses")
	}
	return withCode(exitNotifyFailed, err)
}

// senderFromEnv builds the SMTP sender from NOTIFIER_SMTP_URL and NOTIFIER_EMAIL_FROM.
func senderFromEnv(getenv func(string) string) (*email.Sender, error) {
	raw := strings.TrimSpace(getenv(envSMTPURL))
	if raw == "" {
		return nil, withCode(exitUsage, fmt.Errorf("email needs %s", envSMTPURL),
			"e.g. smtp://user:password@smtp.example.com:587 (STARTTLS), smtps://user:password@host:465 (TLS), smtp://localhost:25?tls=none (local relay)")
	}
	cfg, err := email.ParseSMTPURL(raw)
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("invalid %s: %w", envSMTPURL, err),
			"the form is smtp://user:password@host:587, smtps://user:password@host:465 or smtp://host:25?tls=none; URL-escape special characters in the password")
	}
	from := strings.TrimSpace(getenv(envEmailFrom))
	if from == "" {
		return nil, withCode(exitUsage, fmt.Errorf("email needs %s", envEmailFrom), "e.g. export "+envEmailFrom+"='notifier <alerts@example.com>'")
	}
	if err := email.CheckAddress(from); err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("invalid %s: %v", envEmailFrom, err))
	}
	s, err := email.NewSender(cfg, from, email.SenderOptions{})
	if err != nil {
		return nil, withCode(exitUsage, fmt.Errorf("email: %w", err))
	}
	return s, nil
}

// parseStatuses validates a list of terminal statuses given to flag.
func parseStatuses(flag string, list []string) ([]replicate.Status, error) {
	var on []replicate.Status
	for _, s := range list {
		st := replicate.Status(strings.TrimSpace(s))
		if !prediction.Terminal(st) {
			return nil, usageErrorf("invalid status %q in %s: want %s", s, flag, strings.Join(statusNames(prediction.TerminalStatuses()), ", "))
		}
		on = append(on, st)
	}
	if len(on) == 0 {
		return nil, usageErrorf("%s must name at least one status", flag)
	}
	return on, nil
}

func statusNames(ss []replicate.Status) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return out
}

// alertFlags are listen's failure-rate alert settings.
type alertFlags struct {
	Rate     float64
	Window   time.Duration
	MinCount int
}

func addAlertFlags(cmd *cobra.Command, a *alertFlags) {
	fl := cmd.Flags()
	fl.Float64Var(&a.Rate, "alert-failure-rate", 0, "Send an alert (by email and to --notify URLs) when this share (0-1] of predictions in --alert-window did not succeed, and again when it recovers.")
	fl.DurationVar(&a.Window, "alert-window", 10*time.Minute, "The window of completed predictions the failure rate is computed over.")
	fl.IntVar(&a.MinCount, "alert-min-count", 5, "Alert only when the window holds at least this many predictions.")
}

// config validates the alert flags: nil when alerts are off.
func (a alertFlags) config(set func(string) bool, notifying bool) (*notify.AlertConfig, error) {
	if !notifying {
		for _, name := range []string{"alert-failure-rate", "alert-window", "alert-min-count"} {
			if set(name) {
				return nil, usageErrorf("--%s needs --email-to or --notify", name)
			}
		}
		return nil, nil
	}
	switch {
	case set("alert-failure-rate") && (a.Rate <= 0 || a.Rate > 1):
		return nil, usageErrorf("--alert-failure-rate must be above 0 and at most 1, e.g. 0.2")
	case a.Window <= 0:
		return nil, usageErrorf("--alert-window must be positive")
	case a.MinCount < 1:
		return nil, usageErrorf("--alert-min-count must be at least 1")
	case !set("alert-failure-rate"):
		return nil, nil
	}
	return &notify.AlertConfig{Rate: a.Rate, Window: a.Window, MinCount: a.MinCount}, nil
}
