package render

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/usekarma/karma/planparse"
)

// Renderer writes a plan's diff in one format.
type Renderer interface {
	Render(w io.Writer, d *planparse.Diff) error
}

// Formats are the names ForFormat accepts.
var Formats = []string{"text", "markdown", "json"}

// ForFormat returns the renderer for a format name, chosen once per command.
func ForFormat(name string, colors Colors) (Renderer, error) {
	switch name {
	case "text":
		return Text{Colors: colors}, nil
	case "markdown", "md":
		return Markdown{}, nil
	case "json":
		return JSON{}, nil
	}
	return nil, fmt.Errorf("unknown format %q: use text, markdown or json", name)
}

// JSON writes the diff as one document: format_version, summary, changes
// (with their attribute diffs), outputs and drift.
type JSON struct{}

// Render writes d as compact JSON followed by a newline. Changes are encoded
// one at a time, so a 50,000-resource diff is never held twice in memory.
func (JSON) Render(w io.Writer, d *planparse.Diff) error {
	jw := &jsonWriter{w: bufio.NewWriterSize(w, 1<<16)}
	head := struct {
		FormatVersion    string            `json:"format_version"`
		TerraformVersion string            `json:"terraform_version,omitempty"`
		Summary          planparse.Summary `json:"summary"`
		Errored          bool              `json:"errored"`
	}{d.FormatVersion, d.TerraformVersion, d.Summary, d.Errored}
	jw.open(head) // the lists follow inside the same object
	jw.list("changes", len(d.Changes), func(i int) any { return &d.Changes[i] })
	jw.list("outputs", len(d.Outputs), func(i int) any { return &d.Outputs[i] })
	jw.list("drift", len(d.Drift), func(i int) any { return &d.Drift[i] })
	if len(d.Deferred) > 0 {
		jw.list("deferred", len(d.Deferred), func(i int) any { return &d.Deferred[i] })
	}
	jw.raw("}\n")
	return jw.flush()
}

// jsonWriter writes JSON piece by piece, keeping the first error.
type jsonWriter struct {
	w   *bufio.Writer
	buf bytes.Buffer
	err error
}

// value writes v compactly, without HTML escaping or a trailing newline.
func (j *jsonWriter) value(v any) {
	if doc := j.encode(v); doc != nil {
		_, j.err = j.w.Write(doc)
	}
}

// open writes the object v without its closing brace, so more fields follow.
func (j *jsonWriter) open(v any) {
	if doc := j.encode(v); doc != nil {
		_, j.err = j.w.Write(bytes.TrimSuffix(doc, []byte("}")))
	}
}

func (j *jsonWriter) encode(v any) []byte {
	if j.err != nil {
		return nil
	}
	j.buf.Reset()
	enc := json.NewEncoder(&j.buf)
	enc.SetEscapeHTML(false)
	if j.err = enc.Encode(v); j.err != nil {
		return nil
	}
	return bytes.TrimSuffix(j.buf.Bytes(), []byte("\n"))
}

func (j *jsonWriter) list(key string, n int, item func(int) any) {
	j.raw(fmt.Sprintf(",%q:[", key))
	for i := 0; i < n; i++ {
		if i > 0 {
			j.raw(",")
		}
		j.value(item(i))
	}
	j.raw("]")
}

func (j *jsonWriter) raw(s string) {
	if j.err == nil {
		_, j.err = j.w.WriteString(s)
	}
}

func (j *jsonWriter) flush() error {
	if j.err != nil {
		return j.err
	}
	return j.w.Flush()
}
