package simulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/simulator"
)

// pngHeader is the start of every PNG: enough for content sniffing.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")

// download GETs url, with the simulator's token when token is set, and
// returns the status, content type and body. The clients have no download
// call: a file's content is fetched by URL (docs/simulator.md, "Files,
// images and streaming").
func download(t *testing.T, url, token string) (int, string, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("Content-Type"), b
}

// TestReplicateGoFiles: create (from bytes and from a path), get, list,
// content and delete through replicate-go's files API.
func TestReplicateGoFiles(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})

	// From bytes: replicate-go sniffs the content type itself.
	img, err := c.CreateFileFromBytes(ctx, pngHeader, nil)
	if err != nil {
		t.Fatalf("CreateFileFromBytes: %v", err)
	}
	sum := sha256.Sum256(pngHeader)
	if img.Name != "file" || img.ContentType != "image/png" || img.Size != len(pngHeader) ||
		img.Checksums["sha256"] != hex.EncodeToString(sum[:]) || img.Etag == "" || len(img.ID) != 26 {
		t.Errorf("file from bytes: %s", img.RawJSON())
	}
	if img.URLs["get"] != sim.BaseURL()+"/files/"+img.ID {
		t.Errorf("urls.get %q, want <base>/files/<id>", img.URLs["get"])
	}
	created, err1 := time.Parse(time.RFC3339Nano, img.CreatedAt)
	expires, err2 := time.Parse(time.RFC3339Nano, img.ExpiresAt)
	if err1 != nil || err2 != nil || expires.Sub(created) != 24*time.Hour {
		t.Errorf("created_at %q, expires_at %q", img.CreatedAt, img.ExpiresAt)
	}

	// From a path, with metadata: name and content type from the path.
	path := filepath.Join(t.TempDir(), "notes.txt")
	if err := os.WriteFile(path, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	txt, err := c.CreateFileFromPath(ctx, path, &replicate.CreateFileOptions{Metadata: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatalf("CreateFileFromPath: %v", err)
	}
	if txt.Name != "notes.txt" || !strings.HasPrefix(txt.ContentType, "text/plain") || txt.Size != 5 || txt.Metadata["k"] != "v" {
		t.Errorf("file from path: %s", txt.RawJSON())
	}

	got, err := c.GetFile(ctx, img.ID)
	if err != nil || got.ID != img.ID || got.Checksums["sha256"] != img.Checksums["sha256"] {
		t.Errorf("GetFile: %+v, %v", got, err)
	}
	page, err := c.ListFiles(ctx)
	if err != nil || len(page.Results) != 2 || page.Results[0].ID != txt.ID || page.Results[1].ID != img.ID {
		t.Fatalf("ListFiles: %+v, %v; want the two files, newest first", page, err)
	}

	// The content, with the token, at urls.get + "/download".
	code, ctype, body := download(t, img.URLs["get"]+"/download", sim.Token())
	if code != http.StatusOK || ctype != "image/png" || string(body) != string(pngHeader) {
		t.Errorf("download: %d %q %q", code, ctype, body)
	}
	if code, _, _ := download(t, img.URLs["get"]+"/download", ""); code != http.StatusUnauthorized {
		t.Errorf("download without the token: %d, want 401", code)
	}

	if err := c.DeleteFile(ctx, img.ID); err != nil {
		t.Fatalf("DeleteFile: %v", err)
	}
	_, err = c.GetFile(ctx, img.ID)
	wantNotFound(t, "GetFile after DeleteFile", err)
	if err := c.DeleteFile(ctx, img.ID); err == nil {
		t.Error("a second DeleteFile succeeded, want a 404")
	}
	if page, err := c.ListFiles(ctx); err != nil || len(page.Results) != 1 {
		t.Errorf("ListFiles after delete: %+v, %v", page, err)
	}
}

// TestReplicateGoEchoFileInputs: acme/echo describes its file inputs (an
// uploaded file's URL, a data URL, an output's delivery URL) by size and
// content type, and fails on a file that does not exist.
func TestReplicateGoEchoFileInputs(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sim, c := newClient(t, simulator.Config{})
	f, err := c.CreateFileFromBytes(ctx, pngHeader, nil)
	if err != nil {
		t.Fatal(err)
	}
	imgs, err := c.Run(ctx, simulator.ImageModel, replicate.PredictionInput{"width": 64, "height": 64}, nil)
	if err != nil {
		t.Fatal(err)
	}
	delivered := imgs.([]any)[0].(string)
	_, _, png := download(t, delivered, "")
	dataURL := "data:text/plain;base64," + base64.StdEncoding.EncodeToString([]byte("hi there"))

	out, err := c.Run(ctx, simulator.EchoModel, replicate.PredictionInput{
		"image": f.URLs["get"], "data": dataURL, "list": []string{delivered}, "text": "hi",
	}, nil)
	if err != nil {
		t.Fatalf("Run acme/echo: %v", err)
	}
	o := out.(map[string]any)
	want := map[string]any{"size": float64(len(pngHeader)), "content_type": "image/png"}
	if !equalJSON(o["image"], want) || !equalJSON(o["data"], map[string]any{"size": 8.0, "content_type": "text/plain"}) ||
		!equalJSON(o["list"], []any{map[string]any{"size": float64(len(png)), "content_type": "image/png"}}) || o["text"] != "hi" {
		t.Errorf("echo output %#v", o)
	}

	_, err = c.Run(ctx, simulator.EchoModel, replicate.PredictionInput{"image": sim.BaseURL() + "/files/nosuchfile"}, nil)
	var me *replicate.ModelError
	if !errors.As(err, &me) || !strings.Contains(me.Prediction.Error.(string), `failed to fetch input "image"`) {
		t.Errorf("Run with an unknown file: %v, want a failed prediction", err)
	}
}
