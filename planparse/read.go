package planparse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// ErrUnsupportedFormat is returned for a plan whose format_version has a major
// version karma does not know.
var ErrUnsupportedFormat = errors.New("unsupported plan format_version")

// ErrNotAPlan is returned for JSON that is not a terraform plan.
var ErrNotAPlan = errors.New("not a terraform plan")

// Record is a plan read for the audit log: its diff, and redacted documents safe
// to store.
type Record struct {
	Diff *Diff
	// Plan is the whole plan JSON with every sensitive value redacted.
	Plan []byte
	// PriorState is the plan's redacted prior_state; nil when it has none.
	PriorState []byte
	// Inputs are the root module's variable values, sensitive ones redacted.
	Inputs map[string]any
	// Secrets holds the sensitive strings met, for scrubbing free text.
	Secrets *Secrets
}

// Parse reads plan JSON and returns its redacted diff. It streams: the plan is
// never held whole in memory, and sections the diff does not need are skipped.
func Parse(r io.Reader) (*Diff, error) {
	rd := newReader(r, false)
	if err := rd.read(); err != nil {
		return nil, err
	}
	return rd.diff, nil
}

// Redact reads plan JSON and returns its diff, the redacted plan and prior
// state, the redacted inputs, and the secrets it met.
func Redact(data []byte) (*Record, error) {
	rd := newReader(bytes.NewReader(data), true)
	if err := rd.read(); err != nil {
		return nil, err
	}
	return &Record{Diff: rd.diff, Plan: rd.doc, PriorState: rd.priorState, Inputs: rd.inputs, Secrets: rd.secrets}, nil
}

// reader walks a plan's top-level object one section at a time.
type reader struct {
	dec     *json.Decoder
	in      *countingReader
	section string      // the top-level key being read, for errors
	out     *jsonWriter // nil when only the diff is wanted

	diff          *Diff
	secrets       *Secrets
	vars          map[string]*tfjson.PlanVariable
	sensitiveVars map[string]bool
	inputs        map[string]any
	priorState    []byte
	doc           []byte
	scratch       []Attribute // reused by every resource's attribute walk
	sawFormat     bool
	sawPlan       bool
}

func newReader(r io.Reader, record bool) *reader {
	in := &countingReader{r: r}
	dec := json.NewDecoder(in)
	dec.UseNumber()
	rd := &reader{
		dec:     dec,
		in:      in,
		secrets: &Secrets{},
		diff:    &Diff{FormatVersion: FormatVersion, Changes: []Change{}, Outputs: []OutputChange{}, Drift: []Change{}},
	}
	if record {
		rd.out = &jsonWriter{}
	}
	return rd
}

func (rd *reader) read() error {
	if err := rd.delim('{'); err != nil {
		return err
	}
	rd.out.open('{')
	for rd.dec.More() {
		key, err := rd.key()
		if err != nil {
			return err
		}
		rd.section = key
		if err := rd.readSection(key); err != nil {
			return err
		}
	}
	if err := rd.delim('}'); err != nil {
		return err
	}
	if _, err := rd.dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("plan JSON has data after its end at byte %d", rd.dec.InputOffset())
	}
	return rd.finish()
}

func (rd *reader) readSection(key string) error {
	switch key {
	case "format_version":
		return rd.formatVersion()
	case "terraform_version":
		return rd.scalar(key, &rd.diff.TerraformVersion)
	case "errored":
		return rd.scalar(key, &rd.diff.Errored)
	case "variables":
		rd.sawPlan = true
		return rd.decode(&rd.vars)
	case "resource_changes", "resource_drift":
		rd.sawPlan = true
		return rd.resourceChanges(key)
	case "deferred_changes":
		return rd.deferredChanges(key)
	case "output_changes":
		return rd.outputChanges(key)
	case "configuration":
		rd.sawPlan = true
		return rd.configuration(key)
	}
	if rd.out == nil {
		rd.sawPlan = rd.sawPlan || isPlanSection(key)
		return rd.skip()
	}
	return rd.recordSection(key)
}

