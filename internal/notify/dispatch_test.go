package notify

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/replicate/replicate-go"
)

// testChannel is a channel that records what it is sent and answers with
// the errors it is given, in turn.
type testChannel struct {
	name  string
	block chan struct{} // when set, Send waits for it or its context

	mu    sync.Mutex
	sent  []Notification
	errs  []error
	calls int
}

func (c *testChannel) Name() string { return c.name }

func (c *testChannel) Send(ctx context.Context, n Notification) error {
	if c.block != nil {
		select {
		case <-c.block:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if len(c.errs) > 0 {
		err := c.errs[0]
		c.errs = c.errs[1:]
		if err != nil {
			return err
		}
	}
	c.sent = append(c.sent, n)
	return nil
}

func (c *testChannel) got() []Notification {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Notification(nil), c.sent...)
}

type tempErr struct{ temp bool }

func (e tempErr) Error() string   { return "temp=" + map[bool]string{true: "yes", false: "no"}[e.temp] }
func (e tempErr) Temporary() bool { return e.temp }

func result(id string, s replicate.Status) Notification {
	return Notification{Kind: KindResult, Prediction: &replicate.Prediction{ID: id, Status: s}}
}

func TestRouteWants(t *testing.T) {
	failedOnly := Route{On: []replicate.Status{replicate.Failed}}
	all := Route{}
	tests := []struct {
		n                 Notification
		failedOnly, every bool
	}{
		{result("a", replicate.Succeeded), false, true},
		{result("a", replicate.Failed), true, true},
		{Notification{Kind: KindSummary, Statuses: []replicate.Status{replicate.Succeeded}}, false, true},
		{Notification{Kind: KindSummary, Statuses: []replicate.Status{replicate.Succeeded}, Failed: true}, true, true},
		{Notification{Kind: KindSummary, Statuses: []replicate.Status{replicate.Succeeded, replicate.Failed}}, true, true},
		{Notification{Kind: KindAlert, Alert: &Alert{}}, true, true},
		{Notification{Kind: KindResult}, false, false},
	}
	for i, tt := range tests {
		if got := failedOnly.Wants(tt.n); got != tt.failedOnly {
			t.Errorf("%d: failed-only route wants %s = %v", i, tt.n.Describe(), got)
		}
		if got := all.Wants(tt.n); got != tt.every {
			t.Errorf("%d: route wants %s = %v", i, tt.n.Describe(), got)
		}
	}
}

func TestDispatcherSendsEachRoute(t *testing.T) {
	a, b := &testChannel{name: "a"}, &testChannel{name: "b"}
	var outcomes []Outcome
	var mu sync.Mutex
	d := New(Config{OnOutcome: func(o Outcome) { mu.Lock(); outcomes = append(outcomes, o); mu.Unlock() }},
		Route{Channel: a}, Route{Channel: b, On: []replicate.Status{replicate.Failed}})
	if !d.Notify(result("p1", replicate.Succeeded)) || !d.Notify(result("p2", replicate.Failed)) {
		t.Fatal("Notify reported no route wanted it")
	}
	if d.Notify(Notification{Kind: KindResult}) {
		t.Error("a result without a prediction was wanted")
	}
	rep := d.Close(context.Background())
	if rep.Err() != nil {
		t.Fatal(rep.Err())
	}
	if got := a.got(); len(got) != 2 || got[0].Prediction.ID != "p1" || got[1].Prediction.ID != "p2" {
		t.Errorf("a got %v", got)
	}
	if got := b.got(); len(got) != 1 || got[0].Prediction.ID != "p2" {
		t.Errorf("b got %v", got)
	}
	if len(outcomes) != 3 {
		t.Errorf("%d outcomes, want 3", len(outcomes))
	}
	if d.Notify(result("late", replicate.Failed)) {
		t.Error("Notify after Close was taken")
	}
}

func TestDispatcherRetriesTemporaryFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &testChannel{name: "c", errs: []error{tempErr{true}, tempErr{true}, nil}}
		d := New(Config{Attempts: 3, Backoff: time.Second}, Route{Channel: c})
		start := time.Now()
		d.Notify(result("p1", replicate.Failed))
		rep := d.Close(context.Background())
		if rep.Err() != nil || len(c.got()) != 1 || c.calls != 3 {
			t.Errorf("report %v, %d sent in %d calls", rep.Err(), len(c.got()), c.calls)
		}
		if waited := time.Since(start); waited != 3*time.Second {
			t.Errorf("waited %v between attempts, want 1s then 2s", waited)
		}
	})
}

func TestDispatcherGivesUp(t *testing.T) {
	perm := &testChannel{name: "perm", errs: []error{tempErr{false}}}
	temp := &testChannel{name: "temp", errs: []error{tempErr{true}, tempErr{true}}}
	d := New(Config{Attempts: 2, Backoff: time.Millisecond}, Route{Channel: perm}, Route{Channel: temp})
	d.Notify(result("p1", replicate.Failed))
	rep := d.Close(context.Background())
	if len(rep.Failed) != 2 || rep.Unsent != 0 {
		t.Fatalf("report %+v", rep)
	}
	if perm.calls != 1 || temp.calls != 2 {
		t.Errorf("calls: permanent %d (want 1), temporary %d (want 2)", perm.calls, temp.calls)
	}
	err := rep.Err()
	if err == nil || !strings.HasPrefix(err.Error(), "perm: the result of prediction p1 (failed): temp=no") && !strings.HasPrefix(err.Error(), "temp: the result of prediction p1 (failed): temp=yes") ||
		!strings.HasSuffix(err.Error(), "(and 1 more not sent)") {
		t.Errorf("Err() = %v", err)
	}
}

func TestDispatcherQueueFull(t *testing.T) {
	c := &testChannel{name: "slow", block: make(chan struct{})}
	var dropped []Outcome
	d := New(Config{QueueSize: 2, OnOutcome: func(o Outcome) {
		if errors.Is(o.Err, ErrQueueFull) {
			dropped = append(dropped, o) // called from Notify, on this goroutine
		}
	}}, Route{Channel: c})
	for i := range 10 {
		d.Notify(result(string(rune('a'+i)), replicate.Failed)) // never blocks
	}
	if len(dropped) < 7 {
		t.Errorf("%d dropped, want at least 7 (one in flight, two queued)", len(dropped))
	}
	close(c.block)
	rep := d.Close(context.Background())
	if len(rep.Failed) != len(dropped) || len(c.got())+len(dropped) != 10 {
		t.Errorf("report %+v; %d sent", rep, len(c.got()))
	}
}

func TestDispatcherCloseGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &testChannel{name: "hung", block: make(chan struct{})} // an SMTP server that never answers
		d := New(Config{}, Route{Channel: c})
		for _, id := range []string{"p1", "p2", "p3"} {
			d.Notify(result(id, replicate.Failed))
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		rep := d.Close(ctx)
		if waited := time.Since(start); waited != 10*time.Second {
			t.Errorf("Close waited %v, want the 10s grace", waited)
		}
		if rep.Unsent != 3 || len(rep.Failed) != 0 {
			t.Errorf("report %+v, want 3 unsent", rep)
		}
		if err := rep.Err(); err == nil || err.Error() != "3 notification(s) not sent: notifier stopped before they went out" {
			t.Errorf("Err() = %v", err)
		}
	})
}
