package delivery

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
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
		Size:       int64(len(body)),
		Prediction: &listener.Summary{ID: "p_1"},
	}
}

const headerJSON = `"headers":{"Content-Type":["application/json"],"Webhook-Id":["msg_1"],"X-Multi":["a","b"]},`

func TestRecordLine(t *testing.T) {
	rejected := func(body []byte, size int64, truncated bool, reason string, status int) listener.Delivery {
		d := testDelivery(body)
		d.Header, d.Verdict, d.Reason, d.Status, d.Size, d.Truncated = nil, listener.Rejected, reason, status, size, truncated
		return d
	}
	const head = `{"version":1,"received_at":"2026-01-02T03:05:06.000000007Z","webhook_id":"msg_1","method":"POST","path":"/hook/abc",`
	tests := []struct {
		name string
		d    listener.Delivery
		want string
	}{
		{"utf-8 body", testDelivery([]byte(`{"id":"p_1","output":"<é> & \"q\""}` + "\n")),
			head + headerJSON + `"body":"{\"id\":\"p_1\",\"output\":\"<é> & \\\"q\\\"\"}\n","body_size":37,"verdict":"verified","http_status":200}` + "\n"},
		{"non-utf-8 body", testDelivery([]byte{0xff, 0xfe, 'x'}),
			head + headerJSON + `"body_base64":"//54","body_size":3,"verdict":"verified","http_status":200}` + "\n"},
		{"empty body", rejected([]byte{}, 0, false, "malformed body", 400),
			head + `"headers":{},"body":"","body_size":0,"verdict":"rejected","reason":"malformed body","http_status":400}` + "\n"},
		{"prefix of a rejected body", rejected([]byte("{\"id\""), 11_000_000, true, "bad signature", 401),
			head + `"headers":{},"body":"{\"id\"","body_size":11000000,"body_truncated":true,"verdict":"rejected","reason":"bad signature","http_status":401}` + "\n"},
		{"body not read", rejected(nil, 0, false, "busy", 503),
			head + `"headers":{},"body_size":0,"verdict":"rejected","reason":"busy","http_status":503}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			line, err := NewRecord(tt.d).Marshal()
			if err != nil {
				t.Fatal(err)
			}
			if string(line) != tt.want {
				t.Errorf("got  %s\nwant %s", line, tt.want)
			}
			// replay reads back exactly the bytes that arrived.
			rec, err := Parse(line)
			if err != nil {
				t.Fatal(err)
			}
			body, err := rec.RawBody()
			if err != nil || !bytes.Equal(body, tt.d.Body) {
				t.Errorf("RawBody() = %q, %v; want %q", body, err, tt.d.Body)
			}
			if !rec.ReceivedAt.Equal(tt.d.ReceivedAt) || rec.Accepted() != tt.d.Accepted() {
				t.Errorf("read back %+v", rec)
			}
		})
	}
}

func TestParseVersions(t *testing.T) {
	// A line written before the version field existed reads as version 1.
	rec, err := Parse([]byte(`{"webhook_id":"a","verdict":"verified","body":"{}","http_status":200}`))
	if err != nil || rec.Version != 1 {
		t.Errorf("unversioned line: %+v, %v", rec, err)
	}
	_, err = Parse([]byte(`{"version":2,"verdict":"verified"}`))
	if err == nil || !strings.Contains(err.Error(), "version 2 is newer") {
		t.Errorf("version 2: %v", err)
	}
}

func TestWriterAppends(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte("earlier\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := w.Write(testDelivery([]byte("{}"))); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 || lines[0] != "earlier" || !strings.HasPrefix(lines[2], `{"version":1,"received_at":`) {
		t.Errorf("file:\n%s", b)
	}
}

func TestWriterCreatesPrivateFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		t.Errorf("mode %v, want 0600 (bodies and headers are the user's data)", perm)
	}
}

func TestWriterFailure(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	w, err := Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w.f.Close() // every write now fails
	var errs []error
	for range 3 {
		if err := w.Write(testDelivery([]byte("{}"))); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "recording deliveries to "+path+" failed") {
		t.Errorf("write errors %v, want exactly one", errs)
	}
	err = w.Close()
	if err == nil || !strings.HasSuffix(err.Error(), "(3 not recorded)") || !errors.Is(err, os.ErrClosed) {
		t.Errorf("Close() = %v", err)
	}
}

func TestWriterFullDevice(t *testing.T) {
	w, err := Create("/dev/full")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(testDelivery([]byte("{}"))); err == nil {
		t.Error("writing to /dev/full succeeded")
	}
	if err := w.Close(); err == nil || !strings.Contains(err.Error(), "no space left on device") {
		t.Errorf("Close() = %v", err)
	}
}

func writeRecords(t *testing.T, lines ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rec.jsonl")
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestReadFile(t *testing.T) {
	big := strings.Repeat("x", 200_000) // longer than bufio.Scanner's default line
	good := `{"webhook_id":"a","verdict":"verified","body":"` + big + `"}`
	tests := []struct {
		name    string
		lines   []string
		n       int
		wantErr string
	}{
		{"no final newline", []string{good, good}, 2, ""},
		{"blank lines", []string{"", good, "  ", good, ""}, 2, ""},
		{"not json", []string{good, "", "{oops"}, 0, ":3: malformed record: invalid character"},
		{"not a record", []string{`{"a":1}`}, 0, ":1: malformed record: no verdict"},
		{"bad base64", []string{good, `{"verdict":"verified","body_base64":"!!"}`}, 0, ":2: malformed record: body_base64: illegal base64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeRecords(t, tt.lines...)
			recs, err := ReadFile(path)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), path+tt.wantErr) {
					t.Errorf("err %v, want prefix %q", err, path+tt.wantErr)
				}
				return
			}
			if err != nil || len(recs) != tt.n || *recs[0].Body != big {
				t.Errorf("got %d records, %v", len(recs), err)
			}
		})
	}
}

func TestSelect(t *testing.T) {
	recs := []Record{
		{WebhookID: "a", Verdict: "rejected"},
		{WebhookID: "a", Verdict: "verified"},
		{WebhookID: "a", Verdict: "duplicate"},
		{WebhookID: "b", Verdict: "unverified"},
		{WebhookID: "c", Verdict: "rejected", Reason: "x"},
		{WebhookID: "c", Verdict: "rejected", Reason: "y"},
	}
	tests := []struct {
		id      string
		want    []int // indexes into recs
		wantErr string
	}{
		{"", []int{1, 3}, ""},
		{"a", []int{1}, ""},
		{"b", []int{3}, ""},
		{"c", []int{4, 5}, ""},
		{"zz", nil, `no delivery with webhook-id "zz"`},
	}
	for _, tt := range tests {
		got, err := Select(recs, tt.id)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("id %q: err %v, want %q", tt.id, err, tt.wantErr)
			}
			continue
		}
		var want []Record
		for _, i := range tt.want {
			want = append(want, recs[i])
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("id %q: got %v, %v; want %v", tt.id, got, err, want)
		}
	}
	if _, err := Select(recs[4:], ""); err == nil || err.Error() != "no accepted delivery to replay (2 records)" {
		t.Errorf("no accepted: %v", err)
	}
}
