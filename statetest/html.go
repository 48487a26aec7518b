package statetest

import (
	"html/template"
	"io"
	"strings"
)

// coveragePage is a self-contained page: no scripts, no external resources.
var coveragePage = template.Must(template.New("coverage").Funcs(template.FuncMap{"join": strings.Join}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>State machine coverage: {{.Name}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2em; color: #16191f; }
table { border-collapse: collapse; }
th, td { text-align: left; padding: 0.3em 0.8em; border-bottom: 1px solid #e9ebed; vertical-align: top; }
tr.state td { font-weight: 600; border-top: 2px solid #d1d5db; }
td.transition { padding-left: 2.5em; }
.covered { background: #e6f4e6; }
.missed { background: #fde8e8; }
.mark { font-family: monospace; }
.cases { color: #5f6b7a; font-size: 0.9em; }
</style>
</head>
<body>
<h1>Coverage of {{.Name}}</h1>
<p id="summary">{{printf "%.1f" .Totals.Percent}}% covered: states {{.Totals.StatesCovered}}/{{.Totals.States}}, transitions {{.Totals.TransitionsCovered}}/{{.Totals.Transitions}}.</p>
<table>
<thead><tr><th>State or transition</th><th>Covered</th><th>By cases</th></tr></thead>
<tbody>
{{range .Items}}<tr class="{{if eq .Kind "state"}}state {{end}}{{if .Covered}}covered{{else}}missed{{end}}">
<td{{if ne .Kind "state"}} class="transition"{{end}}>{{.Label}}</td>
<td class="mark">{{if .Covered}}yes{{else}}NO{{end}}</td>
<td class="cases">{{join .Cases ", "}}</td>
</tr>
{{end}}</tbody>
</table>
</body>
</html>
`))

// HTML writes the coverage as a self-contained HTML page: a table of every state with its transitions
// below it, covered rows green, missed ones red, with the cases that covered each.
func (c *Coverage) HTML(w io.Writer, name string) error {
	return coveragePage.Execute(w, struct {
		Name   string
		Totals Totals
		Items  []Item
	}{name, c.Totals(), c.Items})
}
