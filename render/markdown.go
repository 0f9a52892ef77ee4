package render

import (
	"fmt"
	"html"
	"io"
	"strings"

	"github.com/usekarma/karma/planparse"
)

// Markdown writes a plan as a pull-request comment: a table of counts, a
// warning that lists what will be destroyed, then one collapsible block per
// resource with its attribute diff.
type Markdown struct {
	// Title heads the comment; empty means "Terraform plan".
	Title string
}

// Render writes d.
func (m Markdown) Render(w io.Writer, d *planparse.Diff) error {
	var b strings.Builder
	title := m.Title
	if title == "" {
		title = "Terraform plan"
	}
	fmt.Fprintf(&b, "### %s: %s\n\n", title, headline(d))
	s := d.Summary
	b.WriteString("| add | change | destroy | replace | import | move | forget | read |\n")
	b.WriteString("|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	fmt.Fprintf(&b, "| %d | %d | %d | %d | %d | %d | %d | %d |\n", s.Add, s.Change, s.Destroy, s.Replace, s.Import, s.Move, s.Forget, s.Read)
	destructive(&b, d.Changes)
	for _, c := range d.Changes {
		resourceDetails(&b, c, false)
	}
	markdownOutputs(&b, d.Outputs)
	if len(d.Drift) > 0 {
		fmt.Fprintf(&b, "\n#### Changed outside of Terraform (%d)\n", len(d.Drift))
		for _, c := range d.Drift {
			resourceDetails(&b, c, true)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func headline(d *planparse.Diff) string {
	if !d.HasChanges() {
		return "no changes"
	}
	return planLine(d.Summary)
}

// destructive puts what the plan destroys or replaces in a warning callout, so
// a reviewer cannot miss it.
func destructive(b *strings.Builder, changes []planparse.Change) {
	var lines []string
	for _, c := range changes {
		if c.Action == planparse.ActionDelete || (c.Action == planparse.ActionReplace && c.ReplaceOrder != planparse.CreateThenForget) {
			lines = append(lines, fmt.Sprintf("> - `%s` %s", c.Address, actionPhrase(c, false)))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "\n> [!WARNING]\n> This plan destroys %d resource(s):\n%s\n", len(lines), strings.Join(lines, "\n"))
}

var actionBadge = map[planparse.Action]string{
	planparse.ActionCreate:  "🟢 create",
	planparse.ActionUpdate:  "🟡 update",
	planparse.ActionDelete:  "🔴 <b>destroy</b>",
	planparse.ActionReplace: "🔴 <b>replace</b>",
	planparse.ActionRead:    "🔵 read",
	planparse.ActionMove:    "⚪ move",
	planparse.ActionImport:  "⚪ import",
	planparse.ActionForget:  "⚪ forget",
}

// resourceDetails writes one resource as a <details> block holding its
// change in a diff fence, which GitHub colours line by line.
func resourceDetails(b *strings.Builder, c planparse.Change, drift bool) {
	badge := actionBadge[c.Action]
	if drift {
		badge = "🟣 changed outside"
	}
	fmt.Fprintf(b, "\n<details><summary>%s <code>%s</code></summary>\n\n", badge, html.EscapeString(c.Address))
	var block strings.Builder
	Text{}.resource(&block, c, drift)
	body := diffLines(block.String())
	fence := codeFence(body)
	fmt.Fprintf(b, "%sdiff\n%s%s\n\n</details>\n", fence, body, fence)
}

// diffLines moves each line's change mark to the first column, where diff
// highlighting looks for it.
func diffLines(text string) string {
	var out strings.Builder
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		trimmed := strings.TrimLeft(line, " ")
		mark := " "
		switch {
		case strings.HasPrefix(trimmed, "-/+"), strings.HasPrefix(trimmed, "+/-"):
			mark = "!"
		case strings.HasPrefix(trimmed, "+"):
			mark = "+"
		case strings.HasPrefix(trimmed, "-"):
			mark = "-"
		case strings.HasPrefix(trimmed, "~"):
			mark = "!"
		}
		out.WriteString(mark + line + "\n")
	}
	return out.String()
}

// codeFence is a fence longer than any run of backticks in body.
func codeFence(body string) string {
	fence := "```"
	for strings.Contains(body, fence) {
		fence += "`"
	}
	return fence
}

func markdownOutputs(b *strings.Builder, outputs []planparse.OutputChange) {
	if len(outputs) == 0 {
		return
	}
	b.WriteString("\n#### Outputs\n\n| output | change | before | after |\n|---|---|---|---|\n")
	for _, o := range outputs {
		leaf := planparse.Attribute{Before: o.Before, After: o.After, Unknown: o.Unknown, Sensitive: o.Sensitive}
		before, after := "", ""
		switch {
		case o.Sensitive:
			after = "(sensitive value)"
			if o.Action != planparse.ActionCreate {
				before = after
			}
		default:
			if o.Before != nil {
				before = cell(Value(o.Before, 0))
			}
			after = cell(leafAfter(leaf))
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", o.Name, o.Action, before, after)
	}
}

func leafAfter(a planparse.Attribute) string {
	if a.Unknown {
		return "(known after apply)"
	}
	if a.After == nil {
		return ""
	}
	return Value(a.After, 0)
}

// cell fits a value into a table cell: one line, pipes escaped.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", `\|`)
	return "<code>" + html.EscapeString(s) + "</code>"
}
