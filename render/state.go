package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/usekarma/karma/planparse"
)

// State writes a redacted state document the way terraform show prints a
// state: one block per resource instance with its attributes, then outputs.
func State(w io.Writer, doc []byte, c Colors) error {
	state := &tfjson.State{}
	state.UseJSONNumber(true)
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(state); err != nil {
		return fmt.Errorf("read state: %w", err)
	}
	var b strings.Builder
	if state.Values != nil {
		stateModule(&b, state.Values.RootModule, c)
		stateOutputs(&b, state.Values.Outputs)
	}
	if b.Len() == 0 {
		b.WriteString("The state is empty: no resources.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func stateModule(b *strings.Builder, m *tfjson.StateModule, c Colors) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		kind := "resource"
		if r.Mode == tfjson.DataResourceMode {
			kind = "data"
		}
		note := ""
		if r.Tainted {
			note = c.Red(" (tainted)")
		}
		fmt.Fprintf(b, "# %s:%s\n%s %q %q {\n", r.Address, note, kind, r.Type, r.Name)
		names := make([]string, 0, len(r.AttributeValues))
		width := 0
		for k := range r.AttributeValues {
			names = append(names, k)
			width = max(width, len(Key(k)))
		}
		sort.Strings(names)
		for _, k := range names {
			v := r.AttributeValues[k]
			text := Value(v, 4)
			if v == planparse.Redacted {
				text = "(sensitive value)"
			}
			fmt.Fprintf(b, "    %-*s = %s\n", width, Key(k), text)
		}
		b.WriteString("}\n\n")
	}
	for _, child := range m.ChildModules {
		stateModule(b, child, c)
	}
}

func stateOutputs(b *strings.Builder, outputs map[string]*tfjson.StateOutput) {
	if len(outputs) == 0 {
		return
	}
	names := make([]string, 0, len(outputs))
	for k := range outputs {
		names = append(names, k)
	}
	sort.Strings(names)
	b.WriteString("Outputs:\n\n")
	for _, n := range names {
		text := "(sensitive value)"
		if !outputs[n].Sensitive {
			text = Value(outputs[n].Value, 0)
		}
		fmt.Fprintf(b, "%s = %s\n", Key(n), text)
	}
}
