package cli

import (
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/replicateapi"
)

// How --upload sends file inputs.
const (
	uploadFiles   = "files"    // through the files API, as its URL
	uploadDataURL = "data-url" // inline, as a data: URL
	// maxDataURLBytes is Replicate's limit on a data URL input's file.
	maxDataURLBytes = 256 << 10
	// largeTransfer is the size above which an upload or download shows
	// its progress on a terminal.
	largeTransfer = 1 << 20
)

// fileRef is an input given as @PATH: a local file, sent as a URL.
type fileRef struct {
	Path        string
	Size        int64
	ContentType string
}

// fileOrValue reads one input value: @PATH is a file, @@ a literal @,
// anything else as inputValue reads it.
func fileOrValue(key, value string) (any, error) {
	switch {
	case strings.HasPrefix(value, "@@"):
		return value[1:], nil
	case strings.HasPrefix(value, "@"):
		if value == "@" {
			return nil, usageError(fmt.Errorf("invalid input %q: @ must be followed by a file path", key),
				"write @@ for a value that starts with a literal @")
		}
		return &fileRef{Path: value[1:]}, nil
	}
	return inputValue(value), nil
}

// checkFiles validates the file inputs of input before anything is
// created: each must be a readable regular file, no larger than
// Replicate's data URL limit with --upload data-url. It fills in their
// sizes and content types.
func checkFiles(input map[string]any, mode string) error {
	if mode != uploadFiles && mode != uploadDataURL {
		return usageErrorf("invalid --upload %q: want files or data-url", mode)
	}
	for _, key := range sortedKeys(input) {
		f, ok := input[key].(*fileRef)
		if !ok {
			continue
		}
		if err := f.check(key); err != nil {
			return err
		}
		if mode == uploadDataURL && f.Size > maxDataURLBytes {
			return usageError(fmt.Errorf("input %s: %s is %s, over the %s Replicate takes as a data URL", key, f.Path, byteSize(f.Size), byteSize(maxDataURLBytes)),
				"leave out --upload data-url to upload it through the files API")
		}
	}
	return nil
}

func (f *fileRef) check(key string) error {
	fh, err := os.Open(f.Path)
	if err != nil {
		return usageError(fmt.Errorf("input %s: cannot read file: %w", key, err),
			"write @@ for a value that starts with a literal @")
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err == nil && !st.Mode().IsRegular() {
		err = fmt.Errorf("%s is not a regular file", f.Path)
	}
	head := make([]byte, 512)
	n, rerr := io.ReadFull(fh, head)
	if err == nil && rerr != nil && rerr != io.EOF && rerr != io.ErrUnexpectedEOF {
		err = rerr
	}
	if err != nil {
		return usageError(fmt.Errorf("input %s: cannot read file: %w", key, err))
	}
	f.Size = st.Size()
	f.ContentType = contentType(f.Path, head[:n])
	return nil
}

// contentType is a file's media type, by its extension, else by sniffing.
func contentType(path string, head []byte) string {
	ct := mime.TypeByExtension(filepath.Ext(path))
	if ct == "" {
		ct = http.DetectContentType(head)
	}
	if mt, _, err := mime.ParseMediaType(ct); err == nil {
		return mt
	}
	return "application/octet-stream"
}

// sendFiles returns input with each file replaced by its URL: uploaded
// through the files API (mode files) or inlined as a data URL. An input
// without files is returned as it is.
func sendFiles(ctx context.Context, c *replicate.Client, pr *progress, input map[string]any, mode string) (map[string]any, error) {
	var out map[string]any
	for _, key := range sortedKeys(input) {
		f, ok := input[key].(*fileRef)
		if !ok {
			continue
		}
		if out == nil {
			out = maps.Clone(input)
		}
		var err error
		if mode == uploadDataURL {
			out[key], err = f.dataURL(key)
		} else {
			out[key], err = f.upload(ctx, c, pr, key)
		}
		if err != nil {
			return nil, err
		}
	}
	if out == nil {
		return input, nil
	}
	return out, nil
}

func (f *fileRef) dataURL(key string) (string, error) {
	b, err := os.ReadFile(f.Path)
	if err != nil {
		return "", fmt.Errorf("input %s: %w", key, err)
	}
	if len(b) > maxDataURLBytes {
		return "", fmt.Errorf("input %s: %s grew to %s, over the %s Replicate takes as a data URL", key, f.Path, byteSize(int64(len(b))), byteSize(maxDataURLBytes))
	}
	return "data:" + f.ContentType + ";base64," + base64.StdEncoding.EncodeToString(b), nil
}

// upload sends the file through the files API and returns its URL,
// showing progress on a terminal when it is large.
func (f *fileRef) upload(ctx context.Context, c *replicate.Client, pr *progress, key string) (string, error) {
	name := filepath.Base(f.Path)
	if f.Size > largeTransfer && pr.io.ErrTTY {
		bar := newTransferLine(pr, "uploading "+clean(name))
		defer bar.finish()
		ctx = replicateapi.WithUploadProgress(ctx, bar.update)
	}
	file, err := c.CreateFileFromPath(ctx, f.Path, &replicate.CreateFileOptions{Filename: name, ContentType: f.ContentType})
	if err != nil {
		return "", apiError(fmt.Sprintf("uploading %s (input %s)", f.Path, key), err)
	}
	u := file.URLs["get"]
	if u == "" {
		return "", fmt.Errorf("uploading %s (input %s): the files API answered without a URL (urls.get)", f.Path, key)
	}
	pr.infof("uploaded %s (%s) for input %s: %s", clean(name), byteSize(f.Size), clean(key), clean(u))
	return u, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// byteSize renders n bytes for people: "812 B", "256 KiB", "3.2 MiB".
func byteSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return trimZero(float64(n)/(1<<10)) + " KiB"
	case n < 1<<30:
		return trimZero(float64(n)/(1<<20)) + " MiB"
	}
	return trimZero(float64(n)/(1<<30)) + " GiB"
}

func trimZero(f float64) string {
	return strings.TrimSuffix(fmt.Sprintf("%.1f", f), ".0")
}
