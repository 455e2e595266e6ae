package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"
	"syscall"

	"github.com/wneessen/go-mail"
	mailsmtp "github.com/wneessen/go-mail/smtp"
)

// Kind says what went wrong when sending, so the CLI can explain it and hint
// at a fix.
type Kind int

const (
	// KindOther is anything not covered below.
	KindOther Kind = iota
	// KindConnection: the server could not be reached, or dropped the connection.
	KindConnection
	// KindTLS: the TLS handshake failed (untrusted certificate, wrong host
	// name, no STARTTLS offered, not a TLS server).
	KindTLS
	// KindAuth: the server refused the credentials, or AUTH could not be done.
	KindAuth
	// KindRecipient: the server refused one or more recipients.
	KindRecipient
	// KindRejected: the server refused the sender or the message.
	KindRejected
)

// String is the kind as the start of a sentence: "authentication failed".
func (k Kind) String() string {
	switch k {
	case KindConnection:
		return "connection failed"
	case KindTLS:
		return "TLS failed"
	case KindAuth:
		return "authentication failed"
	case KindRecipient:
		return "recipient refused"
	case KindRejected:
		return "message rejected"
	}
	return "sending failed"
}

// Error is a failed send. Its message is one line, e.g.
// "authentication failed (535 5.7.8 Authentication failed)", and never
// contains the password.
type Error struct {
	// Kind classifies the failure.
	Kind Kind
	// Code is the SMTP reply code behind the failure, 0 when there was none.
	Code int
	// Temporary is true for failures worth retrying (4xx replies, refused or
	// dropped connections, timeouts); Send already retried them.
	Temporary bool
	// Attempts is how many times Send tried.
	Attempts int
	// Detail is the server's reply or the underlying error, on one line.
	Detail string

	err error
}

// Error is "<kind>[ after N attempts] (<detail>)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Kind.String())
	if e.Attempts > 1 {
		b.WriteString(" after " + strconv.Itoa(e.Attempts) + " attempts")
	}
	if e.Detail != "" {
		b.WriteString(" (" + e.Detail + ")")
	}
	return b.String()
}

// Unwrap gives the underlying error, e.g. context.Canceled. When that
// error's text showed the password, Unwrap gives instead an error with the
// redacted text only, so that the password cannot be reached through it.
func (e *Error) Unwrap() error { return e.err }

// redactedError is an error whose text had the password removed.
type redactedError struct{ msg string }

func (e *redactedError) Error() string { return e.msg }

// classify turns a go-mail error into an *Error, removing the password from
// its text, including the base64 forms in which AUTH sends it.
func classify(err error, username, password string) *Error {
	e := &Error{err: err, Detail: detail(err, username, password)}
	var tp *textproto.Error
	if errors.As(err, &tp) {
		e.Code = tp.Code
		e.Temporary = tp.Code >= 400 && tp.Code < 500
	}
	var se *mail.SendError
	switch {
	case errors.Is(err, context.Canceled):
		e.Kind = KindOther
	case errors.As(err, &se):
		e.Kind, e.Temporary = sendErrorKind(se)
		if code := se.ErrorCode(); code != 0 {
			e.Code = code
		}
	case isTLSError(err):
		e.Kind, e.Temporary = KindTLS, false
	case isAuthError(err):
		e.Kind = KindAuth
	case e.Code != 0:
		// A reply at greeting or EHLO: 421 is "service not available, try later".
		e.Kind = KindRejected
		if e.Code == 421 {
			e.Kind = KindConnection
		}
	case isConnError(err):
		e.Kind, e.Temporary = KindConnection, !isPermanentDNS(err)
	}
	if showsPassword(err, username, password) {
		e.err = &redactedError{msg: redact(err.Error(), username, password)}
	}
	return e
}

// showsPassword reports whether the text of err, or of an error it wraps,
// shows the password in a spelling that redact removes.
func showsPassword(err error, username, password string) bool {
	if msg := err.Error(); redact(msg, username, password) != msg {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if inner := u.Unwrap(); inner != nil {
			return showsPassword(inner, username, password)
		}
	case interface{ Unwrap() []error }:
		for _, inner := range u.Unwrap() {
			if inner != nil && showsPassword(inner, username, password) {
				return true
			}
		}
	}
	return false
}

// sendErrorKind classifies a failure after the connection was set up.
func sendErrorKind(se *mail.SendError) (Kind, bool) {
	switch se.Reason {
	case mail.ErrGetSender, mail.ErrGetRcpts, mail.ErrNoUnencoded:
		return KindOther, false
	}
	if se.ErrorCode() == 0 {
		// No SMTP reply: the connection broke. Once the final dot is sent the
		// message may already be delivered, and sending it again could
		// deliver it twice; before that, another try is safe.
		return KindConnection, se.Reason != mail.ErrSMTPDataClose
	}
	if se.Reason == mail.ErrSMTPRcptTo {
		return KindRecipient, se.IsTemp()
	}
	return KindRejected, se.IsTemp()
}

func isTLSError(err error) bool {
	var (
		verify  *tls.CertificateVerificationError
		unknown x509.UnknownAuthorityError
		host    x509.HostnameError
		invalid x509.CertificateInvalidError
		record  tls.RecordHeaderError
		alert   tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert) ||
		strings.Contains(err.Error(), "does not support STARTTLS")
}

func isAuthError(err error) bool {
	return strings.Contains(err.Error(), "SMTP AUTH failed") ||
		strings.Contains(err.Error(), "server does not support SMTP AUTH") ||
		errors.Is(err, mailsmtp.ErrUnencrypted) || errors.Is(err, mailsmtp.ErrWrongHostname)
}

func isConnError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, net.ErrClosed)
}

// isPermanentDNS is true when the host name does not exist: retrying will not help.
func isPermanentDNS(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) && dns.IsNotFound
}

// detail is err's text on one line, without go-mail's phase prefixes, the
// message ID it appends, or the password in any spelling.
func detail(err error, username, password string) string {
	s := err.Error()
	for _, prefix := range []string{"dial failed: ", "send failed: ", "SMTP AUTH failed: "} {
		s = strings.TrimPrefix(s, prefix)
	}
	if before, _, ok := strings.Cut(s, ", affected message ID: "); ok {
		s = before
	}
	s = quotedReply.ReplaceAllStringFunc(s, unquoteReply)
	return strings.Join(strings.Fields(oneLine(redact(s, username, password))), " ")
}

// quotedReply matches an SMTP reply as net/textproto.Error shows it since
// Go 1.26: 535 "5.7.8 Authentication failed".
var quotedReply = regexp.MustCompile(`\b[2-5]\d\d "(?:[^"\\]|\\.)*"`)

// unquoteReply turns 535 "5.7.8 Authentication failed" back into the reply
// as the server sent it.
func unquoteReply(s string) string {
	code, quoted, _ := strings.Cut(s, " ")
	msg, err := strconv.Unquote(quoted)
	if err != nil {
		return s
	}
	return code + " " + msg
}
