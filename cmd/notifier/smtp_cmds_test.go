package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/notifier-dev/notifier/internal/notify/email/smtptest"
)

type smtpKey struct{}

// smtpHolder keeps the script's SMTP server.
type smtpHolder struct{ srv *smtptest.Server }

// cmdSMTPServer starts an in-process SMTP server and exports NOTIFIER_SMTP_URL,
// NOTIFIER_EMAIL_FROM, SSL_CERT_FILE (its certificate, trusted by notifier)
// and SMTP_HOSTPORT.
//
//	smtpserver [-security plain|starttls|tls] [-auth USER:PASS] [-fail N] [-reject ADDR]
func cmdSMTPServer(ts *testscript.TestScript, neg bool, args []string) {
	fs := flag.NewFlagSet("smtpserver", flag.ContinueOnError)
	security := fs.String("security", "starttls", "plain, starttls or tls")
	auth := fs.String("auth", "", "require AUTH PLAIN with USER:PASS")
	fail := fs.Int("fail", 0, "answer the first N MAIL commands with 451")
	reject := fs.String("reject", "", "refuse this recipient with 550")
	ts.Check(fs.Parse(args))
	opts := smtptest.Options{FailFirst: *fail}
	switch *security {
	case "plain":
		opts.Security = smtptest.Plain
	case "starttls":
		opts.Security = smtptest.StartTLS
	case "tls":
		opts.Security = smtptest.ImplicitTLS
	default:
		ts.Fatalf("unknown -security %q", *security)
	}
	if *auth != "" {
		opts.Username, opts.Password, _ = strings.Cut(*auth, ":")
	}
	if *reject != "" {
		opts.RejectRecipients = []string{*reject}
	}
	srv, err := smtptest.Start(opts)
	ts.Check(err)
	ts.Defer(func() { srv.Close() })
	cert := ts.MkAbs("smtp-cert.pem")
	ts.Check(os.WriteFile(cert, srv.CertPEM(), 0o600))
	ts.Setenv("SSL_CERT_FILE", cert)
	ts.Setenv("NOTIFIER_SMTP_URL", srv.URL())
	ts.Setenv("SMTP_HOSTPORT", srv.Addr())
	ts.Setenv("NOTIFIER_EMAIL_FROM", "notifier <notifier@example.com>")
	ts.Value(smtpKey{}).(*smtpHolder).srv = srv
}

// cmdMailbox checks what the SMTP server received.
//
//	mailbox N      wait until N messages arrived, write them to mail1.eml ... mailN.eml
//	mailbox count N  exactly N messages arrived (after the sender has exited)
func cmdMailbox(ts *testscript.TestScript, neg bool, args []string) {
	srv := ts.Value(smtpKey{}).(*smtpHolder).srv
	if srv == nil || len(args) == 0 {
		ts.Fatalf("usage: mailbox N | mailbox count N (after smtpserver)")
	}
	if args[0] == "count" {
		n, err := strconv.Atoi(args[1])
		ts.Check(err)
		if got := len(srv.Messages()); (got == n) == neg {
			ts.Fatalf("mailbox: %d messages, want %d", got, n)
		}
		return
	}
	n, err := strconv.Atoi(args[0])
	ts.Check(err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs, err := srv.WaitMessages(ctx, n)
	ts.Check(err)
	for i, m := range msgs {
		head := fmt.Sprintf("X-Envelope-From: %s\nX-Envelope-To: %s\n", m.From, strings.Join(m.To, ", "))
		ts.Check(os.WriteFile(ts.MkAbs(fmt.Sprintf("mail%d.eml", i+1)), append([]byte(head), m.Data...), 0o600))
	}
}
