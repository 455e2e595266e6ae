package email

import (
	"strings"
	"testing"
	"time"

	"github.com/notifier-dev/notifier/internal/notify"
)

func TestBuildSummary(t *testing.T) {
	m, err := BuildSummary("smoke: 9 of 10 succeeded\n", []string{"p1  succeeded  1.2s", "p2  failed     <script>"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "[notifier] smoke: 9 of 10 succeeded " {
		t.Errorf("subject = %q", m.Subject)
	}
	if want := "smoke: 9 of 10 succeeded \n\np1  succeeded  1.2s\np2  failed     <script>\n"; m.Text != want {
		t.Errorf("text = %q, want %q", m.Text, want)
	}
	if strings.Contains(m.HTML, "<script>") || !strings.Contains(m.HTML, "<pre>p1  succeeded  1.2s\n") {
		t.Errorf("HTML:\n%s", m.HTML)
	}
}

func TestBuildAlert(t *testing.T) {
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		alert   notify.Alert
		subject string
		text    []string
	}{
		{
			notify.Alert{Failures: 3, Total: 10, Threshold: 0.2, Window: 10 * time.Minute, At: at, Recent: []string{"p1 failed", "p2 <canceled>"}},
			"[notifier] alert: 3 of 10 predictions failed in the last 10m (30% ≥ 20%)",
			[]string{"Failure rate alert\n", "3 of 10 predictions completed in the last 10m failed, canceled or aborted: 30% ≥ 20%.",
				"At: 2025-01-02 02:04:05 UTC", "Recent failures:\n  p1 failed\n  p2 <canceled>\n"},
		},
		{
			notify.Alert{Recovered: true, Failures: 1, Total: 3, Threshold: 0.5, Window: time.Hour, At: at},
			"[notifier] recovered: 1 of 3 predictions failed in the last 1h (33.3% < 50%)",
			[]string{"Failure rate recovered\n", "33.3% < 50%."},
		},
		{
			notify.Alert{Recovered: true, Window: 90 * time.Second, Threshold: 0.25, At: at},
			"[notifier] recovered: 0 of 0 predictions failed in the last 1m30s (0% < 25%)",
			nil,
		},
	}
	for _, tt := range tests {
		m, err := BuildAlert(tt.alert)
		if err != nil {
			t.Fatal(err)
		}
		if m.Subject != tt.subject {
			t.Errorf("subject = %q, want %q", m.Subject, tt.subject)
		}
		for _, s := range tt.text {
			if !strings.Contains(m.Text, s) {
				t.Errorf("text lacks %q:\n%s", s, m.Text)
			}
		}
		if strings.Contains(m.HTML, "<canceled>") {
			t.Errorf("HTML not escaped:\n%s", m.HTML)
		}
	}
}
