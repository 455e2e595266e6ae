package email

import (
	htmltemplate "html/template"
	"sync"
	texttemplate "text/template"
)

// The prediction email, as plain text. Values are shown as they are.
var predictionText = sync.OnceValue(func() *texttemplate.Template {
	return texttemplate.Must(texttemplate.New("prediction.txt").Parse(`{{range .Notes}}Note: {{.}}
{{end}}{{if .Notes}}
{{end}}Prediction {{.ID}} {{.Status}}
{{if .WebURL}}{{.WebURL}}
{{end}}
Model:        {{or .Model "-"}}
Version:      {{or .Version "-"}}
Status:       {{.Status}}
Created:      {{or .Created "-"}}
Started:      {{or .Started "-"}}
Completed:    {{or .Completed "-"}}
Queued for:   {{or .Queue "-"}}
Ran for:      {{or .Run "-"}}
Total:        {{or .Total "-"}}
{{if .PredictTime}}Predict time: {{.PredictTime}}
{{end}}{{if .Error}}
Error:
{{.Error}}
{{end}}{{if .Logs}}
Logs{{if .LogsShown}} ({{.LogsShown}}){{end}}:
{{range .Logs}}  {{.}}
{{end}}{{end}}
Output:
{{if .Output.None}}(none)
{{else if .Output.Items}}{{range .Output.Items}}{{.Value}}
{{end}}{{else}}{{.Output.JSON}}
{{end}}{{if .Output.Note}}[output {{.Output.Note}}]
{{end}}
Prediction JSON:
{{.JSON}}
{{if .JSONNote}}[JSON {{.JSONNote}}]
{{end}}`))
})

// The prediction email, as HTML. html/template escapes every value, so an
// output containing <script> shows as text, and sanitizes link targets.
var predictionHTML = sync.OnceValue(func() *htmltemplate.Template {
	return htmltemplate.Must(htmltemplate.New("prediction.html").Parse(`<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Prediction {{.ID}} {{.Status}}</title></head>
<body style="font-family: sans-serif">
{{range .Notes}}<p><strong>Note:</strong> {{.}}</p>
{{end -}}
<h2>Prediction {{.ID}} {{.Status}}</h2>
{{if .WebURL}}<p><a href="{{.WebURL}}">{{.WebURL}}</a></p>
{{end -}}
<table>
<tr><th align="left">Model</th><td>{{or .Model "-"}}</td></tr>
<tr><th align="left">Version</th><td>{{or .Version "-"}}</td></tr>
<tr><th align="left">Status</th><td>{{.Status}}</td></tr>
<tr><th align="left">Created</th><td>{{or .Created "-"}}</td></tr>
<tr><th align="left">Started</th><td>{{or .Started "-"}}</td></tr>
<tr><th align="left">Completed</th><td>{{or .Completed "-"}}</td></tr>
<tr><th align="left">Queued for</th><td>{{or .Queue "-"}}</td></tr>
<tr><th align="left">Ran for</th><td>{{or .Run "-"}}</td></tr>
<tr><th align="left">Total</th><td>{{or .Total "-"}}</td></tr>
{{if .PredictTime}}<tr><th align="left">Predict time</th><td>{{.PredictTime}}</td></tr>
{{end -}}
</table>
{{if .Error}}<h3>Error</h3>
<pre>{{.Error}}</pre>
{{end -}}
{{if .Logs}}<h3>Logs{{if .LogsShown}} ({{.LogsShown}}){{end}}</h3>
<pre>{{range .Logs}}{{.}}
{{end}}</pre>
{{end -}}
<h3>Output</h3>
{{if .Output.None}}<p>(none)</p>
{{else if .Output.Items}}<ul>
{{range .Output.Items}}<li>{{if .Image}}<a href="{{.Value}}"><img src="{{.Value}}" alt="output image" style="max-width:100%"></a><br><a href="{{.Value}}">{{.Value}}</a>{{else if .Link}}<a href="{{.Value}}">{{.Value}}</a>{{else}}<pre>{{.Value}}</pre>{{end}}</li>
{{end}}</ul>
{{else}}<pre>{{.Output.JSON}}</pre>
{{end -}}
{{if .Output.Note}}<p><em>Output {{.Output.Note}}.</em></p>
{{end -}}
<h3>Prediction JSON</h3>
<pre>{{.JSON}}</pre>
{{if .JSONNote}}<p><em>JSON {{.JSONNote}}.</em></p>
{{end -}}
</body></html>
`))
})
