package email

import (
	"strings"
	"testing"
)

func TestOutputItemsMarkImages(t *testing.T) {
	v := newOutputView([]byte(`["https://replicate.delivery/a/out-0.PNG","https://h/b.webp?x=1","https://h/c.txt","data:image/png;base64,AA","not a url.png"]`), 1<<20)
	want := []outputItem{
		{Value: "https://replicate.delivery/a/out-0.PNG", Link: true, Image: true},
		{Value: "https://h/b.webp?x=1", Link: true, Image: true},
		{Value: "https://h/c.txt", Link: true},
		{Value: "data:image/png;base64,AA"},
		{Value: "not a url.png"},
	}
	if len(v.Items) != len(want) {
		t.Fatalf("items %+v", v.Items)
	}
	for i, it := range v.Items {
		if it != want[i] {
			t.Errorf("item %d = %+v, want %+v", i, it, want[i])
		}
	}
}

// TestHTMLShowsImageOutputsInline: image outputs are shown in the HTML part,
// by URL, escaped; other URLs stay links, and a hostile "URL" is no image.
func TestHTMLShowsImageOutputsInline(t *testing.T) {
	m := build(t, `{"id":"p1","model":"acme/image","status":"succeeded","output":["https://replicate.delivery/x/out-0.png","https://h/\"><script>x</script>.png","javascript:alert(1).png","https://h/readme.txt"]}`, BuildOptions{})
	for _, want := range []string{
		`<img src="https://replicate.delivery/x/out-0.png" alt="output image"`,
		`<a href="https://h/readme.txt">https://h/readme.txt</a>`,
	} {
		if !strings.Contains(m.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, m.HTML)
		}
	}
	if strings.Contains(m.HTML, "<script>") || strings.Contains(m.HTML, `src="javascript:`) {
		t.Errorf("HTML has live script:\n%s", m.HTML)
	}
	if strings.Count(m.HTML, "<img ") != 2 {
		t.Errorf("%d images, want 2 (the two https .png URLs)", strings.Count(m.HTML, "<img "))
	}
}
