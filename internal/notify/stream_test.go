package notify

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/replicate/replicate-go"
)

func TestStreamOneResultPerPrediction(t *testing.T) {
	c := &testChannel{name: "c"}
	d := New(Config{}, Route{Channel: c})
	s := NewStream(d, StreamConfig{})
	now := time.Now()
	for _, p := range []*replicate.Prediction{
		{ID: "p1", Status: replicate.Processing},
		{ID: "p1", Status: replicate.Succeeded},
		{ID: "p1", Status: replicate.Succeeded}, // a retry with a new webhook-id
		{ID: "p2", Status: replicate.Failed},
		{ID: "", Status: replicate.Failed},
		nil,
	} {
		s.Observe(p, nil, now, "note")
	}
	s.Close()
	if err := d.Close(context.Background()).Err(); err != nil {
		t.Fatal(err)
	}
	got := c.got()
	if len(got) != 2 || got[0].Prediction.ID != "p1" || got[1].Prediction.ID != "p2" || got[0].Notes[0] != "note" {
		t.Errorf("sent %v", got)
	}
}

func TestStreamRemembersForTheWindow(t *testing.T) {
	c := &testChannel{name: "c"}
	d := New(Config{}, Route{Channel: c})
	now := time.Unix(1_700_000_000, 0)
	s := NewStream(d, StreamConfig{Remember: time.Hour, Now: func() time.Time { return now }})
	p := &replicate.Prediction{ID: "p1", Status: replicate.Succeeded}
	s.Observe(p, nil, now)
	for i := range 20_000 { // more than the old bound of 10,000 ids
		s.Observe(&replicate.Prediction{ID: "other" + string(rune(i)), Status: replicate.Succeeded}, nil, now)
	}
	now = now.Add(59 * time.Minute)
	s.Observe(p, nil, now) // a late retry: still remembered
	s.Close()
	d.Close(context.Background())
	n := 0
	for _, x := range c.got() {
		if x.Prediction.ID == "p1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("p1 told %d times, want once", n)
	}
}

func TestStreamAlerts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &testChannel{name: "c"}
		d := New(Config{}, Route{Channel: c, On: []replicate.Status{}}) // alerts only
		var mu sync.Mutex
		var list []Alert
		alerts := func() []Alert { mu.Lock(); defer mu.Unlock(); return append([]Alert(nil), list...) }
		s := NewStream(d, StreamConfig{
			Alert:      &AlertConfig{Rate: 0.5, Window: 10 * time.Minute, MinCount: 2},
			CheckEvery: time.Minute,
			OnAlert:    func(a Alert) { mu.Lock(); list = append(list, a); mu.Unlock() },
		})
		s.Observe(&replicate.Prediction{ID: "p1", Model: "m/x", Status: replicate.Failed}, nil, time.Now())
		s.Observe(&replicate.Prediction{ID: "p2", Model: "m/x", Status: replicate.Failed}, nil, time.Now())
		if a := alerts(); len(a) != 1 || a[0].Recovered || a[0].Failures != 2 || a[0].Model != "m/x" {
			t.Fatalf("alerts %+v, want one firing", a)
		}
		// The failures age out of the window with time alone: the ticker
		// notices and sends the recovery.
		time.Sleep(11 * time.Minute)
		synctest.Wait()
		if a := alerts(); len(a) != 2 || !a[1].Recovered || a[1].Model != "m/x" {
			t.Fatalf("alerts %+v, want a recovery that names the alert's model", a)
		}
		s.Close()
		d.Close(context.Background())
		got := c.got()
		if len(got) != 2 || got[0].Kind != KindAlert || got[1].Alert == nil || !got[1].Alert.Recovered {
			t.Errorf("sent %+v, want the alert and the recovery and no results", got)
		}
	})
}
