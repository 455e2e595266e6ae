package cli

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/listener"
	"github.com/notifier-dev/notifier/internal/webhook"
)

func TestSelectRecords(t *testing.T) {
	recs := []recordedDelivery{
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
		{"zz", nil, `f.jsonl holds no delivery with webhook-id "zz"`},
	}
	for _, tt := range tests {
		got, err := selectRecords(recs, tt.id, "f.jsonl")
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("--id %q: err %v, want %q", tt.id, err, tt.wantErr)
			}
			continue
		}
		var want []recordedDelivery
		for _, i := range tt.want {
			want = append(want, recs[i])
		}
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("--id %q: got %v, %v; want %v", tt.id, got, err, want)
		}
	}
	if _, err := selectRecords(recs[4:], "", "f.jsonl"); err == nil || err.Error() != "f.jsonl holds no accepted delivery to replay (2 records)" {
		t.Errorf("no accepted: %v", err)
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

func TestReadRecords(t *testing.T) {
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
			recs, err := readRecords(path)
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

func TestReplayResign(t *testing.T) {
	old, _ := webhook.ParseSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
	const current = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	d := testDelivery([]byte{'{', '}', 0xff}) // recorded as body_base64
	old.SignHeaders(d.Header, "msg_1", now.Add(-time.Hour), d.Body)
	line, err := marshalRecord(newRecord(d))
	if err != nil {
		t.Fatal(err)
	}
	var got []gotRequest
	srv := newTarget(t, http.StatusOK, &got)
	io, out, errOut := testStreams()
	opts := &replayOptions{IO: io, Now: func() time.Time { return now }, File: writeRecords(t, string(line)),
		To: srv.URL, Resign: true, Getenv: func(k string) string { return map[string]string{envWebhookSecret: current}[k] }}
	if err := replayRun(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].body != string(d.Body) {
		t.Fatalf("target got %+v", got)
	}
	s, _ := webhook.ParseSecret(current)
	if err := s.Verify(got[0].header, []byte(got[0].body), now); err != nil {
		t.Errorf("re-signed delivery: %v", err)
	}
	if ts := got[0].header.Get(webhook.HeaderTimestamp); ts != strconv.FormatInt(now.Unix(), 10) {
		t.Errorf("webhook-timestamp %s, want now", ts)
	}
	if id := got[0].header.Get(webhook.HeaderID); id != "msg_1" {
		t.Errorf("webhook-id %s", id)
	}
	if !strings.HasPrefix(out.String(), "--> msg_1  -  <-- 200 OK (") || errOut.Len() != 0 {
		t.Errorf("stdout %q, stderr %q", out, errOut)
	}
	if strings.Contains(out.String()+errOut.String(), "C2FVsBQ") {
		t.Error("the secret was printed")
	}
}

func TestReplayAccepted(t *testing.T) {
	if !(recordedDelivery{Verdict: string(listener.Unverified)}).accepted() ||
		(recordedDelivery{Verdict: string(listener.Duplicate)}).accepted() {
		t.Error("accepted() disagrees with listener.Delivery.Accepted")
	}
}
