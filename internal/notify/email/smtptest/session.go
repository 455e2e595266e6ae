package smtptest

import (
	"encoding/base64"
	"errors"
	"io"
	"strings"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

var (
	errTryLater = &smtp.SMTPError{
		Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Temporary failure, try again later",
	}
	errDropped   = errors.New("smtptest: connection dropped")
	errNoMailbox = &smtp.SMTPError{
		Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "Mailbox unavailable",
	}
)

// backend makes one session per connection; with a username or an
// AuthReply configured the session also offers AUTH PLAIN.
type backend struct{ s *Server }

func (b *backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	if b.s.takeDrop() {
		// Hang up in the middle of EHLO, like a crashing or overloaded server.
		c.Conn().Close()
		return nil, errDropped
	}
	sess := &session{s: b.s}
	if b.s.opts.Username != "" || b.s.opts.AuthReply != "" {
		return &authSession{sess}, nil
	}
	return sess, nil
}

// session records one transaction at a time.
type session struct {
	s      *Server
	authed bool
	from   string
	to     []string
}

func (ss *session) Reset() {
	ss.from, ss.to = "", nil
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	s := ss.s
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mails++
	if s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if s.failed < s.opts.FailFirst {
		s.failed++
		return errTryLater
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	for _, r := range ss.s.opts.RejectRecipients {
		if strings.EqualFold(r, to) {
			return errNoMailbox
		}
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	ss.s.record(Message{From: ss.from, To: append([]string(nil), ss.to...), Data: data})
	return nil
}

// authSession adds AUTH PLAIN checked against Options.Username and Password.
type authSession struct{ *session }

func (a *authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (a *authSession) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	if a.s.opts.AuthReply != "" {
		return &echoServer{s: a.s, mech: mech}, nil
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		opts := a.s.opts
		if (identity != "" && identity != username) || username != opts.Username || password != opts.Password {
			a.s.countAuthFailure()
			return smtp.ErrAuthFailed
		}
		a.authed = true
		return nil
	}), nil
}

// echoServer refuses AUTH with Options.AuthReply, quoting the client's
// response back.
type echoServer struct {
	s     *Server
	mech  string
	asked bool
}

func (e *echoServer) Next(response []byte) ([]byte, bool, error) {
	if response == nil && !e.asked {
		// No initial response on the AUTH line: ask for it with "334 ".
		e.asked = true
		return []byte{}, false, nil
	}
	e.s.countAuthFailure()
	// go-smtp decoded the response from standard base64; encoding it again
	// gives back the text the client sent.
	msg := strings.NewReplacer("{mech}", e.mech, "{response}", base64.StdEncoding.EncodeToString(response)).
		Replace(e.s.opts.AuthReply)
	return nil, false, &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8}, Message: msg}
}