// recordSection handles the sections only the redacted document needs.
func (rd *reader) recordSection(key string) error {
	switch key {
	case "planned_values":
		rd.sawPlan = true
		return rd.plannedValues(key)
	case "prior_state":
		rd.sawPlan = true
		return rd.priorStateSection(key)
	case "relevant_attributes", "checks", "timestamp", "applyable", "complete":
		var raw json.RawMessage
		if err := rd.decode(&raw); err != nil {
			return err
		}
		return rd.out.field(key, raw)
	}
	// Sections this version does not know may carry values it cannot redact.
	return rd.skip()
}

func isPlanSection(key string) bool {
	return key == "planned_values" || key == "prior_state"
}

func (rd *reader) formatVersion() error {
	var v string
	if err := rd.decode(&v); err != nil {
		return err
	}
	if major, _, _ := strings.Cut(v, "."); major != "1" {
		return fmt.Errorf("%w %q: karma reads plan format 1.x, written by terraform 0.12 and later", ErrUnsupportedFormat, v)
	}
	rd.sawFormat = true
	return rd.out.field("format_version", v)
}

func (rd *reader) scalar(key string, into any) error {
	if err := rd.decode(into); err != nil {
		return err
	}
	return rd.out.field(key, into)
}

func (rd *reader) resourceChanges(key string) error {
	drift := key == "resource_drift"
	return rd.array(key, func() (any, error) {
		rc := new(tfjson.ResourceChange)
		if err := rd.decode(rc); err != nil {
			return nil, err
		}
		c, err := newChange(rc, &rd.scratch)
		if err != nil {
			return nil, err
		}
		switch {
		case !c.isShown():
		case drift:
			rd.diff.Drift = append(rd.diff.Drift, c)
		default:
			rd.diff.Summary.count(c)
			rd.diff.Changes = append(rd.diff.Changes, c)
		}
		redactChange(rc.Change, rd.secrets)
		return rc, nil
	})
}

func (rd *reader) deferredChanges(key string) error {
	return rd.array(key, func() (any, error) {
		d := new(tfjson.DeferredResourceChange)
		if err := rd.decode(d); err != nil {
			return nil, err
		}
		if d.ResourceChange != nil {
			c, err := newChange(d.ResourceChange, &rd.scratch)
			if err != nil {
				return nil, err
			}
			rd.diff.Deferred = append(rd.diff.Deferred, Deferred{Reason: d.Reason, Change: c})
			redactChange(d.ResourceChange.Change, rd.secrets)
		}
		return d, nil
	})
}

func (rd *reader) outputChanges(key string) error {
	var outputs map[string]*tfjson.Change
	if err := rd.decode(&outputs); err != nil {
		return err
	}
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if ch := outputs[name]; ch != nil {
			if oc := newOutputChange(name, ch); oc.Action != ActionNoOp {
				rd.diff.Outputs = append(rd.diff.Outputs, oc)
			}
			redactChange(ch, rd.secrets)
		}
	}
	return rd.out.field(key, outputs)
}

func (rd *reader) plannedValues(key string) error {
	var values tfjson.StateValues
	if err := rd.decode(&values); err != nil {
		return err
	}
	if err := redactStateValues(&values, rd.secrets); err != nil {
		return err
	}
	return rd.out.field(key, &values)
}

func (rd *reader) priorStateSection(key string) error {
	state := &tfjson.State{}
	state.UseJSONNumber(true)
	if err := rd.decode(state); err != nil {
		return err
	}
	if err := redactStateValues(state.Values, rd.secrets); err != nil {
		return err
	}
	doc, err := marshal(state)
	if err != nil {
		return err
	}
	rd.priorState = doc
	return rd.out.field(key, json.RawMessage(doc))
}

