package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

// streamMessage is one line of terraform's machine-readable UI stream
// (apply -json). terraform-json has no types for these, so karma reads the
// fields it needs itself.
type streamMessage struct {
	Level      string                        `json:"@level"`
	Message    string                        `json:"@message"`
	Timestamp  time.Time                     `json:"@timestamp"`
	Type       string                        `json:"type"`
	Hook       *streamHook                   `json:"hook"`
	Diagnostic *streamDiagnostic             `json:"diagnostic"`
	Outputs    map[string]render.OutputValue `json:"outputs"`
	Changes    *changeSummary                `json:"changes"`
}

type streamHook struct {
	Resource struct {
		Addr string `json:"addr"`
	} `json:"resource"`
	Action      string `json:"action"`
	Provisioner string `json:"provisioner"`
	Output      string `json:"output"`
}

type streamDiagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail"`
	Address  string `json:"address"`
	Range    *struct {
		Filename string `json:"filename"`
		Start    struct {
			Line int `json:"line"`
		} `json:"start"`
	} `json:"range"`
	Snippet *struct {
		Context string `json:"context"`
		Code    string `json:"code"`
	} `json:"snippet"`
}

// resourceOps is what the stream says terraform did to one resource address.
type resourceOps struct {
	started, completed int
	errored            bool
	first, last        time.Time
	provisioners       []audit.Provisioner
}

// changeSummary is the counts terraform reports at the end of an apply.
type changeSummary struct {
	Add, Change, Import, Remove int
	Operation                   string
}

// uiStream reads terraform's machine-readable stream (plan -json, apply -json)
// as it is written, shows each message the way terraform's own output would,
// and keeps what events record: which resources were started, completed or
// failed, and the diagnostics. Text it shows or keeps is scrubbed of the run's
// known secrets.
type uiStream struct {
	out, errOut io.Writer
	colors      render.Colors
	secrets     *planparse.Secrets
	// planning hides what a plan stream says about changes: karma renders the
	// whole diff from the plan JSON once planning is done.
	planning bool
	// destroy says the plan is a destroy plan, which terraform destroy
	// reports as "Destroy complete!".
	destroy bool

	mu          sync.Mutex
	partial     []byte
	ops         map[string]*resourceOps
	diagnostics []audit.Diagnostic
}

func newUIStream(out, errOut io.Writer, colors render.Colors, secrets *planparse.Secrets) *uiStream {
	return &uiStream{out: out, errOut: errOut, colors: colors, secrets: secrets, ops: map[string]*resourceOps{}}
}

// Write takes the stream in pieces of any size and handles each whole line.
func (s *uiStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.partial = append(s.partial, p...)
	for {
		i := bytes.IndexByte(s.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		s.handle(s.partial[:i])
		s.partial = s.partial[i+1:]
	}
}

// Close handles a last line that had no newline.
func (s *uiStream) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(bytes.TrimSpace(s.partial)) > 0 {
		s.handle(s.partial)
	}
	s.partial = nil
}

func (s *uiStream) handle(line []byte) {
	var m streamMessage
	if err := json.Unmarshal(line, &m); err != nil {
		fmt.Fprintln(s.out, string(line)) // not JSON: pass it on as terraform wrote it
		return
	}
	switch m.Type {
	case "version", "planned_change", "resource_drift":
		// terraform's own output shows none of these
	case "provision_start", "provision_complete", "provision_errored":
		s.trackProvisioner(m)
		if m.Type == "provision_start" {
			s.println(m.Message)
		}
	case "apply_start", "apply_complete", "apply_errored":
		s.track(m)
		s.println(m.Message)
	case "provision_progress":
		s.println(fmt.Sprintf("%s (%s): %s", m.Hook.Resource.Addr, m.Hook.Provisioner, m.Hook.Output))
	case "change_summary", "outputs":
		if !s.planning {
			s.summary(m)
		}
	case "diagnostic":
		s.diagnostic(m.Diagnostic)
	default:
		if m.Message != "" {
			s.println(m.Message)
		}
	}
}

func (s *uiStream) println(text string) {
	fmt.Fprintln(s.out, s.secrets.Scrub(text))
}

// summary writes the closing lines of an apply: the counts and the outputs.
func (s *uiStream) summary(m streamMessage) {
	switch m.Type {
	case "change_summary":
		fmt.Fprintf(s.out, "\n%s\n", s.colors.Bold(s.colors.Green(s.summaryLine(m))))
	case "outputs":
		render.Outputs(s.out, m.Outputs, s.colors)
	}
}

// summaryLine is terraform's closing line. terraform applies a saved destroy
// plan as an apply; karma destroy says what terraform destroy says.
func (s *uiStream) summaryLine(m streamMessage) string {
	if s.destroy && m.Changes != nil {
		return fmt.Sprintf("Destroy complete! Resources: %d destroyed.", m.Changes.Remove)
	}
	return m.Message
}

// trackProvisioner keeps what each provisioner of a resource came to.
func (s *uiStream) trackProvisioner(m streamMessage) {
	ops := s.opsFor(m)
	if ops == nil {
		return
	}
	result := map[string]string{"provision_start": "started", "provision_complete": "completed", "provision_errored": "errored"}[m.Type]
	for i := range ops.provisioners {
		if p := &ops.provisioners[i]; p.Type == m.Hook.Provisioner && p.Result == "started" {
			p.Result = result
			return
		}
	}
	ops.provisioners = append(ops.provisioners, audit.Provisioner{Type: m.Hook.Provisioner, Result: result})
}

// opsFor returns what is known of the resource a hook message is about.
func (s *uiStream) opsFor(m streamMessage) *resourceOps {
	if m.Hook == nil {
		return nil
	}
	addr := m.Hook.Resource.Addr
	ops := s.ops[addr]
	if ops == nil {
		ops = &resourceOps{first: m.Timestamp}
		s.ops[addr] = ops
	}
	return ops
}

func (s *uiStream) track(m streamMessage) {
	ops := s.opsFor(m)
	if ops == nil {
		return
	}
	ops.last = m.Timestamp
	switch m.Type {
	case "apply_start":
		ops.started++
	case "apply_complete":
		ops.completed++
	case "apply_errored":
		ops.errored = true
	}
}

func (s *uiStream) diagnostic(d *streamDiagnostic) {
	if d == nil {
		return
	}
	summary, detail := s.secrets.Scrub(d.Summary), s.secrets.Scrub(d.Detail)
	view := render.Diagnostic{Severity: d.Severity, Summary: summary, Detail: detail, Address: d.Address}
	rec := audit.Diagnostic{Severity: d.Severity, Summary: summary, Detail: detail, Address: d.Address}
	if d.Range != nil {
		view.Filename, view.Line = d.Range.Filename, d.Range.Start.Line
		rec.Range = fmt.Sprintf("%s:%d", d.Range.Filename, d.Range.Start.Line)
	}
	if d.Snippet != nil {
		view.Context, view.Code = d.Snippet.Context, d.Snippet.Code
	}
	w := s.out
	if d.Severity == "error" {
		w = s.errOut
	}
	render.WriteDiagnostic(w, view, s.colors)
	s.diagnostics = append(s.diagnostics, rec)
}

// opsOf returns what the stream saw of addr; nil when nothing.
func (s *uiStream) opsOf(addr string) *resourceOps {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ops[addr]
}

// Diagnostics returns the diagnostics the stream carried.
func (s *uiStream) Diagnostics() []audit.Diagnostic {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.diagnostics
}
