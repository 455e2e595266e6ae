package prediction

import (
	"testing"
	"time"

	"github.com/replicate/replicate-go"
)

func TestTerminal(t *testing.T) {
	for _, s := range Statuses() {
		want := s != replicate.Starting && s != replicate.Processing
		if got := Terminal(s); got != want {
			t.Errorf("Terminal(%q) = %v, want %v", s, got, want)
		}
		if !Known(s) {
			t.Errorf("Known(%q) = false", s)
		}
	}
	for _, s := range []replicate.Status{"", "exploded", "Succeeded"} {
		if Terminal(s) || Known(s) {
			t.Errorf("status %q counted as terminal or known", s)
		}
	}
	if got := TerminalStatuses(); len(got) != 4 || got[3] != Aborted {
		t.Errorf("TerminalStatuses() = %v", got)
	}
}

func TestErrorText(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"CUDA out of memory", "CUDA out of memory"},
		{map[string]any{"detail": "x"}, `{"detail":"x"}`},
		{42.0, "42"},
	}
	for _, tt := range tests {
		if got := ErrorText(tt.in); got != tt.want {
			t.Errorf("ErrorText(%#v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWebURL(t *testing.T) {
	tests := []struct {
		p    replicate.Prediction
		want string
	}{
		{replicate.Prediction{ID: "abc", URLs: map[string]string{"web": "https://replicate.com/p/abc"}}, "https://replicate.com/p/abc"},
		{replicate.Prediction{ID: "abc"}, "https://replicate.com/p/abc"},
		{replicate.Prediction{ID: "a/b?c#d"}, "https://replicate.com/p/a%2Fb%3Fc%23d"},
		{replicate.Prediction{}, ""},
	}
	for _, tt := range tests {
		if got := WebURL(&tt.p); got != tt.want {
			t.Errorf("WebURL(%q) = %q, want %q", tt.p.ID, got, tt.want)
		}
	}
}

func TestEventName(t *testing.T) {
	want := map[replicate.Status]string{
		replicate.Starting: "start", replicate.Processing: "update",
		replicate.Succeeded: "completed", Aborted: "completed",
	}
	for s, w := range want {
		if got := EventName(s); got != w {
			t.Errorf("EventName(%q) = %q, want %q", s, got, w)
		}
	}
}

func TestRound(t *testing.T) {
	tests := []struct{ in, want time.Duration }{
		{1234567 * time.Nanosecond, time.Millisecond},
		{1500 * time.Nanosecond, 2 * time.Microsecond},
		{1234567890 * time.Nanosecond, 1235 * time.Millisecond},
		{12345678901 * time.Nanosecond, 12300 * time.Millisecond},
		{-3 * time.Millisecond / 2, -2 * time.Millisecond},
	}
	for _, tt := range tests {
		if got := Round(tt.in); got != tt.want {
			t.Errorf("Round(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTimes(t *testing.T) {
	started, completed, bad := "2026-01-01T00:00:01.5Z", "2026-01-01T00:00:04Z", "yesterday"
	p := &replicate.Prediction{CreatedAt: "2026-01-01T00:00:00Z", StartedAt: &started, CompletedAt: &completed}
	tm := TimesOf(p)
	if d, ok := tm.Queue(); !ok || d != 1500*time.Millisecond {
		t.Errorf("Queue = %v, %v", d, ok)
	}
	if d, ok := tm.Run(); !ok || d != 2500*time.Millisecond {
		t.Errorf("Run = %v, %v", d, ok)
	}
	if d, ok := tm.Total(); !ok || d != 4*time.Second {
		t.Errorf("Total = %v, %v", d, ok)
	}
	p.CompletedAt = &bad
	if _, ok := TimesOf(p).Total(); ok {
		t.Error("Total known with a malformed completed_at")
	}
}
