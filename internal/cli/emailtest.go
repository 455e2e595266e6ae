package cli

import (
	"context"
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
	To     []string
}

func newEmailTestCmd(f *factory) *cobra.Command {
	opts := &emailTestOptions{IO: f.IO, Getenv: f.Getenv}
	cmd := &cobra.Command{
		Use:   "email-test --to ADDR",
		Short: "Send a test email to check NOTIFIER_SMTP_URL and NOTIFIER_EMAIL_FROM",
		Long: `Send one test email with the SMTP settings that --email-to uses, and say
exactly what went wrong if it fails: connection, TLS, authentication, or a
refused recipient. Exit 0 when the server accepted it, 5 when it did not.`,
		Example: `  export NOTIFIER_SMTP_URL='smtp://apikey:SECRET@smtp.example.com:587'
  export NOTIFIER_EMAIL_FROM='notifier <alerts@example.com>'
  notifier email-test --to you@example.com`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return emailTestRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.To, "to", nil, "Send the test email to this address (repeatable).")
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
		"Sent at " + time.Now().UTC().Format(time.RFC3339) + ".",
	}})
	if err := closeDispatcher(ctx, d, pr, notify.DefaultGrace); err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "sent a test email to %s\n", strings.Join(opts.To, ", "))
	return nil
}
