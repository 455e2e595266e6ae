package cli

import (
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestFileURLs(t *testing.T) {
	out := map[string]any{
		"b":      []any{"https://replicate.delivery/x/out-1.png", "plain text", 3},
		"a":      "http://h/a.wav",
		"nested": map[string]any{"z": []any{map[string]any{"u": "https://h/z.mp4"}}},
		"data":   "data:image/png;base64,AAAA",
		"spaced": "https://h/a b",
	}
	want := []string{"http://h/a.wav", "https://replicate.delivery/x/out-1.png", "https://h/z.mp4"}
	if got := fileURLs(out); !reflect.DeepEqual(got, want) {
		t.Errorf("fileURLs = %q, want %q", got, want)
	}
	if got := fileURLs("https://h/only.png"); len(got) != 1 {
		t.Errorf("a URL string: %q", got)
	}
}

func TestFileNameAndCreateUnique(t *testing.T) {
	for raw, want := range map[string]string{
		"https://h/p/out-0.png":    "out-0.png",
		"https://h/":               "output",
		"https://h":                "output",
		"https://h/a%2F..%2Fb.png": "b.png",
		"https://h/a%5Cb.png":      "a_b.png",
		"https://h/x/..":           "output",
	} {
		u, _ := url.Parse(raw)
		if got := fileName(u); got != want {
			t.Errorf("fileName(%s) = %q, want %q", raw, got, want)
		}
	}
	dir := t.TempDir()
	var paths []string
	for range 3 {
		f, p, err := createUnique(dir, "out.png")
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
		paths = append(paths, filepath.Base(p))
	}
	if want := []string{"out.png", "out-1.png", "out-2.png"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("createUnique names %q, want %q", paths, want)
	}
}

func TestFileOrValueAndCheck(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "a.png")
	if err := os.WriteFile(small, []byte("\x89PNG\r\n\x1a\nxx"), 0o644); err != nil {
		t.Fatal(err)
	}
	noext := filepath.Join(dir, "blob")
	if err := os.WriteFile(noext, []byte("\x89PNG\r\n\x1a\n\x00\x00"), 0o644); err != nil {
		t.Fatal(err)
	}
	in, err := parseInputs([]string{"img=@" + small, "raw=@" + noext, "at=@@me", "n=1"})
	if err != nil {
		t.Fatal(err)
	}
	if in["at"] != "@me" {
		t.Errorf("@@me = %#v, want the string @me", in["at"])
	}
	if err := checkFiles(in, uploadDataURL); err != nil {
		t.Fatal(err)
	}
	if f := in["img"].(*fileRef); f.ContentType != "image/png" || f.Size != 10 {
		t.Errorf("img = %+v", f)
	}
	if f := in["raw"].(*fileRef); f.ContentType != "image/png" {
		t.Errorf("sniffed content type %q, want image/png", f.ContentType)
	}
	got, err := sendFiles(t.Context(), nil, nil, in, uploadDataURL)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := got["img"].(string); s != "data:image/png;base64,iVBORw0KGgp4eA==" {
		t.Errorf("data URL %q", s)
	}
	if _, ok := in["img"].(*fileRef); !ok {
		t.Errorf("sendFiles changed its input map")
	}
	if _, err := parseInputs([]string{"x=@"}); err == nil || !strings.Contains(err.Error(), "@ must be followed by a file path") {
		t.Errorf("x=@: %v", err)
	}
}

func TestOutputText(t *testing.T) {
	long := strings.Repeat("word ", 40) + "END"
	for _, tt := range []struct {
		out  any
		want string
	}{
		{[]any{"Hello", ",", " world"}, "Hello, world"},
		{[]any{"https://h/out-0.png", "https://h/out-1.png"}, "2 files, latest https://h/out-1.png"},
		{"https://h/" + strings.Repeat("x", 200) + ".png", "https://h/" + strings.Repeat("x", 200) + ".png"},
		{map[string]any{"k": 1}, `{"k":1}`},
	} {
		if got := outputText(tt.out); got != tt.want {
			t.Errorf("outputText(%v) = %q, want %q", tt.out, got, tt.want)
		}
	}
	if got := outputText(long); !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "END") || len([]rune(got)) != 100 {
		t.Errorf("long text shown as %q: want its last 100 characters", got)
	}
}
