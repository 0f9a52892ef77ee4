package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/usekarma/karma/planparse"
)

// summaryLimit caps how many resources the short summary lists.
const summaryLimit = 50

// Counts writes a summary as terraform's "Plan:" line counts it, with karma's
// extra counts after it when they are not zero.
func Counts(s planparse.Summary) string {
	var b strings.Builder
	b.WriteString(planLine(s))
	var extra []string
	for _, kv := range []struct {
		n    int
		word string
	}{{s.Replace, "replaced"}, {s.Move, "moved"}, {s.Forget, "forgotten"}, {s.Read, "read"}} {
		if kv.n > 0 {
			extra = append(extra, fmt.Sprintf("%d %s", kv.n, kv.word))
		}
	}
	if len(extra) > 0 {
		b.WriteString(" (" + strings.Join(extra, ", ") + ")")
	}
	return b.String()
}

// Summary writes the short list karma prints after terraform's own plan
// output: the counts, then one line per changed resource with the attributes
// that change.
func Summary(w io.Writer, d *planparse.Diff, c Colors) {
	if !d.HasChanges() {
		fmt.Fprintln(w, c.Bold("karma: no changes."))
		return
	}
	fmt.Fprintf(w, "%s %s\n", c.Bold("karma: resource changes:"), Counts(d.Summary))
	for i, ch := range d.Changes {
		if i == summaryLimit {
			fmt.Fprintf(w, "  … and %d more\n", len(d.Changes)-summaryLimit)
			break
		}
		fmt.Fprintf(w, "  %s %s%s\n", colorSymbol(c, ch.Action, fmt.Sprintf("%3s", Symbol(ch))), ch.Address, summaryNote(ch))
	}
	for _, o := range d.Outputs {
		fmt.Fprintf(w, "  %s output.%s\n", fmt.Sprintf("%3s", outputSymbol(o.Action)), o.Name)
	}
}

func summaryNote(c planparse.Change) string {
	switch c.Action {
	case planparse.ActionMove:
		return " (moved from " + c.PreviousAddress + ")"
	case planparse.ActionImport:
		return " (import " + c.Importing.ID + ")"
	case planparse.ActionForget:
		return " (removed from state, not destroyed)"
	case planparse.ActionUpdate, planparse.ActionReplace:
		return ": " + strings.Join(attributeNames(c), ", ")
	}
	return ""
}

// attributeNames lists the top-level attributes a change touches, marking
// those that force replacement.
func attributeNames(c planparse.Change) []string {
	var names []string
	seen := map[string]bool{}
	for _, a := range c.Attributes {
		name := topLevel(a.Path)
		if a.ForcesReplacement {
			name += " (forces replacement)"
		}
		if !seen[name] {
			seen[name] = true
			names = append(names, name)
		}
	}
	return names
}

func topLevel(path string) string {
	if i := strings.IndexAny(path, ".["); i > 0 {
		return path[:i]
	}
	return path
}

func outputSymbol(a planparse.Action) string {
	switch a {
	case planparse.ActionCreate:
		return "+"
	case planparse.ActionDelete:
		return "-"
	}
	return "~"
}
