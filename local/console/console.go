package console

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/sluicehq/sluice/local/guard"
)

// DefaultPrefix is where the console is served. S3 bucket names have no underscore, so no path-style S3
// request starts with it.
const DefaultPrefix = "/_console/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Console is the web console, an http.Handler for the paths under its prefix.
type Console struct {
	prefix    string
	sfn       API
	cw        API
	objects   Objects
	bucket    string
	machine   string // the pipeline's state machine, listed first
	dead      DeadLetters
	logs      TaskLogs
	health    Health
	guard     *guard.Guard
	dashboard string
	endpoint  string
	region    string
	now       func() time.Time
	log       *slog.Logger
	poll      time.Duration

	pages map[string]*template.Template
	cache *infoCache
	mux   *http.ServeMux
}

// An Option configures a Console.
type Option func(*Console)

// WithStepFunctions sets the Step Functions API the console reads executions through.
func WithStepFunctions(a API) Option { return func(c *Console) { c.sfn = a } }

// WithCloudWatch sets the CloudWatch API the metrics page reads.
func WithCloudWatch(a API) Option { return func(c *Console) { c.cw = a } }

// WithBucket sets the pipeline bucket and the S3 client the objects pages read it through.
func WithBucket(o Objects, bucket string) Option {
	return func(c *Console) { c.objects, c.bucket = o, bucket }
}

// WithStateMachine names the pipeline's state machine (shown first).
func WithStateMachine(arn string) Option { return func(c *Console) { c.machine = arn } }

// WithDeadLetters sets where undelivered events are listed and redriven.
func WithDeadLetters(d DeadLetters) Option { return func(c *Console) { c.dead = d } }

// WithTaskLogs sets where the tasks' log lines are read.
func WithTaskLogs(l TaskLogs) Option { return func(c *Console) { c.logs = l } }

// WithHealth sets what the home page reports of the services.
func WithHealth(h Health) Option { return func(c *Console) { c.health = h } }

// WithGuard sets the endpoint's guard, which every action passes, and whose per-process token the
// console's pages carry (a guard of its own, guard.New(), by default).
func WithGuard(g *guard.Guard) Option { return func(c *Console) { c.guard = g } }

// WithDashboard sets the CloudWatch dashboard body (the template's AWS::CloudWatch::Dashboard
// DashboardBody) that the metrics page renders.
func WithDashboard(body string) Option { return func(c *Console) { c.dashboard = body } }

// WithEndpoint sets the endpoint URL shown on the home page, and the region.
func WithEndpoint(url, region string) Option {
	return func(c *Console) { c.endpoint, c.region = url, region }
}

// WithPrefix serves the console under another path (it must start and end with "/").
func WithPrefix(p string) Option { return func(c *Console) { c.prefix = p } }

// WithLogger sets where the console logs its own errors.
func WithLogger(l *slog.Logger) Option { return func(c *Console) { c.log = l } }

// WithClock sets the console's clock (durations of running states).
func WithClock(now func() time.Time) Option { return func(c *Console) { c.now = now } }

// WithPollInterval sets how often live pages look for changes (250ms by default).
func WithPollInterval(d time.Duration) Option { return func(c *Console) { c.poll = d } }

// New makes a console.
func New(opts ...Option) *Console {
	c := &Console{prefix: DefaultPrefix, now: time.Now, log: slog.New(slog.DiscardHandler), region: "us-east-1",
		poll: 250 * time.Millisecond, cache: newInfoCache(200_000)}
	for _, o := range opts {
		o(c)
	}
	if c.guard == nil {
		c.guard = guard.New()
	}
	c.pages = parsePages(c.funcs())
	c.routes()
	return c
}

// Prefix is the path the console is served under.
func (c *Console) Prefix() string { return c.prefix }

// ExecutionLink is the console page of an execution on the stack at endpoint (http://127.0.0.1:4566).
func ExecutionLink(endpoint, arn string) string {
	return strings.TrimSuffix(endpoint, "/") + DefaultPrefix + "execution?arn=" + url.QueryEscape(arn)
}

// Token is the per-process token every action carries.
func (c *Console) Token() string { return c.guard.Token() }

// ExecutionPath is the path of an execution's page.
func (c *Console) ExecutionPath(arn string) string {
	return c.prefix + "execution?arn=" + url.QueryEscape(arn)
}

