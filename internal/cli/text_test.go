package cli

import (
	"encoding/json"
	"testing"
)

func TestClean(t *testing.T) {
	tests := []struct{ in, want, wantText string }{
		{"p_abc123", "p_abc123", "p_abc123"},
		{"succeeded", "succeeded", "succeeded"},
		{"héllo wörld ✓", "héllo wörld ✓", "héllo wörld ✓"},
		{"a\nb\tc", `a\nb\tc`, "a\nb\tc"},
		{"p1\n12:00:00  --> completed  p2  succeeded  verified", `p1\n12:00:00  --> completed  p2  succeeded  verified`, "p1\n12:00:00  --> completed  p2  succeeded  verified"},
		{"\x1b[2J\x1b]0;pwned\x07", `\x1b[2J\x1b]0;pwned\x07`, `\x1b[2J\x1b]0;pwned\x07`},
		{"cr\roverwrite", `cr\roverwrite`, `cr\roverwrite`},
		{"del\x7f", `del\x7f`, `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`, `c1\u009b31m`},
		{"bidi \u202egnp.exe", `bidi \u202egnp.exe`, `bidi \u202egnp.exe`},
		{"bad \xff\xfe utf-8", `bad \xff\xfe utf-8`, `bad \xff\xfe utf-8`},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := clean(tt.in); got != tt.want {
			t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got := cleanText(tt.in); got != tt.wantText {
			t.Errorf("cleanText(%q) = %q, want %q", tt.in, got, tt.wantText)
		}
	}
}

func FuzzClean(f *testing.F) {
	for _, s := range []string{"p_1", "a\nb", "\x1b[31m", "\xff", "\u202e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := clean(s)
		if !isClean(out, false) {
			t.Errorf("clean(%q) = %q still has unsafe characters", s, out)
		}
		if s2 := clean(out); s2 != out {
			t.Errorf("clean is not stable: %q -> %q -> %q", s, out, s2)
		}
	})
}

func TestValidUTF8(t *testing.T) {
	in := []byte("{\"id\":\"p\xff1\",\"output\":\"\xc3\x28\"}")
	out, replaced := validUTF8(in)
	if !replaced || !json.Valid(out) {
		t.Fatalf("validUTF8 = %q, %v", out, replaced)
	}
	var v struct{ ID string }
	if err := json.Unmarshal(out, &v); err != nil || v.ID != "p\uFFFD1" {
		t.Errorf("decoded %+v, %v", v, err)
	}
	if out, replaced := validUTF8([]byte(`{"a":"é"}`)); replaced || string(out) != `{"a":"é"}` {
		t.Errorf("valid input changed: %q %v", out, replaced)
	}
}
