package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Value writes a decoded JSON value the way terraform prints values: quoted
// strings, bare numbers and booleans, null, and multi-line lists and maps
// indented from the given column, their keys aligned.
func Value(v any, indent int) string {
	return markedValue(v, indent, "")
}

// markedValue is Value with mark ("-", "+") before every element of a list
// or map, as terraform draws a value that goes away or appears whole.
func markedValue(v any, indent int, mark string) string {
	var b strings.Builder
	writeValue(&b, v, indent, mark)
	return b.String()
}

func writeValue(b *strings.Builder, v any, indent int, mark string) {
	pad := strings.Repeat(" ", indent)
	prefix := "  "
	if mark != "" {
		prefix = "  " + mark + " "
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case string:
		b.WriteString(Quote(x))
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteString("[\n")
		for _, e := range x {
			b.WriteString(pad + prefix)
			writeValue(b, e, indent+len(prefix), mark)
			b.WriteString(",\n")
		}
		b.WriteString(pad + "]")
	case map[string]any:
		if len(x) == 0 {
			b.WriteString("{}")
			return
		}
		keys := sortedKeys(x)
		width := 0
		for _, k := range keys {
			width = max(width, len(Key(k)))
		}
		b.WriteString("{\n")
		for _, k := range keys {
			fmt.Fprintf(b, "%s%s%-*s = ", pad, prefix, width, Key(k))
			writeValue(b, x[k], indent+len(prefix), mark)
			b.WriteString("\n")
		}
		b.WriteString(pad + "}")
	default:
		fmt.Fprint(b, x)
	}
}

// Quote writes s as a terraform string literal.
func Quote(s string) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n")
}

// Key writes an object key bare when it is an identifier, else quoted.
func Key(k string) string {
	if identifier.MatchString(k) {
		return k
	}
	return Quote(k)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