func (c *Console) routes() {
	m := http.NewServeMux()
	p := c.prefix
	m.HandleFunc("GET "+p+"{$}", c.home)
	m.HandleFunc("GET "+p+"executions", c.executions)
	m.HandleFunc("GET "+p+"execution", c.execution)
	m.HandleFunc("GET "+p+"live", c.live)
	m.HandleFunc("GET "+p+"start", c.startForm)
	m.HandleFunc("GET "+p+"objects", c.objectsPage)
	m.HandleFunc("GET "+p+"object", c.objectPage)
	m.HandleFunc("GET "+p+"object/raw", c.objectRaw)
	m.HandleFunc("GET "+p+"metrics", c.metrics)
	m.HandleFunc("GET "+p+"dead-letters", c.deadLetters)
	m.HandleFunc("POST "+p+"actions/start", c.guarded(c.actionStart))
	m.HandleFunc("POST "+p+"actions/stop", c.guarded(c.actionStop))
	m.HandleFunc("POST "+p+"actions/rerun", c.guarded(c.actionRerun))
	m.HandleFunc("POST "+p+"actions/redrive", c.guarded(c.actionRedrive))
	m.HandleFunc("POST "+p+"actions/redrive-execution", c.guarded(c.actionRedriveExecution))
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET "+p+"static/", http.StripPrefix(p+"static/", http.FileServerFS(static)))
	c.mux = m
}

// ServeHTTP serves the console's pages. Every answer forbids framing and sniffing, and its pages load
// nothing from elsewhere.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	if r.URL.Path+"/" == c.prefix {
		http.Redirect(w, r, c.prefix, http.StatusFound)
		return
	}
	c.mux.ServeHTTP(w, r)
}

// guarded refuses an action the guard does not allow.
func (c *Console) guarded(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
		if err := c.checkAction(r); err != nil {
			w.WriteHeader(http.StatusForbidden)
			c.render(w, r, "error", page{Title: "Forbidden", Error: "Forbidden: " + err.Error()})
			return
		}
		h(w, r)
	}
}

// page is what every template gets.
type page struct {
	Title   string
	Nav     string
	Prefix  string
	Token   string
	Bucket  string
	Machine string
	Error   string
	Data    any
}

func (c *Console) render(w http.ResponseWriter, r *http.Request, name string, p page) {
	p.Prefix, p.Token, p.Bucket, p.Machine = c.prefix, c.guard.Token(), c.bucket, c.machine
	t := c.pages[name]
	if t == nil {
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		c.log.Error("console: render", "page", name, "err", err)
		http.Error(w, "the page could not be rendered: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// fail renders an error page.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	w.WriteHeader(status)
	c.render(w, r, "error", page{Title: "Error", Error: err.Error()})
}

func parsePages(funcs template.FuncMap) map[string]*template.Template {
	base := template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html"))
	pages := map[string]*template.Template{}
	names, _ := fs.Glob(templateFS, "templates/*.html")
	for _, n := range names {
		name := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		pages[name] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, n))
	}
	return pages
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"ts":      formatTime,
		"dur":     formatDuration,
		"json":    indentJSON,
		"short":   func(s string, n int) string { return shorten(s, n) },
		"lower":   strings.ToLower,
		"execURL": c.ExecutionPath,
		"add":     func(a, b int) int { return a + b },
		"add1":    func(a, b float64) float64 { return a + b },
		"mul":     func(a, b float64) float64 { return a * b },
		"dict": func(rows []ExecutionRow, p string) any {
			return struct {
				Rows []ExecutionRow
				P    string
			}{rows, p}
		},
		"pct":    func(a, b float64) string { return fmt.Sprintf("%.3f%%", 100*a/max(b, 1e-9)) },
		"f1":     func(f float64) string { return fmt.Sprintf("%.1f", f) },
		"nameOf": nameOf,
		"statusClass": func(s string) string {
			return strings.ToLower(strings.ReplaceAll(s, "_", "-"))
		},
	}
}

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05.000")
}

func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d < time.Hour:
		return fmt.Sprintf("%dm %02ds", int(d.Minutes()), int(d.Seconds())%60)
	}
	return fmt.Sprintf("%dh %02dm", int(d.Hours()), int(d.Minutes())%60)
}

// nameOf is the last part of an ARN.
func nameOf(arn string) string {
	return arn[strings.LastIndexByte(arn, ':')+1:]
}
