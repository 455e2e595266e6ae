package email

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"syscall"
	"testing"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		name      string
		err       error
		kind      Kind
		code      int
		temporary bool
		text      string
	}{
		{"auth refused", fmt.Errorf("dial failed: %w", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 535, Msg: "5.7.8 Authentication failed"})),
			KindAuth, 535, false, "authentication failed (535 5.7.8 Authentication failed)"},
		{"auth temporarily unavailable", fmt.Errorf("SMTP AUTH failed: %w", &textproto.Error{Code: 454, Msg: "4.7.0 try later"}),
			KindAuth, 454, true, "authentication failed (454 4.7.0 try later)"},
		{"greeting 421", fmt.Errorf("dial failed: %w", &textproto.Error{Code: 421, Msg: "4.3.2 busy"}),
			KindConnection, 421, true, "connection failed (421 4.3.2 busy)"},
		{"greeting 554", &textproto.Error{Code: 554, Msg: "5.7.1 go away"},
			KindRejected, 554, false, "message rejected (554 5.7.1 go away)"},
		{"refused", fmt.Errorf("dial failed: %w", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}),
			KindConnection, 0, true, "connection failed (dial tcp: connection refused)"},
		{"dropped", fmt.Errorf("dial failed: %w", io.EOF), KindConnection, 0, true, "connection failed (EOF)"},
		{"no such host", &net.DNSError{Err: "no such host", Name: "smtp.invalid", IsNotFound: true},
			KindConnection, 0, false, "connection failed (lookup smtp.invalid: no such host)"},
		{"not TLS", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"},
			KindTLS, 0, false, "TLS failed (tls: first record does not look like a TLS handshake)"},
		{"canceled", context.Canceled, KindOther, 0, false, "sending failed (context canceled)"},
		{"unknown", errors.New("something\nodd"), KindOther, 0, false, "sending failed (something odd)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := classify(tt.err, "", "")
			if e.Kind != tt.kind || e.Code != tt.code || e.Temporary != tt.temporary {
				t.Errorf("classify = kind %v, code %d, temporary %v; want %v, %d, %v", e.Kind, e.Code, e.Temporary, tt.kind, tt.code, tt.temporary)
			}
			if e.Error() != tt.text {
				t.Errorf("Error() = %q, want %q", e.Error(), tt.text)
			}
			if !errors.Is(e, tt.err) {
				t.Error("Unwrap lost the cause")
			}
		})
	}
}
