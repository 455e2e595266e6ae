package cli

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
)

func TestWriteOutput(t *testing.T) {
	tests := []struct {
		name    string
		raw     string
		want    string
		wantErr bool
	}{
		{"string as-is", `{"output":"hello"}`, "hello\n", false},
		{"string keeps its newline", `{"output":"line\n"}`, "line\n", false},
		{"string with escapes", `{"output":"a \"b\" <c> & é"}`, "a \"b\" <c> & é\n", false},
		{"url string", `{"output":"https://replicate.delivery/a.png"}`, "https://replicate.delivery/a.png\n", false},
		{"null prints nothing", `{"output":null}`, "", false},
		{"absent prints nothing", `{"id":"p1"}`, "", false},
		{"object pretty-printed, numbers unchanged", `{"output":{"b":10000000000000001,"a":0.5,"c":1.0,"d":1e3}}`,
			"{\n  \"b\": 10000000000000001,\n  \"a\": 0.5,\n  \"c\": 1.0,\n  \"d\": 1e3\n}\n", false},
		{"array", `{"output":["x",1]}`, "[\n  \"x\",\n  1\n]\n", false},
		{"number", `{"output":10000000000000001}`, "10000000000000001\n", false},
		{"bool", `{"output":true}`, "true\n", false},
		{"not JSON", `nope`, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := writeOutput(&b, json.RawMessage(tt.raw), false)
			if (err != nil) != tt.wantErr {
				t.Fatalf("writeOutput error = %v, want error %v", err, tt.wantErr)
			}
			if b.String() != tt.want {
				t.Errorf("writeOutput wrote %q, want %q", b.String(), tt.want)
			}
		})
	}
}

func TestStatusError(t *testing.T) {
	tests := []struct {
		name     string
		p        replicate.Prediction
		wantCode int
		wantMsg  string
	}{
		{"succeeded", replicate.Prediction{ID: "p1", Status: replicate.Succeeded}, exitOK, ""},
		{"failed", replicate.Prediction{ID: "p1", Status: replicate.Failed, Error: "CUDA out of memory"}, exitFailed, "prediction p1 failed: CUDA out of memory"},
		{"failed, multi-line error", replicate.Prediction{ID: "p1", Status: replicate.Failed, Error: "boom\n  at line 3\n"}, exitFailed, "prediction p1 failed: boom at line 3"},
		{"failed without message", replicate.Prediction{ID: "p1", Status: replicate.Failed}, exitFailed, "prediction p1 failed: no error message"},
		{"canceled", replicate.Prediction{ID: "p1", Status: replicate.Canceled}, exitCanceled, "prediction p1 was canceled"},
		{"aborted", replicate.Prediction{ID: "p1", Status: prediction.Aborted}, exitCanceled, "prediction p1 was aborted"},
		{"not terminal", replicate.Prediction{ID: "p1", Status: replicate.Processing}, exitError, `unknown status "processing"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := statusError(&tt.p)
			code, _ := exitCodeOf(err)
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (err %v)", code, tt.wantCode, err)
			}
			if tt.wantMsg == "" {
				if err != nil {
					t.Errorf("err = %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %v, want it to contain %q", err, tt.wantMsg)
			}
		})
	}
}

func TestWriteOutputOnATerminal(t *testing.T) {
	raw := json.RawMessage(`{"output":"line 1\n\tline 2 \u001b[2J\u001b]0;title\u0007"}`)
	var piped, tty bytes.Buffer
	if err := writeOutput(&piped, raw, false); err != nil {
		t.Fatal(err)
	}
	if err := writeOutput(&tty, raw, true); err != nil {
		t.Fatal(err)
	}
	if piped.String() != "line 1\n\tline 2 \x1b[2J\x1b]0;title\x07\n" {
		t.Errorf("piped output changed: %q", piped.String())
	}
	if tty.String() != "line 1\n\tline 2 \\x1b[2J\\x1b]0;title\\x07\n" {
		t.Errorf("terminal output %q, want escapes shown", tty.String())
	}
}
