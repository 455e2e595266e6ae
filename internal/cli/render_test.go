package cli

import "testing"

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
