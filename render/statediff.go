package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/usekarma/karma/audit"
)

// StateDiffs writes how components' recorded state changed, resource by
// resource, with the runs that changed each.
func StateDiffs(w io.Writer, diffs []*audit.ComponentDiff, c Colors) error {
	var b strings.Builder
	if len(diffs) == 0 {
		b.WriteString("No recorded state in that window.\n")
	}
	for i, d := range diffs {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s: from %s to %s\n", c.Bold("component"), d.Component, refText(d.Before), refText(d.After))
		if len(d.Resources) == 0 {
			b.WriteString("  no changes\n")
		}
		for _, r := range d.Resources {
			stateResource(&b, r, c)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func refText(r *audit.RunRef) string {
	if r == nil {
		return "nothing recorded"
	}
	return fmt.Sprintf("event %s (%s %s by %s at %s)", r.ID, r.Action, r.Status, r.User, r.Time.UTC().Format("2006-01-02 15:04:05Z"))
}

func stateResource(b *strings.Builder, r audit.ResourceDiff, c Colors) {
	fmt.Fprintf(b, "  %s %s\n", colorSymbol(c, r.Action, Symbol(r.Change)), r.Address)
	for _, a := range r.Attributes {
		fmt.Fprintf(b, "      %s: %s\n", a.Path, strings.ReplaceAll(leafText(a, r.Action, 6), "\n", "\n      "))
	}
	if len(r.Runs) == 0 {
		b.WriteString("      changed by: no recorded run (changed outside karma, or by a run before the log)\n")
	}
	for _, run := range r.Runs {
		fmt.Fprintf(b, "      changed by: %s at %s in %s %s (%s, change %s)\n", run.User, run.Time.UTC().Format("2006-01-02 15:04:05Z"),
			run.Action, run.ID, run.Status, run.Result)
	}
}
