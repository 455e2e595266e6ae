package ngroktest

import (
	"encoding/json"
	"net"
	"slices"
	"time"

	"golang.ngrok.com/muxado/v2"
)

// agentSession is one connected agent.
type agentSession struct {
	srv     *Server
	mux     *muxado.Heartbeat
	id      string
	authed  bool
	refused bool // auth was refused; the agent is expected to hang up
}

// serveAgent runs the agent protocol on one TLS connection: muxado with
// typed streams and heartbeats, one JSON request and one JSON response per
// stream (ngrok-go internal/tunnel/client/raw_session.go).
func (s *Server) serveAgent(c net.Conn) {
	typed := muxado.NewTypedStreamSession(muxado.Server(c, &muxado.Config{}))
	// Not started: the fake answers the agent's heartbeats but sends none.
	mux := muxado.NewHeartbeat(typed, func(time.Duration, bool) {}, nil)
	a := &agentSession{srv: s, mux: mux}
	if !s.track(a) {
		mux.Close()
		return
	}
	defer s.untrack(a)
	defer mux.Close()
	var hangup *time.Timer
	for {
		st, err := mux.AcceptTypedStream()
		if err != nil {
			return
		}
		a.handle(st)
		if a.refused && hangup == nil {
			// The agent hangs up after reading the refusal; closing first
			// could lose the answer. Don't wait for it forever either.
			hangup = time.AfterFunc(5*time.Second, func() { mux.Close() })
			defer hangup.Stop()
		}
	}
}

// handle answers one request stream.
func (a *agentSession) handle(st muxado.TypedStream) {
	defer st.Close()
	var resp any
	switch st.StreamType() {
	case typeAuth:
		var req authReq
		if json.NewDecoder(st).Decode(&req) != nil {
			return
		}
		resp = a.auth(req)
	case typeBind:
		var req bindReq
		if json.NewDecoder(st).Decode(&req) != nil {
			return
		}
		resp = a.bind(req)
	case typeUnbind:
		var req unbindReq
		if json.NewDecoder(st).Decode(&req) != nil {
			return
		}
		a.srv.unroute(req.ClientID, a)
		resp = errorResp{}
	default:
		// Requests the fake does not implement (SrvInfo, PatchTunnelState,
		// StartTunnelWithLabel...): the agent only sends them on demand.
		resp = errorResp{Error: "not supported by the fake ngrok service"}
	}
	_ = json.NewEncoder(st).Encode(resp)
}

// auth checks the authtoken, or refuses as told by RefuseSessions.
func (a *agentSession) auth(req authReq) authResp {
	s := a.srv
	s.mu.Lock()
	s.authAttempts++
	code := s.refuseAuth
	s.mu.Unlock()
	token := req.Extra.Authtoken
	switch {
	case code != "":
	case token == "":
		code = "ERR_NGROK_4018"
	case len(s.cfg.ValidTokens) > 0 && !slices.Contains(s.cfg.ValidTokens, token):
		code = "ERR_NGROK_107"
	}
	if code != "" {
		a.refused = true
		return authResp{Version: "3", Error: refusal(code, token, "")}
	}
	if a.id == "" {
		a.id = s.newID("sess")
	}
	a.authed = true
	s.mu.Lock()
	s.sessionCount++
	s.mu.Unlock()
	// ClientId stays empty, unlike the real service's: when it changes,
	// ngrok-go v2.4.0 rewrites the raw session's logger without a lock,
	// and a later heartbeat timeout on a dropped session reads it, a data
	// race that -race reports (client/raw_session.go, Auth and
	// onHeartbeat). The agent does not need it: AgentSessionID identifies
	// the session.
	return authResp{Version: "3", Extra: authRespExtra{
		Version:        "ngroktest",
		Region:         "local",
		Cookie:         "cookie-" + a.id,
		AccountName:    "ngroktest",
		PlanName:       "Free",
		AgentSessionID: a.id,
	}}
}

// bind creates an endpoint at the edge's URL, or refuses as told by
// RefuseBind. A re-bind after a reconnect carries the old bind ID, which
// the agent keeps using to match proxy streams, so it is kept.
func (a *agentSession) bind(req bindReq) bindResp {
	s := a.srv
	if !a.authed {
		return bindResp{Error: "bind before auth"}
	}
	s.mu.Lock()
	code := s.refuseBind
	s.mu.Unlock()
	if code != "" {
		var opts struct{ URL string }
		_ = json.Unmarshal(req.Opts, &opts)
		return bindResp{Error: refusal(code, "", opts.URL)}
	}
	id := req.ClientID
	if id == "" {
		id = s.newID("bind")
	}
	s.mu.Lock()
	s.bindCount++
	s.routes[id] = &route{sess: a, proto: req.Proto, seq: s.bindCount}
	s.mu.Unlock()
	resp := bindResp{ClientID: id, URL: s.EdgeURL(), Proto: req.Proto, Opts: req.Opts}
	resp.Extra.Token = "token-" + id
	resp.Extra.TunnelID = "tn_" + id
	return resp
}

// track registers a session, unless the server is closed.
func (s *Server) track(a *agentSession) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.sessions[a] = struct{}{}
	return true
}

// untrack forgets a session and takes its endpoints offline.
func (s *Server) untrack(a *agentSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, a)
	for id, r := range s.routes {
		if r.sess == a {
			delete(s.routes, id)
		}
	}
}

// unroute takes one endpoint of a session offline.
func (s *Server) unroute(id string, a *agentSession) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.routes[id]; ok && r.sess == a {
		delete(s.routes, id)
	}
}
