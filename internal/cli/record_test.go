package cli

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
)

func testDelivery(body []byte) listener.Delivery {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Webhook-Id", "msg_1")
	h.Add("X-Multi", "a")
	h.Add("X-Multi", "b")
	return listener.Delivery{
		WebhookID:  "msg_1",
		ReceivedAt: time.Date(2026, 1, 2, 4, 5, 6, 7, time.FixedZone("CET", 3600)),
		Verdict:    listener.Verified,
		Status:     200,
		Method:     "POST",
		Path:       "/hook/abc",
		Header:     h,
		Body:       body,
	}
}

func TestRecordLine(t *testing.T) {
	tests := []struct {
		name string
		d    listener.Delivery
		want string
	}{
		{"utf-8 body", testDelivery([]byte(`{"id":"p_1","output":"<é> & \"q\""}` + "\n")),
			`{"received_at":"2026-01-02T03:05:06.000000007Z","webhook_id":"msg_1","method":"POST","path":"/hook/abc",` +
				`"headers":{"Content-Type":["application/json"],"Webhook-Id":["msg_1"],"X-Multi":["a","b"]},` +
				`"body":"{\"id\":\"p_1\",\"output\":\"<é> & \\\"q\\\"\"}\n","verdict":"verified","http_status":200}` + "\n"},
		{"non-utf-8 body", testDelivery([]byte{0xff, 0xfe, 'x'}),
			`{"received_at":"2026-01-02T03:05:06.000000007Z","webhook_id":"msg_1","method":"POST","path":"/hook/abc",` +
				`"headers":{"Content-Type":["application/json"],"Webhook-Id":["msg_1"],"X-Multi":["a","b"]},` +
				`"body_base64":"//54","verdict":"verified","http_status":200}` + "\n"},
		{"empty body", func() listener.Delivery {
			d := testDelivery([]byte{})
			d.Header, d.Verdict, d.Reason, d.Status = nil, listener.Rejected, "malformed body", 400
			return d
		}(),
			`{"received_at":"2026-01-02T03:05:06.000000007Z","webhook_id":"msg_1","method":"POST","path":"/hook/abc",` +
				`"headers":{},"body":"","verdict":"rejected","reason":"malformed body","http_status":400}` + "\n"},
		{"body not read", func() listener.Delivery {
			d := testDelivery(nil)
			d.Header, d.Verdict, d.Reason, d.Status = nil, listener.Rejected, "body too large", 413
			return d
		}(),
			`{"received_at":"2026-01-02T03:05:06.000000007Z","webhook_id":"msg_1","method":"POST","path":"/hook/abc",` +
				`"headers":{},"verdict":"rejected","reason":"body too large","http_status":413}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := marshalRecord(newRecord(tt.d))
			if err != nil {
				t.Fatal(err)
			}
			if string(line) != tt.want {
				t.Errorf("got  %s\nwant %s", line, tt.want)
			}
			// replay reads back exactly the bytes that arrived.
			rec, err := parseRecord(line)
			if err != nil {
				t.Fatal(err)
			}
			body, err := rec.rawBody()
			if err != nil || !bytes.Equal(body, tt.d.Body) {
				t.Errorf("rawBody() = %q, %v; want %q", body, err, tt.d.Body)
			}
			if !rec.ReceivedAt.Equal(tt.d.ReceivedAt) {
				t.Errorf("received_at %v, want %v", rec.ReceivedAt, tt.d.ReceivedAt)
			}
		})
	}
}

func TestRecorderAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte("earlier\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	io, _, errOut := testStreams()
	r, err := openRecorder(path, newProgress(io))
	if err != nil {
		t.Fatal(err)
	}
	r.record(testDelivery([]byte("{}")))
	r.record(testDelivery([]byte("{}")))
	if err := r.close(); err != nil {
		t.Fatal(err)
	}
	if err := r.close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "earlier" || !strings.HasPrefix(lines[2], `{"received_at":`) {
		t.Errorf("file:\n%s", b)
	}
	if errOut.Len() != 0 {
		t.Errorf("stderr: %s", errOut)
	}
}

func TestRecorderCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	io, _, _ := testStreams()
	r, err := openRecorder(path, newProgress(io))
	if err != nil {
		t.Fatal(err)
	}
	defer r.close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("mode %v, want 0600 (bodies and headers are the user's data)", perm)
	}
}

func TestRecorderWriteFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	io, _, errOut := testStreams()
	r, err := openRecorder(path, newProgress(io))
	if err != nil {
		t.Fatal(err)
	}
	r.f.Close() // every write now fails
	for range 3 {
		r.record(testDelivery([]byte("{}")))
	}
	if n := strings.Count(errOut.String(), "warning: recording deliveries to "+path+" failed"); n != 1 {
		t.Errorf("%d warnings, want 1:\n%s", n, errOut)
	}
	err = r.close()
	if err == nil || !strings.Contains(err.Error(), "recording deliveries to "+path+" failed: ") ||
		!strings.HasSuffix(err.Error(), "(3 not recorded)") || !errors.Is(err, os.ErrClosed) {
		t.Errorf("close() = %v", err)
	}
	if code, _ := exitCodeOf(err); code != exitError {
		t.Errorf("exit code %d, want %d", code, exitError)
	}
}

func TestNilRecorder(t *testing.T) {
	r, err := openRecorder("", nil)
	if r != nil || err != nil {
		t.Fatalf("openRecorder(\"\") = %v, %v", r, err)
	}
	r.record(testDelivery(nil)) // no-op
	if err := r.close(); err != nil {
		t.Fatal(err)
	}
}
