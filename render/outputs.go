package render

import (
	"fmt"
	"io"
	"sort"
)

// Outputs writes root module outputs after an apply, as terraform does.
func Outputs(w io.Writer, outputs map[string]OutputValue, c Colors) {
	if len(outputs) == 0 {
		return
	}
	names := make([]string, 0, len(outputs))
	for name := range outputs {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Fprintf(w, "\n%s\n\n", c.Green(c.Bold("Outputs:")))
	for _, name := range names {
		o := outputs[name]
		value := "<sensitive>"
		if !o.Sensitive {
			value = Value(o.Value, 0)
		}
		fmt.Fprintf(w, "%s = %s\n", Key(name), value)
	}
}

// OutputValue is one output as terraform's apply stream reports it.
type OutputValue struct {
	Sensitive bool `json:"sensitive"`
	Value     any  `json:"value"`
}
