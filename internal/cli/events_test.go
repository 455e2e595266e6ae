package cli

import (
	"reflect"
	"strings"
	"testing"

	"github.com/replicate/replicate-go"
)

func TestParseEvents(t *testing.T) {
	tests := []struct {
		in      []string
		want    []replicate.WebhookEventType
		wantErr string
	}{
		{[]string{"completed"}, []replicate.WebhookEventType{replicate.WebhookEventCompleted}, ""},
		{[]string{"start", " output ", "logs", "completed"},
			[]replicate.WebhookEventType{replicate.WebhookEventStart, replicate.WebhookEventOutput, replicate.WebhookEventLogs, replicate.WebhookEventCompleted}, ""},
		{nil, nil, "at least one event"},
		{[]string{}, nil, "at least one event"},
		{[]string{"bogus"}, nil, `invalid event "bogus"`},
		{[]string{"completed", "Completed"}, nil, `invalid event "Completed"`},
		{[]string{""}, nil, `invalid event ""`},
	}
	for _, tt := range tests {
		got, err := parseEvents(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseEvents(%q) = %v, %v; want error containing %q", tt.in, got, err, tt.wantErr)
			} else if code, _ := exitCodeOf(err); code != exitUsage {
				t.Errorf("parseEvents(%q) error exits %d, want %d", tt.in, code, exitUsage)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseEvents(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
}