func (rd *reader) configuration(key string) error {
	var config any
	if err := rd.decode(&config); err != nil {
		return err
	}
	rd.sensitiveVars = redactConfig(config, rd.secrets)
	return rd.out.field(key, config)
}

// finish checks the plan was one, and completes what needed the whole plan:
// the variables (whether each is sensitive is known only from the configuration,
// which follows them) and the scrubbing of values that hold a secret terraform
// did not mark.
func (rd *reader) finish() error {
	if !rd.sawFormat {
		return fmt.Errorf("%w: no format_version (karma reads the output of terraform show -json PLANFILE)", ErrNotAPlan)
	}
	if !rd.sawPlan {
		return fmt.Errorf("%w: no planned values, changes or configuration (is this a state file?)", ErrNotAPlan)
	}
	rd.inputs = redactVariables(rd.vars, rd.sensitiveVars, rd.secrets)
	rd.diff.scrub(rd.secrets)
	if rd.out == nil {
		return nil
	}
	scrubValues(rd.inputs, rd.secrets)
	if rd.vars != nil {
		vars := make(map[string]map[string]any, len(rd.inputs))
		for name, v := range rd.inputs {
			vars[name] = map[string]any{"value": v}
		}
		if err := rd.out.field("variables", vars); err != nil {
			return err
		}
	}
	rd.out.close('}')
	rd.doc = scrubJSON(rd.out.Bytes(), rd.secrets)
	rd.priorState = scrubJSON(rd.priorState, rd.secrets)
	return nil
}

// array streams a JSON array one element at a time through elem, and writes
// what elem returns to the redacted document.
func (rd *reader) array(key string, elem func() (any, error)) error {
	if err := rd.delim('['); err != nil {
		return err
	}
	rd.out.beginField(key)
	rd.out.open('[')
	for rd.dec.More() {
		v, err := elem()
		if err != nil {
			return err
		}
		if err := rd.out.elem(v); err != nil {
			return err
		}
	}
	rd.out.close(']')
	return rd.delim(']')
}

func (rd *reader) key() (string, error) {
	tok, err := rd.dec.Token()
	if err != nil {
		return "", rd.syntax(err)
	}
	key, ok := tok.(string)
	if !ok {
		return "", fmt.Errorf("plan JSON is malformed at byte %d: expected an object key", rd.dec.InputOffset())
	}
	return key, nil
}

func (rd *reader) delim(want json.Delim) error {
	tok, err := rd.dec.Token()
	if err != nil {
		return rd.syntax(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("plan JSON is malformed at byte %d%s: expected %q", rd.dec.InputOffset(), rd.where(), want)
	}
	return nil
}

func (rd *reader) decode(v any) error {
	if err := rd.dec.Decode(v); err != nil {
		return rd.syntax(err)
	}
	return nil
}

// skip reads past a value without keeping it.
func (rd *reader) skip() error {
	return rd.decode(&skipped{})
}

// skipped is a value read and dropped: unlike json.RawMessage, it keeps no
// copy of what may be tens of megabytes of planned values.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// syntax turns a decoder error into one that says where the input went wrong.
func (rd *reader) syntax(err error) error {
	offset := rd.dec.InputOffset()
	where := rd.where()
	switch {
	case errors.Is(err, io.EOF) && rd.in.n == 0:
		return fmt.Errorf("%w: the input is empty", ErrNotAPlan)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return fmt.Errorf("plan JSON is truncated: it ends after %d bytes%s, inside a value that starts at byte %d", rd.in.n, where, offset)
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Errorf("plan JSON does not match terraform's plan format at byte %d: %s is %s, expected %s",
			typeErr.Offset, typeErr.Field, typeErr.Value, typeErr.Type)
	}
	return fmt.Errorf("plan JSON is malformed near byte %d%s: %w", offset, where, err)
}

// where names the section being read, for errors.
func (rd *reader) where() string {
	if rd.section == "" {
		return ""
	}
	return fmt.Sprintf(" in %q", rd.section)
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
