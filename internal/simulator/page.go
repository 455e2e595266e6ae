package simulator

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strings"
	"sync"
)

// webPath is where a prediction's web page is served, below the API's
// origin: urls.web is http://HOST:PORT/p/<id>, as Replicate's is
// https://replicate.com/p/<id>.
const webPath = "/p/"

// webURL is the page of prediction id for an API base URL ending in /v1.
func webURL(base, id string) string {
	return strings.TrimSuffix(base, "/v1") + webPath + id
}

// pageView is what the page shows: the prediction without its webhook URL.
type pageView struct {
	ID, Model, Version, Status  string
	Deployment                  string
	Created, Started, Completed string
	Error, Logs                 string
	Input, Output               string // indented JSON; Output "" when null
	APIURL                      string
	Running                     bool
}

// handlePage serves a prediction's web page, the simulator's stand-in for
// Replicate's: a small HTML page that reloads itself every 2 s while the
// prediction runs. It needs no token, like a link in an email, and shows no
// secret: neither the token nor the signing secret nor the webhook URL.
// Anyone who can reach the simulator and knows the id can read the
// prediction's input, output and logs.
func (s *Simulator) handlePage(w http.ResponseWriter, r *http.Request) {
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.emit(Event{Kind: "page", Method: r.Method, Path: r.URL.Path, Status: rec.status, PredictionID: r.PathValue("id")})
	}()
	h := rec.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	id := r.PathValue("id")
	v, ok := s.pageView(id)
	var buf bytes.Buffer
	var err error
	if ok {
		err = predictionPage().Execute(&buf, v)
	} else {
		err = notFoundPage().Execute(&buf, id)
	}
	if err != nil {
		http.Error(rec, "rendering the page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if ok {
		rec.WriteHeader(http.StatusOK)
	} else {
		rec.WriteHeader(http.StatusNotFound)
	}
	_, _ = rec.Write(buf.Bytes())
}

// pageView returns what the page of prediction id shows.
func (s *Simulator) pageView(id string) (pageView, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.preds[id]
	if !ok {
		return pageView{}, false
	}
	wp := p.wireLocked()
	v := pageView{
		ID: wp.ID, Model: wp.Model, Version: wp.Version, Status: wp.Status, Deployment: wp.Deployment,
		Created: wp.CreatedAt, Started: deref(wp.StartedAt), Completed: deref(wp.CompletedAt),
		Error: deref(wp.Error), Logs: wp.Logs, Input: indentJSON(wp.Input), APIURL: p.urls["get"],
		Running: !isTerminal(wp.Status),
	}
	if wp.Output != nil {
		v.Output = indentJSON(wp.Output)
	}
	return v, true
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// indentJSON renders v as indented JSON, without escaping HTML characters:
// the template escapes them.
func indentJSON(v any) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return "(" + err.Error() + ")"
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// The pages are parsed on first use, not at start-up of every command.
var predictionPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8">
{{if .Running}}<meta http-equiv="refresh" content="2">
{{end -}}
<title>Prediction {{.ID}} {{.Status}} (notifier simulator)</title></head>
<body style="font-family: sans-serif">
<h2>Prediction {{.ID}} {{.Status}}</h2>
<p><em>A prediction of notifier's Replicate simulator.</em></p>
<table>
<tr><th align="left">Model</th><td>{{.Model}}</td></tr>
<tr><th align="left">Version</th><td>{{or .Version "-"}}</td></tr>
{{if .Deployment}}<tr><th align="left">Deployment</th><td>{{.Deployment}}</td></tr>
{{end -}}
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
<tr><th align="left">Created</th><td>{{.Created}}</td></tr>
<tr><th align="left">Started</th><td>{{or .Started "-"}}</td></tr>
<tr><th align="left">Completed</th><td>{{or .Completed "-"}}</td></tr>
<tr><th align="left">API</th><td>{{.APIURL}} (with the simulator's token)</td></tr>
</table>
{{if .Error}}<h3>Error</h3>
<pre>{{.Error}}</pre>
{{end -}}
<h3>Output</h3>
{{if .Output}}<pre>{{.Output}}</pre>{{else}}<p>(none yet)</p>{{end}}
<h3>Logs</h3>
<pre>{{.Logs}}</pre>
<h3>Input</h3>
<pre>{{.Input}}</pre>
</body></html>
`))
})

var notFoundPage = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("notfound").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Not found (notifier simulator)</title></head>
<body style="font-family: sans-serif">
<h2>No prediction {{.}}</h2>
<p>This simulator has no prediction with that id. It keeps its predictions in memory, as long as it runs.</p>
</body></html>
`))
})
