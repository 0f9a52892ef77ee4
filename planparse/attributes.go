package planparse

import (
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// side is one half of a change: a value and its sensitivity mask.
type side struct {
	value     any
	sensitive any
}

func (s side) child(key any) side {
	return side{value: childOf(s.value, key), sensitive: childOf(s.sensitive, key)}
}

// MaxDepth is how deeply karma lets a resource's values nest. terraform
// values rarely nest a dozen levels; a plan nesting hundreds is broken or
// hostile, and rendering it would cost quadratic output.
const MaxDepth = 100

// ErrTooDeep is returned for values nested deeper than MaxDepth.
var ErrTooDeep = fmt.Errorf("values nest deeper than %d levels", MaxDepth)

// attributeWalker collects the changed leaves of one resource change.
type attributeWalker struct {
	replacePaths []string
	out          []Attribute
	depth        int
	tooDeep      bool
}

// changedAttributes lists every changed leaf of c, sensitive ones without
// values. It collects them in scratch, reused from one resource to the next,
// and returns an exact-size copy: a plan of 50,000 resources keeps no slack.
func changedAttributes(c *tfjson.Change, replacePaths []string, scratch *[]Attribute) ([]Attribute, error) {
	w := attributeWalker{replacePaths: replacePaths, out: (*scratch)[:0]}
	w.walk("", side{c.Before, c.BeforeSensitive}, side{c.After, c.AfterSensitive}, c.AfterUnknown)
	*scratch = w.out
	if w.tooDeep {
		return nil, ErrTooDeep
	}
	return append([]Attribute{}, w.out...), nil
}

func (w *attributeWalker) walk(path string, before, after side, unknown any) {
	if w.depth++; w.depth > MaxDepth {
		w.tooDeep = true
		return
	}
	defer func() { w.depth-- }()
	switch {
	case before.sensitive == true || after.sensitive == true:
		w.sensitiveLeaf(path, before, after, unknown)
	case unknown == true:
		w.emit(Attribute{Path: path, Before: leafValue(before), Unknown: true})
	case isContainer(before.value) || isContainer(after.value) || isContainer(unknown):
		w.walkContainer(path, before, after, unknown)
	case !reflect.DeepEqual(before.value, after.value):
		w.emit(Attribute{Path: path, Before: before.value, After: after.value})
	}
}

// sensitiveLeaf records that a sensitive value changed, and nothing of its value.
// The raw values are compared only to decide whether it changed, as terraform
// does; a value that only becomes or stops being sensitive changes too.
func (w *attributeWalker) sensitiveLeaf(path string, before, after side, unknown any) {
	isUnknown := hasSensitive(unknown)
	marksChanged := (before.sensitive == true) != (after.sensitive == true)
	if isUnknown || marksChanged || !reflect.DeepEqual(before.value, after.value) {
		w.emit(Attribute{Path: path, Unknown: isUnknown, Sensitive: true})
	}
}

// walkContainer descends into objects and lists. Where the two sides are of
// different kinds, or one side is an empty container, the values are one leaf.
func (w *attributeWalker) walkContainer(path string, before, after side, unknown any) {
	keys, ok := childKeys(before.value, after.value, unknown)
	if !ok {
		if !reflect.DeepEqual(before.value, after.value) {
			w.emit(Attribute{Path: path, Before: leafValue(before), After: leafValue(after)})
		}
		return
	}
	for _, key := range keys {
		w.walk(joinPath(path, key), before.child(key), after.child(key), childOf(unknown, key))
	}
}

func (w *attributeWalker) emit(a Attribute) {
	a.ForcesReplacement = forcesReplacement(a.Path, w.replacePaths)
	w.out = append(w.out, a)
}

// childKeys returns the keys to descend into: the union of both sides' keys (and
// the keys of the unknown mask) for objects, every index for lists. It reports
// false where the values should be compared whole instead.
func childKeys(before, after, unknown any) ([]any, bool) {
	kind := containerKind(before, after, unknown)
	if kind == "" {
		return nil, false
	}
	if kind == "object" {
		return objectKeys(before, after, unknown), true
	}
	n := max(listLen(before), listLen(after), listLen(unknown))
	keys := make([]any, n)
	for i := range keys {
		keys[i] = i
	}
	return keys, true
}

// containerKind is "object" or "list" when every non-null side is a container
// of that kind and at least one is not empty, else "". Booleans are skipped:
// they are the leaves of the unknown mask.
func containerKind(values ...any) string {
	kind, nonEmpty := "", false
	for _, v := range values {
		var k string
		switch x := v.(type) {
		case nil, bool:
			continue
		case map[string]any:
			k, nonEmpty = "object", nonEmpty || len(x) > 0
		case []any:
			k, nonEmpty = "list", nonEmpty || len(x) > 0
		default:
			return ""
		}
		if kind != "" && kind != k {
			return ""
		}
		kind = k
	}
	if !nonEmpty {
		return ""
	}
	return kind
}

func objectKeys(values ...any) []any {
	seen := map[string]bool{}
	var names []string
	for _, v := range values {
		obj, _ := v.(map[string]any)
		for k := range obj {
			if !seen[k] {
				seen[k] = true
				names = append(names, k)
			}
		}
	}
	sort.Strings(names)
	keys := make([]any, len(names))
	for i, n := range names {
		keys[i] = n
	}
	return keys
}

func listLen(v any) int {
	list, _ := v.([]any)
	return len(list)
}

func isContainer(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// childOf returns v[key] for an object and a string key, v[i] for a list and an
// int key, else nil.
func childOf(v, key any) any {
	switch k := key.(type) {
	case string:
		if obj, ok := v.(map[string]any); ok {
			return obj[k]
		}
	case int:
		if list, ok := v.([]any); ok && k < len(list) {
			return list[k]
		}
	}
	return nil
}

// leafValue is the value to show for one side of a leaf. A container shown whole
// is copied with its sensitive parts redacted, so the diff never holds a secret.
func leafValue(s side) any {
	if !isContainer(s.value) || !hasSensitive(s.sensitive) {
		return s.value
	}
	return redact(deepCopy(s.value), s.sensitive, nil)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, sub := range x {
			out[k] = deepCopy(sub)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, sub := range x {
			out[i] = deepCopy(sub)
		}
		return out
	}
	return v
}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// joinPath appends one step to an attribute path: .name for identifiers,
// ["key"] for other object keys, [i] for list indexes.
func joinPath(path string, key any) string {
	switch k := key.(type) {
	case int:
		return path + "[" + strconv.Itoa(k) + "]"
	case string:
		if !identifier.MatchString(k) {
			return path + "[" + strconv.Quote(k) + "]"
		}
		if path == "" {
			return k
		}
		return path + "." + k
	}
	return path
}

// pathString writes one of terraform's replace_paths (a list of keys and
// indexes) as an attribute path.
func pathString(steps []any) string {
	path := ""
	for _, step := range steps {
		switch s := step.(type) {
		case string:
			path = joinPath(path, s)
		case json.Number:
			if i, err := s.Int64(); err == nil {
				path = joinPath(path, int(i))
			}
		case float64:
			path = joinPath(path, int(s))
		}
	}
	return path
}

func replacePathStrings(paths []any) []string {
	var out []string
	for _, p := range paths {
		if steps, ok := p.([]any); ok {
			out = append(out, pathString(steps))
		}
	}
	return out
}

// forcesReplacement reports whether path is, or lies under, a replace path.
func forcesReplacement(path string, replacePaths []string) bool {
	for _, rp := range replacePaths {
		if path == rp || strings.HasPrefix(path, rp+".") || strings.HasPrefix(path, rp+"[") {
			return true
		}
	}
	return false
}

// SplitPath splits an attribute path into its steps: names and object keys as
// written ("tags", "a b"), list indexes as "[0]".
func SplitPath(path string) []string {
	var steps []string
	for i := 0; i < len(path); {
		switch path[i] {
		case '.':
			i++
		case '[':
			end := bracketEnd(path, i)
			inner := path[i+1 : end]
			if key, err := strconv.Unquote(inner); err == nil {
				steps = append(steps, key)
			} else {
				steps = append(steps, "["+inner+"]")
			}
			i = end + 1
		default:
			j := i
			for j < len(path) && path[j] != '.' && path[j] != '[' {
				j++
			}
			steps = append(steps, path[i:j])
			i = j
		}
	}
	return steps
}

// bracketEnd finds the ] closing the [ at start, skipping a quoted key.
func bracketEnd(path string, start int) int {
	inQuote := false
	for i := start + 1; i < len(path); i++ {
		switch {
		case inQuote && path[i] == '\\':
			i++
		case path[i] == '"':
			inQuote = !inQuote
		case !inQuote && path[i] == ']':
			return i
		}
	}
	return len(path) - 1
}
