package cli

import (
	"fmt"
	"sync"
	"time"
)

// transferRedraw is the least time between two redraws of a transfer line.
const transferRedraw = 100 * time.Millisecond

// transferLine is the live line of a large upload or download on a
// terminal: "uploading photo.png  3.2 MiB of 10 MiB (32%)".
type transferLine struct {
	pr   *progress
	what string

	mu          sync.Mutex
	done, total int64
	drawn       time.Time
}

func newTransferLine(pr *progress, what string) *transferLine {
	t := &transferLine{pr: pr, what: what}
	pr.setLive(t.render)
	return t
}

// update records progress (a replicateapi.Progress); it may be called
// from any goroutine.
func (t *transferLine) update(done, total int64) {
	t.mu.Lock()
	t.done, t.total = done, total
	now := time.Now()
	draw := now.Sub(t.drawn) >= transferRedraw || total > 0 && done >= total
	if draw {
		t.drawn = now
	}
	t.mu.Unlock()
	if draw {
		t.pr.redraw()
	}
}

func (t *transferLine) render() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	line := fmt.Sprintf("%s  %s", t.what, byteSize(t.done))
	if t.total > 0 {
		line += fmt.Sprintf(" of %s (%d%%)", byteSize(t.total), t.done*100/t.total)
	}
	return t.pr.dim(line)
}

// finish clears the line.
func (t *transferLine) finish() {
	t.pr.setLive(nil)
}
