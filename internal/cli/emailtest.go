package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/notifier-dev/notifier/internal/notify"
	"github.com/notifier-dev/notifier/internal/notify/email"
)

type emailTestOptions struct {
	IO     *IOStreams
	Getenv func(string) string
	Now    func() time.Time
	To     []string
	JSON   bool
}

func newEmailTestCmd(f *factory) *cobra.Command {
	opts := &emailTestOptions{IO: f.IO, Getenv: f.Getenv, Now: time.Now}
	cmd := &cobra.Command{
		Use:   "email-test --to ADDR [--json]",
		Short: "Send a test email to check NOTIFIER_SMTP_URL and NOTIFIER_EMAIL_FROM",
		Long: `Send one test email with the SMTP settings that --email-to uses, and say
exactly what went wrong if it fails: connection, TLS, authentication, or a
refused recipient. Exit 0 when the server accepted it, 5 when it did not.

With --json, stdout is one JSON object once the server accepted the email:
{"to":[...],"from":...,"server":...,"tls":...,"sent_at":...} (the server
URL with its password replaced by xxxxx); nothing when sending failed.`,
		Example: `  export NOTIFIER_SMTP_URL='smtp://apikey:SECRET@smtp.example.com:587'
  export NOTIFIER_EMAIL_FROM='notifier <alerts@example.com>'
  notifier email-test --to you@example.com
  notifier email-test --to you@example.com --json | jq -r '.to[]'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return emailTestRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.To, "to", nil, "Send the test email to this address (repeatable).")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "Print one JSON object saying to whom, from whom and through which server the email went.")
	return cmd
}

func emailTestRun(ctx context.Context, opts *emailTestOptions) error {
	if len(opts.To) == 0 {
		return usageErrorf("--to is required")
	}
	plan, err := notifyFlags{EmailTo: opts.To, EmailOn: []string{"succeeded"}}.plan(func(string) bool { return false }, opts.Getenv)
	if err != nil {
		return err
	}
	cfg, _ := email.ParseSMTPURL(opts.Getenv(envSMTPURL)) // validated by plan
	pr := newProgress(opts.IO)
	pr.infof("sending a test email through %s ...", cfg.Redacted())
	d := notify.New(notify.Config{}, plan.routes...)
	d.Notify(notify.Notification{Kind: notify.KindSummary, Failed: true, What: "the test email", Title: "test email", Lines: []string{
		"This is a test email from notifier " + versionString() + ".",
		"SMTP server: " + cfg.Redacted() + " (" + cfg.Mode.String() + ")",
		"Sent at " + opts.Now().UTC().Format(time.RFC3339) + ".",
	}})
	if err := closeDispatcher(ctx, d, pr, notify.DefaultGrace); err != nil {
		return err
	}
	if !opts.JSON {
		fmt.Fprintf(opts.IO.Out, "sent a test email to %s\n", strings.Join(opts.To, ", "))
		return nil
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetEscapeHTML(false) // "notifier <alerts@example.com>" as it is
	if err := enc.Encode(emailTestJSON{To: opts.To, From: strings.TrimSpace(opts.Getenv(envEmailFrom)), Server: cfg.Redacted(),
		TLS: cfg.Mode.String(), SentAt: opts.Now().UTC().Truncate(time.Millisecond)}); err != nil {
		return fmt.Errorf("writing to stdout: %w", err)
	}
	return nil
}

// emailTestJSON is what email-test --json prints once the server accepted
// the email (docs/usage.md, "notifier email-test").
type emailTestJSON struct {
	To     []string  `json:"to"`
	From   string    `json:"from"`
	Server string    `json:"server"` // NOTIFIER_SMTP_URL with the password replaced by xxxxx
	TLS    string    `json:"tls"`    // starttls, tls or none
	SentAt time.Time `json:"sent_at"`
}
