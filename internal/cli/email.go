package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/notifier-dev/notifier/internal/notify/email"
	"github.com/notifier-dev/notifier/internal/watch"
	"github.com/replicate/replicate-go"
	"github.com/spf13/cobra"
)

// sendTimeout bounds sending one email, retries included, even after Ctrl-C:
// the result is already known and worth delivering.
const sendTimeout = 2 * time.Minute

// terminalStatuses are the statuses --email-on accepts, in order.
var terminalStatuses = []string{"succeeded", "failed", "canceled", "aborted"}

// emailFlags are --email-to and --email-on.
type emailFlags struct {
	To []string
	On []string
}

func addEmailFlags(cmd *cobra.Command, e *emailFlags) {
	fl := cmd.Flags()
	fl.StringArrayVar(&e.To, "email-to", nil, "Email the result to this address (repeatable); needs NOTIFIER_SMTP_URL and NOTIFIER_EMAIL_FROM.")
	fl.StringSliceVar(&e.On, "email-on", terminalStatuses, "Email only for these statuses: succeeded, failed, canceled, aborted.")
}

// mailer sends notifications to the configured recipients.
type mailer struct {
	sender *email.Sender
	to     []string
	on     map[string]bool
}

// newMailer validates the email configuration before anything is created:
// a usage error (exit 2) with a hint for each mistake. It returns nil, nil
// when no --email-to was given.
func newMailer(e emailFlags, set func(string) bool, getenv func(string) string) (*mailer, error) {
	if len(e.To) == 0 {
		if set("email-on") {
			return nil, usageErrorf("--email-on needs --email-to")
		}
		return nil, nil
	}
	on, err := parseStatuses(e.On)
	if err != nil {
		return nil, err
	}
	for _, to := range e.To {
		if err := email.CheckAddress(to); err != nil {
			return nil, usageErrorf("invalid --email-to %q: %v", to, err)
		}
	}
	sender, err := senderFromEnv(getenv)
	if err != nil {
		return nil, err
	}
	return &mailer{sender: sender, to: e.To, on: on}, nil
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

// parseStatuses validates --email-on.
func parseStatuses(list []string) (map[string]bool, error) {
	on := map[string]bool{}
	for _, s := range list {
		s = strings.TrimSpace(s)
		if !containsString(terminalStatuses, s) {
			return nil, usageErrorf("invalid status %q in --email-on: want %s", s, strings.Join(terminalStatuses, ", "))
		}
		on[s] = true
	}
	if len(on) == 0 {
		return nil, usageErrorf("--email-on must name at least one status")
	}
	return on, nil
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// wants reports whether a prediction in this status should be emailed.
func (m *mailer) wants(s replicate.Status) bool { return m != nil && m.on[string(s)] }

// sendPrediction emails one prediction's result.
func (m *mailer) sendPrediction(ctx context.Context, res *watch.Result, notes ...string) error {
	msg, err := email.Build(res.Prediction, predictionJSON(res.Prediction), email.BuildOptions{Notes: notes})
	if err != nil {
		return fmt.Errorf("building email: %w", err)
	}
	return m.send(ctx, msg)
}

// send delivers msg to every recipient, bounded by sendTimeout even when ctx is done.
func (m *mailer) send(ctx context.Context, msg *email.Message) error {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), sendTimeout)
	defer cancel()
	if err := m.sender.Send(sctx, msg, m.to); err != nil {
		return emailError(err)
	}
	return nil
}

// emailError is a failed send as one line, with a hint by kind; exit 5.
func emailError(err error) error {
	e := fmt.Errorf("sending email: %w", err)
	var ee *email.Error
	if !errors.As(err, &ee) {
		return withCode(exitNotifyFailed, e)
	}
	hint := ""
	switch ee.Kind {
	case email.KindAuth:
		hint = "check the user and password in " + envSMTPURL + " (URL-escaped); many providers need an app password"
	case email.KindConnection:
		hint = "check the host and port in " + envSMTPURL + " and that this machine may reach it"
	case email.KindTLS:
		hint = "check the scheme: smtp:// uses STARTTLS (port 587), smtps:// implicit TLS (port 465), ?tls=none a local relay"
	case email.KindRecipient:
		hint = "check the --email-to addresses"
	}
	if hint == "" {
		return withCode(exitNotifyFailed, e)
	}
	return withCode(exitNotifyFailed, e, hint)
}
