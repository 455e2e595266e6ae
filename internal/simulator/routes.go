package simulator

import (
	"crypto/subtle"
	"net/http"
	"strings"
)

// routes builds the API under /v1 (docs/replicate.md, "Requests"), the
// files API, and what needs no token: the predictions' web pages under /p/
// (see handlePage), the output files under /delivery/ and the streams under
// /v1/streams/ (docs/simulator.md, "Files, images and streaming").
func (s *Simulator) routes() *http.ServeMux {
	mux := http.NewServeMux()
	handle := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, s.guard(h)) }
	handle("POST /v1/predictions", s.handleCreate)
	handle("POST /v1/models/{owner}/{name}/predictions", s.handleCreateNamed(routeModel))
	handle("POST /v1/deployments/{owner}/{name}/predictions", s.handleCreateNamed(routeDeployment))
	handle("GET /v1/predictions", s.handleList)
	handle("GET /v1/predictions/{id}", s.handleGet)
	handle("POST /v1/predictions/{id}/cancel", s.handleCancel)
	handle("GET /v1/webhooks/default/secret", s.handleSecret)
	s.catalogRoutes(handle)
	handle("POST /v1/files", s.handleCreateFile)
	handle("GET /v1/files", s.handleListFiles)
	handle("GET /v1/files/{id}", s.handleGetFile)
	handle("GET /v1/files/{id}/download", s.handleDownloadFile)
	handle("DELETE /v1/files/{id}", s.handleDeleteFile)
	mux.HandleFunc("GET "+webPath+"{id}", s.handlePage)
	mux.HandleFunc("GET "+deliveryPath+"{id}/{name}", s.handleDelivery)
	mux.HandleFunc("GET "+streamPath+"{id}", s.handleStream)
	handle("/v1/", func(w http.ResponseWriter, _ *http.Request) { writeProblem(w, notFound()) })
	return mux
}

// statusRecorder remembers the status a handler answered, for Event.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// guard wraps every route: it checks the token, then injects the 429 and 500
// faults (so they hit every authenticated route, the secret route included),
// and reports the call to OnEvent.
func (s *Simulator) guard(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			s.emit(Event{Kind: "api", Method: r.Method, Path: r.URL.Path, Status: rec.status,
				PredictionID: r.PathValue("id")})
		}()
		if !s.authorized(r) {
			writeProblem(rec, &problem{Title: titleUnauthenticated,
				Detail: "You did not pass a valid authentication token", Status: http.StatusUnauthorized})
			return
		}
		if s.injectFault(rec) {
			return
		}
		h(rec, r)
	})
}

// authorized checks "Authorization: Bearer <token>". The older "Token <token>"
// scheme is accepted too, as some clients still send it.
func (s *Simulator) authorized(r *http.Request) bool {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || (!strings.EqualFold(scheme, "Bearer") && !strings.EqualFold(scheme, "Token")) {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(strings.TrimSpace(tok)), []byte(s.token)) == 1
}

// injectFault answers a throttled or failed call per Faults and reports
// whether it did. One draw per call keeps seeded runs reproducible.
func (s *Simulator) injectFault(w http.ResponseWriter) bool {
	f := s.cfg.Faults
	if f.ThrottleRate <= 0 && f.ServerErrorRate <= 0 {
		return false
	}
	u := s.faultRNG.float64()
	switch {
	case u < f.ThrottleRate:
		// Whether Replicate sends Retry-After is unconfirmed (docs/replicate.md, "Errors and rate limits");
		// sending it exercises the clients' handling of it.
		w.Header().Set("Retry-After", "1")
		writeProblem(w, &problem{Detail: "Request was throttled. Expected available in 1 second.", Status: http.StatusTooManyRequests})
		return true
	case u < f.ThrottleRate+f.ServerErrorRate:
		writeProblem(w, &problem{Title: "Internal Server Error", Detail: "simulated server error", Status: http.StatusInternalServerError})
		return true
	}
	return false
}

func (s *Simulator) handleGet(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	body, ok := s.Prediction(id)
	if !ok {
		writeProblem(w, notFound())
		return
	}
	writeRaw(w, http.StatusOK, body)
}

// handleCancel cancels a running prediction at once. A terminal one is
// returned unchanged: Replicate does not document that case (docs/replicate.md, "Requests").
func (s *Simulator) handleCancel(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.mu.Lock()
	p, ok := s.preds[id]
	if !ok {
		s.mu.Unlock()
		writeProblem(w, notFound())
		return
	}
	s.cancels[id]++
	if !isTerminal(p.status) {
		p.logs += "canceled by request\n"
		s.finishLocked(p, statusCanceled, "")
	}
	body := p.snapshotLocked()
	s.mu.Unlock()
	s.emit(Event{Kind: "cancel", PredictionID: id})
	writeRaw(w, http.StatusOK, body)
}

func (s *Simulator) handleSecret(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"key": s.secretStr})
}

// baseFor returns the absolute base URL ("…/v1") for links in answers: the
// one Start chose, else the one the request came in on.
func (s *Simulator) baseFor(r *http.Request) string {
	if b := s.BaseURL(); b != "" {
		return b
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/v1"
}
