package cli

import (
	"bytes"
	"errors"
	"syscall"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/delivery"
)

func TestWriteReplayJSON(t *testing.T) {
	tests := []struct {
		res  delivery.Result
		want string
	}{
		{delivery.Result{Status: 200, Duration: 431 * time.Microsecond},
			`{"webhook_id":"msg_1","prediction_id":"p1","status":200,"duration_ms":0.431}`},
		{delivery.Result{Status: 503, Duration: 1234567 * time.Microsecond},
			`{"webhook_id":"msg_1","prediction_id":"p1","status":503,"duration_ms":1234.567}`},
		{delivery.Result{Duration: 2 * time.Millisecond, Err: syscall.ECONNREFUSED},
			`{"webhook_id":"msg_1","prediction_id":"p1","duration_ms":2,"error":"connection refused"}`},
		{delivery.Result{Err: errors.New("line one\nline two")},
			`{"webhook_id":"msg_1","prediction_id":"p1","duration_ms":0,"error":"line one line two"}`},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := writeReplayJSON(&b, "msg_1", "p1", tt.res); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); got != tt.want+"\n" {
			t.Errorf("got  %s\nwant %s", got, tt.want)
		}
	}
}
