package ngroktest

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.ngrok.com/muxado/v2"
)

// serveEdge proxies one public connection to the agent serving the most
// recently bound endpoint: a new proxy stream, its header, then raw bytes
// both ways. With no endpoint online it answers ERR_NGROK_3200 like the
// real edge.
func (s *Server) serveEdge(c net.Conn) {
	if !s.trackEdge(c) {
		c.Close()
		return
	}
	defer s.untrackEdge(c)
	defer c.Close()
	id, r := s.route()
	if r == nil {
		offline(c)
		return
	}
	st, err := r.sess.mux.OpenTypedStream(muxado.StreamType(typeProxy))
	if err != nil {
		offline(c)
		return
	}
	defer st.Close()
	hdr, _ := json.Marshal(proxyHeader{ID: id, ClientAddr: c.RemoteAddr().String(), Proto: r.proto})
	if binary.Write(st, binary.LittleEndian, int64(len(hdr))) != nil {
		return
	}
	if _, err := st.Write(hdr); err != nil {
		return
	}
	pipe(c, st)
}

// pipe copies both ways until both directions end, passing half-closes on.
func pipe(c net.Conn, st muxado.Stream) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(st, c)
		st.CloseWrite()
	}()
	io.Copy(c, st)
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		c.Close()
	}
	wg.Wait()
}

// offline reads the request and answers as the edge does for an endpoint
// that is not online.
func offline(c net.Conn) {
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
		return
	}
	const body = "The endpoint is offline.\n\nERR_NGROK_3200\n"
	resp := &http.Response{
		StatusCode: http.StatusNotFound, ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Ngrok-Error-Code": {"ERR_NGROK_3200"}, "Content-Type": {"text/plain"}},
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(strings.NewReader(body)),
		Close:         true,
	}
	resp.Write(c)
}

// route picks the most recently bound endpoint that is online.
func (s *Server) route() (string, *route) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var bestID string
	var best *route
	for id, r := range s.routes {
		if best == nil || r.seq > best.seq {
			bestID, best = id, r
		}
	}
	return bestID, best
}

// trackEdge registers an edge connection, unless the server is closed.
func (s *Server) trackEdge(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.edgeConns[c] = struct{}{}
	return true
}

// untrackEdge forgets an edge connection.
func (s *Server) untrackEdge(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.edgeConns, c)
}
