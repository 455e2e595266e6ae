package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/notifier-dev/notifier/internal/prediction"
)

// Bounds of one output download.
const (
	maxDownloadBytes = 2 << 30
	downloadTimeout  = 10 * time.Minute
)

// planOutput checks --output-dir and --stream against the other flags.
func (o *runOptions) planOutput(p *runPlan) error {
	p.upload, p.outputDir, p.stream = o.Request.Upload, o.OutputDir, o.Stream
	p.request.Stream = o.Stream
	switch {
	case o.set("output-dir") && o.OutputDir == "":
		return usageErrorf("--output-dir needs a directory")
	case p.smoke != nil && o.OutputDir != "":
		return usageErrorf("--output-dir saves one prediction's files; it does not work with --count")
	case p.smoke != nil && o.Stream:
		return usageErrorf("--stream prints one prediction's output; it does not work with --count")
	case o.Stream && o.JSON:
		return usageErrorf("--stream prints the output as it comes, --json the final prediction: give one of them")
	case o.Stream && o.OutputDir != "":
		return usageErrorf("--stream prints text as it comes, --output-dir saves files: give one of them")
	}
	if o.OutputDir != "" {
		if st, err := os.Stat(o.OutputDir); err == nil && !st.IsDir() {
			return usageErrorf("--output-dir %s is not a directory", o.OutputDir)
		}
	}
	return nil
}

// fileURLs are the http(s) URLs in an output, in order: a URL string, a
// list of them, or URLs nested in lists and objects (by key order).
func fileURLs(out any) []string {
	var urls []string
	prediction.WalkStrings(out, func(s string) {
		if isFileURL(s) {
			urls = append(urls, s)
		}
	})
	return urls
}

// isFileURL reports whether s is a link that names a file.
func isFileURL(s string) bool {
	if !prediction.IsLink(s) {
		return false
	}
	u, _ := url.Parse(s) // IsLink parsed it
	return path.Base(u.Path) != "/" && path.Base(u.Path) != "."
}

// downloader saves output files, sending the API token only to the API's
// own origin (output files on Replicate's delivery host need none).
type downloader struct {
	client *http.Client
	api    *url.URL // nil: the token goes nowhere
	token  string
	pr     *progress
}

func newDownloader(pr *progress, base, token string) *downloader {
	d := &downloader{client: &http.Client{Timeout: downloadTimeout}, pr: pr}
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		d.api, d.token = u, token
	}
	return d
}

// saveAll downloads every URL into dir, created if need be, and returns
// the paths written. On error, the files of this call written so far are kept
// and named in the error.
func (d *downloader) saveAll(ctx context.Context, dir string, urls []string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating --output-dir: %w", err)
	}
	var saved []string
	for _, u := range urls {
		p, err := d.save(ctx, dir, u)
		if err != nil {
			if len(saved) > 0 {
				err = fmt.Errorf("%w (saved before it: %s)", err, strings.Join(saved, ", "))
			}
			return saved, err
		}
		saved = append(saved, p)
	}
	return saved, nil
}

func (d *downloader) save(ctx context.Context, dir, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("downloading %s: %w", clean(raw), err)
	}
	resp, err := d.get(ctx, u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.ContentLength > maxDownloadBytes {
		return "", fmt.Errorf("downloading %s: %s is over the %s limit", clean(raw), byteSize(resp.ContentLength), byteSize(maxDownloadBytes))
	}
	f, name, err := createUnique(dir, fileName(u))
	if err != nil {
		return "", fmt.Errorf("saving %s: %w", clean(raw), err)
	}
	var body io.Reader = io.LimitReader(resp.Body, maxDownloadBytes+1)
	if resp.ContentLength > largeTransfer && d.pr.io.ErrTTY {
		bar := newTransferLine(d.pr, "downloading "+clean(filepath.Base(name)))
		defer bar.finish()
		body = &progressReader{r: body, total: resp.ContentLength, fn: bar.update}
	}
	n, err := io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > maxDownloadBytes {
		err = fmt.Errorf("over the %s limit", byteSize(maxDownloadBytes))
	}
	if err != nil {
		os.Remove(name)
		return "", fmt.Errorf("downloading %s: %w", clean(raw), err)
	}
	return name, nil
}

// get fetches u; the token goes with it only when u is on the API's origin.
func (d *downloader) get(ctx context.Context, u *url.URL) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", clean(u.Redacted()), err)
	}
	if d.api != nil && d.token != "" && u.Scheme == d.api.Scheme && u.Host == d.api.Host {
		req.Header.Set("Authorization", "Bearer "+d.token)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading %s: %w", clean(u.Redacted()), errors.Unwrap(err))
	}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		err := fmt.Errorf("downloading %s: HTTP %d %s", clean(u.Redacted()), resp.StatusCode, http.StatusText(resp.StatusCode))
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			return nil, withHint(err, "Replicate deletes the output files of API predictions about an hour after they complete")
		}
		return nil, err
	}
	return resp, nil
}

// fileName is the base name of u's path, safe as a file name: "output"
// when it has none.
func fileName(u *url.URL) string {
	name := path.Base(u.Path)
	if name == "" || name == "." || name == ".." || name == "/" {
		return "output"
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r < ' ' {
			return '_'
		}
		return r
	}, name)
}

// createUnique creates a new file in dir named name, or name-1, name-2 ...
// (before the extension) when that is taken: it never overwrites.
func createUnique(dir, name string) (*os.File, string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for i := 0; i < 10000; i++ {
		candidate := name
		if i > 0 {
			candidate = fmt.Sprintf("%s-%d%s", stem, i, ext)
		}
		p := filepath.Join(dir, candidate)
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		return f, p, err
	}
	return nil, "", fmt.Errorf("%s and 9999 numbered variants already exist in %s", name, dir)
}

// progressReader reports how much of a download was read.
type progressReader struct {
	r     io.Reader
	n     int64
	total int64
	fn    func(done, total int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	if n > 0 {
		p.fn(p.n, p.total)
	}
	return n, err
}
