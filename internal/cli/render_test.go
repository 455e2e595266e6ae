package cli

import (
	"encoding/json"
	"testing"
	"time"
)

func TestHumanSize(t *testing.T) {
	tests := []struct {
		n    int
		want string
	}{
		{0, "0 B"},
		{512, "512 B"},
		{999, "999 B"},
		{1000, "1.0 KB"},
		{4100, "4.1 KB"},
		{4149, "4.1 KB"},
		{999_900, "999.9 KB"},
		{1_000_000, "1.0 MB"},
		{2_000_000, "2.0 MB"},
		{10 << 20, "10.5 MB"},
	}
	for _, tt := range tests {
		if got := humanSize(int64(tt.n)); got != tt.want {
			t.Errorf("humanSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestAppendDeliveryAsMarshal: the NDJSON line of a delivery is what
// json.Marshal gives, byte for byte.
func TestAppendDeliveryAsMarshal(t *testing.T) {
	at := time.Date(2026, 11, 29, 9, 1, 2, 345_678_900, time.UTC)
	for _, jd := range []jsonDelivery{
		{Type: "delivery", WebhookID: "msg_2Yx", ReceivedAt: at, Verdict: "verified", HTTPStatus: 200, Size: 2243},
		{Type: "delivery", WebhookID: "", ReceivedAt: at.Truncate(time.Second), Verdict: "unverified", Reason: "bad signature", HTTPStatus: 200, Size: 0, InvalidUTF8: true},
		{Type: "rejected", WebhookID: "a\"b\\c<d>e&f\x00\x1f\x7f", ReceivedAt: at, Verdict: "rejected", Reason: "not a prediction: unknown status \"caf\xe9\u2028\"", HTTPStatus: 400, Size: -1},
		{Type: "delivery", WebhookID: "msg_\n\t", ReceivedAt: time.Time{}, Verdict: "duplicate", Reason: "duplicate", HTTPStatus: 200, Size: 1 << 40},
	} {
		want, err := json.Marshal(jd)
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendDelivery([]byte("prefix"), &jd)
		if err != nil || string(got) != "prefix"+string(want) {
			t.Errorf("appendDelivery = %s, %v\nwant %s", got, err, want)
		}
	}
	out := jsonDelivery{ReceivedAt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if _, err := appendDelivery(nil, &out); err == nil {
		t.Error("a year past 9999: no error, as json.Marshal gives")
	}
}
