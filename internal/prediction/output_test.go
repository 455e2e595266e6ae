package prediction

import (
	"encoding/json"
	"slices"
	"testing"
)

func TestIsLink(t *testing.T) {
	for s, want := range map[string]bool{
		"https://replicate.delivery/a/out-0.png": true,
		"HTTP://example.com/x":                   true,
		"http://127.0.0.1:8080/":                 true,
		"https:///nohost":                        false,
		"javascript:alert(1)":                    false,
		"data:image/png;base64,AAAA":             false,
		"https://example.com/a b":                false,
		"ftp://example.com/f":                    false,
		"just text":                              false,
	} {
		if got := IsLink(s); got != want {
			t.Errorf("IsLink(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestWalkStrings(t *testing.T) {
	var out any
	if err := json.Unmarshal([]byte(`{"b":["x",{"d":"y","c":"z"}],"a":"w","n":1}`), &out); err != nil {
		t.Fatal(err)
	}
	var got []string
	WalkStrings(out, func(s string) { got = append(got, s) })
	if want := []string{"w", "x", "z", "y"}; !slices.Equal(got, want) {
		t.Errorf("WalkStrings = %q, want %q", got, want)
	}
}
