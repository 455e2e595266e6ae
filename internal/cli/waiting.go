package cli

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/replicate/replicate-go"

	"github.com/notifier-dev/notifier/internal/prediction"
	"github.com/notifier-dev/notifier/internal/watch"
)

// waitRedraw is how often the live line's elapsed time moves on.
const waitRedraw = 250 * time.Millisecond

// waitDisplay shows what a prediction does while run waits for it. On a
// terminal it is one live line, redrawn in place: status, elapsed time and
// the model's latest log line. Elsewhere it prints a line per change: a new
// status, a new log line, new output; never the same thing twice.
type waitDisplay struct {
	pr    *progress
	tty   bool
	quiet bool // show the created line only: --stream has the terminal
	now   func() time.Time

	mu      sync.Mutex
	start   time.Time
	status  replicate.Status
	logLine string
	output  string
	stop    chan struct{}
	done    chan struct{}
}

func newWaitDisplay(pr *progress) *waitDisplay {
	return &waitDisplay{pr: pr, tty: pr.io.ErrTTY, now: time.Now}
}

// event is watch.Options.OnEvent.
func (w *waitDisplay) event(e watch.Event) {
	switch e.Kind {
	case watch.EventCreated:
		w.pr.watchEvent(e)
		w.begin(e.Prediction)
	case watch.EventWebhook:
		if !w.quiet {
			w.update(e.Prediction)
		}
	default:
		w.pr.watchEvent(e) // progress.line keeps the live line below it
	}
}

// begin starts the live line on a terminal.
func (w *waitDisplay) begin(p *replicate.Prediction) {
	w.mu.Lock()
	w.start, w.status = w.now(), p.Status
	w.mu.Unlock()
	if !w.tty || w.quiet {
		return
	}
	w.stop, w.done = make(chan struct{}), make(chan struct{})
	w.pr.setLive(w.render)
	go func() {
		defer close(w.done)
		t := time.NewTicker(waitRedraw)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				w.pr.redraw()
			case <-w.stop:
				return
			}
		}
	}()
}

// update takes a snapshot from a webhook and shows what changed.
func (w *waitDisplay) update(p *replicate.Prediction) {
	var changes []string
	w.mu.Lock()
	if p.Status != w.status {
		w.status = p.Status
		changes = append(changes, "status: "+clean(string(p.Status)))
	}
	if l := lastLine(p.Logs); l != "" && l != w.logLine {
		w.logLine = l
		changes = append(changes, "log: "+clean(l))
	}
	if out := outputText(p.Output); out != "" && out != w.output {
		w.output = out
		changes = append(changes, "output: "+clean(out))
	}
	w.mu.Unlock()
	if w.tty {
		w.pr.redraw()
		return
	}
	for _, c := range changes {
		w.pr.infof("%s", c)
	}
}

// render is the live line: "processing  3.2s  loading weights".
func (w *waitDisplay) render() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	line := fmt.Sprintf("%s  %s", clean(string(w.status)), elapsed(w.now().Sub(w.start)))
	switch {
	case w.output != "":
		line += "  output: " + clean(w.output)
	case w.logLine != "":
		line += "  " + clean(w.logLine)
	}
	width := termWidth(w.pr.io.ErrOut)
	if width <= 0 {
		width = 80
	}
	return w.pr.dim(shorten(line, width-1))
}

// finish ends the live line, so that the result starts on a clean line.
func (w *waitDisplay) finish() {
	if w.stop == nil {
		return
	}
	close(w.stop)
	<-w.done
	w.pr.setLive(nil)
	w.stop = nil
}

// lastLine is the last non-blank line of logs.
func lastLine(logs *string) string {
	if logs == nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(*logs, "\r\n \t"), "\n")
	return strings.TrimSpace(strings.TrimSuffix(lines[len(lines)-1], "\r"))
}

// outputText is a partial output as one line: file URLs as the count and
// the latest URL, in full, so that it stays a link; text, or a language
// model's tokens joined, as its last 100 characters; other JSON compact.
func outputText(out any) string {
	switch o := out.(type) {
	case nil:
		return ""
	case string:
		if isFileURL(o) {
			return o
		}
		return shortenTail(oneLine(o), 100)
	case []any:
		if urls := fileURLs(o); len(urls) > 0 && len(urls) == len(o) {
			return fmt.Sprintf("%d %s, latest %s", len(urls), plural(len(urls), "file", "files"), urls[len(urls)-1])
		}
		if text, ok := joinStrings(o); ok {
			return shortenTail(oneLine(text), 100)
		}
	}
	var b bytes.Buffer
	if err := jsonEncode(&b, out); err != nil {
		return ""
	}
	return shorten(strings.TrimSpace(b.String()), 100)
}

// joinStrings joins a list of strings, such as a language model's tokens.
func joinStrings(list []any) (string, bool) {
	strs, ok := prediction.Strings(list)
	return strings.Join(strs, ""), ok
}

// shortenTail keeps the last n characters of s, marking the cut with "…".
func shortenTail(s string, n int) string {
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return "…" + string(r[len(r)-n+1:])
}

// shorten cuts s to at most n characters, marking the cut with "…".
func shorten(s string, n int) string {
	if n <= 1 || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// elapsed shows a wait's length to the tenth of a second: "3.2s", "1m4.5s".
func elapsed(d time.Duration) string {
	return prediction.Round(d).Truncate(100 * time.Millisecond).String()
}
