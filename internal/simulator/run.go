package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// create serves the three create routes: it registers the prediction, starts
// it, and answers 201 with a Location header (docs/replicate.md, "Requests").
func (s *Simulator) create(w http.ResponseWriter, r *http.Request, route createRoute) {
	req, prob := parseCreate(r, route)
	if prob != nil {
		writeProblem(w, prob)
		return
	}
	p, body, err := s.start(req, s.baseFor(r))
	if err != nil {
		writeProblem(w, &problem{Title: "Service Unavailable", Detail: err.Error(), Status: http.StatusServiceUnavailable})
		return
	}
	if s.cfg.Faults.WebhookBeforeCreate && p.hooks != nil {
		s.await(r, p.hooks.first, maxPreferWait)
	}
	if d, ok := preferWait(r.Header.Get("Prefer")); ok {
		// Prefer: wait answers with the finished prediction; when the wait
		// runs out first, with the prediction in "starting" state, as
		// Replicate does (docs/replicate.md, "Requests"): the official
		// clients take any other status as finished. Without Prefer the
		// answer is the prediction as created too, however fast it runs.
		s.await(r, p.done, d)
		select {
		case <-p.done:
			body, _ = s.Prediction(p.id)
		default:
		}
	}
	w.Header().Set("Location", p.urls["get"])
	writeRaw(w, http.StatusCreated, body)
}

// await blocks until ch closes, d passes, the client goes away or the
// simulator closes.
func (s *Simulator) await(r *http.Request, ch <-chan struct{}, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
	case <-t.C:
	case <-r.Context().Done():
	case <-s.ctx.Done():
	}
}

// start registers a new prediction and launches its goroutines. It returns
// the prediction and its JSON as created, before it starts running.
func (s *Simulator) start(req *createRequest, base string) (*prediction, json.RawMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, nil, errClosed
	}
	id := s.ids.alnum(26)
	for s.preds[id] != nil {
		id = s.ids.alnum(26)
	}
	p := &prediction{
		seq: len(s.order), id: id, target: req.target, input: req.input,
		webhook: req.webhook, filter: req.filter, created: s.now(), done: make(chan struct{}),
		status: statusStarting, origin: strings.TrimSuffix(base, "/v1"), changed: make(chan struct{}),
		urls: map[string]string{
			"get":    base + "/predictions/" + id,
			"cancel": base + "/predictions/" + id + "/cancel",
			"web":    webURL(base, id),
		},
	}
	if req.target.model.streams {
		// Only models that stream have urls.stream (docs/simulator.md,
		// "Files, images and streaming").
		p.urls["stream"] = p.origin + streamPath + id
	}
	if req.deadline > 0 {
		p.deadline = p.created.Add(req.deadline)
	}
	s.preds[id] = p
	s.order = append(s.order, p)
	s.runs[req.target.model.fullName()]++
	created := p.snapshotLocked()
	if p.webhook != "" {
		p.hooks = newDeliverer(s, p)
		// "start" goes out as the prediction is created, in "starting"
		// state (docs/replicate.md, "Webhooks").
		p.hooks.pushLocked(eventStart)
		s.wg.Add(1)
		go p.hooks.loop()
	}
	s.wg.Add(1)
	go s.run(p, req.deadline)
	return p, created, nil
}

// run is one prediction's life: starting, processing with log lines, output,
// terminal. It stops early when the prediction is canceled or the simulator
// closes. Past the Cancel-After deadline a prediction still starting is
// aborted and one processing is canceled.
func (s *Simulator) run(p *prediction, deadline time.Duration) {
	defer s.wg.Done()
	pl := p.target.model.plan(p.input)
	var expired <-chan time.Time
	if deadline > 0 {
		t := time.NewTimer(deadline)
		defer t.Stop()
		expired = t.C
	}
	if d := s.cfg.Faults.StartDelay; d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-expired:
			s.finish(p, statusAborted, "", "aborted: deadline passed before the prediction started\n")
			return
		case <-p.done:
			return
		case <-s.ctx.Done():
			return
		}
	}
	if s.cfg.Faults.Abort {
		s.finish(p, statusAborted, "", "aborted: deadline passed before the prediction started (fault)\n")
		return
	}
	// Starting to process writes the first log line: a "logs" event.
	s.update(p, eventLogs, func() {
		p.status, p.started = statusProcessing, s.now()
		p.logs += fmt.Sprintf("%s: sleep=%gs outcome=%s\n", p.target.model.fullName(), pl.sleep.Seconds(), pl.outcome)
	})
	if !s.sleep(p, pl.sleep, expired) {
		return
	}
	if s.injectFailure(p.id) {
		s.finish(p, statusFailed, errInjected, "error: "+errInjected+"\n")
		return
	}
	out, errMsg, ok := s.produce(p, pl, expired)
	if !ok {
		return
	}
	if out != nil {
		s.update(p, eventOutput, func() { p.output = out })
	}
	if errMsg != "" {
		s.finish(p, statusFailed, errMsg, "error: "+errMsg+"\n")
		return
	}
	s.finish(p, statusSucceeded, "", "done\n")
}

// errInjected is the error of a prediction failed by Faults.FailRate.
const errInjected = "simulated failure (fault)"

// injectFailure reports whether prediction id must fail per Faults.FailRate.
// The draw comes from a source derived from the seed and the id, so it does
// not depend on the order in which predictions run.
func (s *Simulator) injectFailure(id string) bool {
	r := s.cfg.Faults.FailRate
	return r > 0 && s.rng.derive("fail:"+id).float64() < r
}

// sleep spends d processing, appending a log line every LogInterval. It
// reports false when the run must stop.
func (s *Simulator) sleep(p *prediction, d time.Duration, expired <-chan time.Time) bool {
	if d <= 0 {
		return true
	}
	end := time.NewTimer(d)
	defer end.Stop()
	tick := time.NewTicker(s.cfg.LogInterval)
	defer tick.Stop()
	began := time.Now()
	for {
		select {
		case <-end.C:
			return true
		case <-tick.C:
			elapsed := time.Since(began).Round(time.Millisecond)
			s.update(p, eventLogs, func() { p.logs += fmt.Sprintf("sleeping: %s of %s\n", elapsed, d) })
		case <-expired:
			s.finish(p, statusCanceled, "", "canceled: deadline (Cancel-After) passed\n")
			return false
		case <-p.done:
			return false
		case <-s.ctx.Done():
			return false
		}
	}
}

// update changes a running prediction and raises event; it does nothing
// once the prediction is terminal.
func (s *Simulator) update(p *prediction, event string, change func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isTerminal(p.status) {
		return
	}
	change()
	p.notifyLocked()
	if p.hooks != nil {
		p.hooks.pushLocked(event)
	}
}

// finish makes a running prediction terminal, appending a last log line.
func (s *Simulator) finish(p *prediction, status, errMsg, logLine string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if isTerminal(p.status) {
		return
	}
	p.logs += logLine
	s.finishLocked(p, status, errMsg)
}

// finishLocked sets a terminal status, raises "completed" and schedules the
// removal of the prediction's data after the output TTL (docs/simulator.md,
// "Files, images and streaming"); Simulator.mu must be held and the
// prediction must still be running.
func (s *Simulator) finishLocked(p *prediction, status, errMsg string) {
	p.status, p.errMsg, p.completed = status, errMsg, s.now()
	close(p.done)
	p.notifyLocked()
	p.expiry = time.AfterFunc(s.cfg.OutputTTL, func() { s.removeData(p) })
	if p.hooks != nil {
		p.hooks.pushLocked(eventCompleted)
	}
}
