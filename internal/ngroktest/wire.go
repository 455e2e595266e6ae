package ngroktest

import "encoding/json"

// The agent protocol's messages, as ngrok-go v2.4.0 encodes them
// (internal/tunnel/proto/msg.go). Only the fields the fake reads or
// answers are declared; the JSON names must match exactly.

// Stream types (proto.ReqType). The agent opens auth, bind and unbind
// streams; the server opens proxy streams. Heartbeats (type 0xFFFFFFFF) are
// answered inside muxado.Heartbeat.
const (
	typeAuth   = 0
	typeBind   = 1
	typeUnbind = 2
	typeProxy  = 3
)

// authReq is proto.Auth.
type authReq struct {
	Version  []string
	ClientID string `json:"ClientId"`
	Extra    struct {
		Authtoken  string
		Version    string
		ClientType string
		UserAgent  string
		Cookie     string
	}
}

// authResp is proto.AuthResp. A non-empty Error refuses the session; the
// agent reads the ngrok error code out of it with the regexp ERR_NGROK_\d+.
type authResp struct {
	Version  string
	ClientID string `json:"ClientId"`
	Error    string
	Extra    authRespExtra
}

// authRespExtra is proto.AuthRespExtra.
type authRespExtra struct {
	Version        string
	Region         string
	Cookie         string
	AccountName    string
	PlanName       string
	AgentSessionID string
}

// bindReq is proto.Bind. Id is empty on the first bind and repeats the
// server's earlier answer when the agent re-binds after a reconnect.
type bindReq struct {
	ClientID      string `json:"Id"`
	Proto         string
	ForwardsTo    string
	ForwardsProto string
	Opts          json.RawMessage
	Extra         struct{ Token string }
}

// bindResp is proto.BindResp. The agent decodes Opts according to Proto, so
// the fake echoes both.
type bindResp struct {
	ClientID string `json:"Id"`
	URL      string
	Proto    string
	Opts     json.RawMessage
	Error    string
	Extra    struct{ Token, TunnelID string }
}

// unbindReq is proto.Unbind.
type unbindReq struct {
	ClientID string `json:"Id"`
}

// errorResp is proto.UnbindResp, and the shape of every error answer.
type errorResp struct {
	Error string
}

// proxyHeader is proto.ProxyHeader, written on a proxy stream after its
// int64 little-endian length.
type proxyHeader struct {
	ID             string `json:"Id"`
	ClientAddr     string
	Proto          string
	EdgeType       string
	PassthroughTLS bool
}
