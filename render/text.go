package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/usekarma/karma/planparse"
)

// Text writes a plan the way terraform's own plan output reads: the legend,
// one block per resource with its changed attributes, the Plan: line and the
// output changes. It works from the redacted diff, so it cannot print a value
// terraform forgot to mark sensitive.
type Text struct {
	Colors Colors
}

// Render writes d.
func (t Text) Render(w io.Writer, d *planparse.Diff) error {
	var b strings.Builder
	t.drift(&b, d)
	if len(d.Changes) == 0 && len(d.Outputs) == 0 {
		if len(d.Drift) == 0 {
			t.noChanges(&b, d)
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	if len(d.Changes) > 0 {
		t.legend(&b, d.Changes)
		b.WriteString("\nTerraform will perform the following actions:\n")
		for _, c := range d.Changes {
			b.WriteString("\n")
			t.resource(&b, c, false)
		}
		fmt.Fprintf(&b, "\n%s %s.\n", t.Colors.Bold("Plan:"), planLine(d.Summary))
	}
	t.outputs(&b, d)
	_, err := io.WriteString(w, b.String())
	return err
}

// planLine is terraform's count line: "3 to add, 0 to change, 0 to destroy",
// led by imports where there are any.
func planLine(s planparse.Summary) string {
	line := fmt.Sprintf("%d to add, %d to change, %d to destroy", s.Add, s.Change, s.Destroy)
	if s.Import > 0 {
		line = fmt.Sprintf("%d to import, ", s.Import) + line
	}
	return line
}

func (t Text) noChanges(b *strings.Builder, d *planparse.Diff) {
	if d.Errored {
		fmt.Fprintf(b, "\n%s Terraform encountered an error while generating this plan.\n\n", t.Colors.Bold(t.Colors.Red("Planning failed.")))
		return
	}
	fmt.Fprintf(b, "\n%s Your infrastructure matches the configuration.\n\n", t.Colors.Bold(t.Colors.Green("No changes.")))
	b.WriteString("Terraform has compared your real infrastructure against your configuration\nand found no differences, so no changes are needed.\n")
}

var legendLines = []struct {
	symbol, order, text string
	action              planparse.Action
}{
	{"+", "", "create", planparse.ActionCreate},
	{"~", "", "update in-place", planparse.ActionUpdate},
	{"-", "", "destroy", planparse.ActionDelete},
	{"-/+", planparse.DestroyBeforeCreate, "destroy and then create replacement", planparse.ActionReplace},
	{"+/-", planparse.CreateBeforeDestroy, "create replacement and then destroy", planparse.ActionReplace},
	{"<=", "", "read (data resources)", planparse.ActionRead},
}

func (t Text) legend(b *strings.Builder, changes []planparse.Change) {
	present := map[string]bool{}
	for _, c := range changes {
		present[string(c.Action)+c.ReplaceOrder] = true
	}
	var lines []string
	for _, l := range legendLines {
		if present[string(l.action)+l.order] {
			lines = append(lines, fmt.Sprintf("%3s %s", colorSymbol(t.Colors, l.action, l.symbol), l.text))
		}
	}
	if len(lines) == 0 {
		return
	}
	b.WriteString("\nTerraform used the selected providers to generate the following execution\nplan. Resource actions are indicated with the following symbols:\n")
	b.WriteString(strings.Join(lines, "\n") + "\n")
}

func (t Text) drift(b *strings.Builder, d *planparse.Diff) {
	if len(d.Drift) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s Objects have changed outside of Terraform\n\n", t.Colors.Bold(t.Colors.Cyan("Note:")))
	b.WriteString("Terraform detected the following changes made outside of Terraform since the\nlast \"terraform apply\" which may have affected this plan:\n")
	for _, c := range d.Drift {
		b.WriteString("\n")
		t.resource(b, c, true)
	}
	if len(d.Changes) == 0 && len(d.Outputs) == 0 {
		b.WriteString("\n\nThis is a refresh-only plan, so Terraform will not take any actions to undo\n" +
			"these. If you were expecting these changes then you can apply this plan to\n" +
			"record the updated values in the Terraform state without changing any remote\nobjects.\n")
		return
	}
	b.WriteString("\n\nUnless you have made equivalent changes to your configuration, or ignored the\n" +
		"relevant attributes using ignore_changes, the following plan may include\nactions to undo or respond to these changes.\n")
	b.WriteString("\n" + strings.Repeat("─", 77) + "\n")
}

// resource writes one change: the comment saying what will happen, then the
// block with its changed attributes.
func (t Text) resource(b *strings.Builder, c planparse.Change, drift bool) {
	for _, line := range comments(c, drift) {
		b.WriteString("  " + t.Colors.Bold(line) + "\n")
	}
	kind := "resource"
	if c.Mode == "data" {
		kind = "data"
	}
	symbol := Symbol(c)
	fmt.Fprintf(b, "%3s %s %q %q {\n", colorSymbol(t.Colors, c.Action, symbol), kind, c.Type, c.Name)
	t.attributes(b, buildTree(c.Attributes), c.Action, 6, false)
	b.WriteString("    }\n")
}

// comments are the lines terraform writes above a resource block.
func comments(c planparse.Change, drift bool) []string {
	addr := c.Address
	if c.Deposed != "" {
		addr += " (deposed object " + c.Deposed + ")"
	}
	if c.Action == planparse.ActionMove {
		return []string{"# " + c.PreviousAddress + " has moved to " + addr}
	}
	lines := []string{"# " + addr + " " + actionPhrase(c, drift)}
	if reason := reasonNote(c); reason != "" {
		lines = append(lines, reason)
	}
	if c.Moved() && c.Action != planparse.ActionMove {
		lines = append(lines, "# (moved from "+c.PreviousAddress+")")
	}
	if c.Importing != nil && c.Action != planparse.ActionImport {
		lines = append(lines, fmt.Sprintf("# (imported from %q)", c.Importing.ID))
	}
	return lines
}

func actionPhrase(c planparse.Change, drift bool) string {
	switch c.Action {
	case planparse.ActionCreate:
		return "will be created"
	case planparse.ActionRead:
		return "will be read during apply"
	case planparse.ActionUpdate:
		if drift {
			return "has changed"
		}
		return "will be updated in-place"
	case planparse.ActionDelete:
		if drift {
			return "has been deleted"
		}
		return "will be destroyed"
	case planparse.ActionReplace:
		return replacePhrase(c)
	case planparse.ActionImport:
		return "will be imported"
	case planparse.ActionForget:
		return "will no longer be managed by Terraform, but will not be destroyed"
	}
	return "has no changes"
}

func replacePhrase(c planparse.Change) string {
	switch c.ActionReason {
	case "replace_because_tainted":
		return "is tainted, so must be replaced"
	case "replace_by_request":
		return "will be replaced, as requested"
	case "replace_by_triggers":
		return "will be replaced due to changes in replace_triggered_by"
	}
	if c.ReplaceOrder == planparse.CreateThenForget {
		return "must be replaced, but the existing object will not be destroyed"
	}
	return "must be replaced"
}

func reasonNote(c planparse.Change) string {
	if c.Action == planparse.ActionForget || c.ReplaceOrder == planparse.CreateThenForget {
		return "# (destroy = false is set in the configuration)"
	}
	switch c.ActionReason {
	case "delete_because_no_resource_config":
		return fmt.Sprintf("# (because %s.%s is not in configuration)", c.Type, c.Name)
	case "delete_because_no_module":
		return fmt.Sprintf("# (because %s is not in configuration)", c.ModuleAddress)
	case "delete_because_count_index":
		return fmt.Sprintf("# (because index [%v] is out of range for count)", c.Index)
	case "delete_because_each_key":
		return fmt.Sprintf("# (because key [%q] is not in for_each map)", c.Index)
	case "delete_because_no_move_target":
		return fmt.Sprintf("# (because %s was moved to %s, which is not in configuration)", c.PreviousAddress, c.Address)
	case "read_because_config_unknown":
		return "# (config refers to values not yet known)"
	case "read_because_dependency_pending":
		return "# (depends on a resource or a module with changes pending)"
	}
	if c.Deposed != "" && c.Action == planparse.ActionDelete {
		return "# (left over from a partially-failed replacement of this instance)"
	}
	return ""
}

func (t Text) outputs(b *strings.Builder, d *planparse.Diff) {
	if len(d.Outputs) == 0 {
		return
	}
	b.WriteString("\nChanges to Outputs:\n")
	width := 0
	for _, o := range d.Outputs {
		width = max(width, len(Key(o.Name)))
	}
	for _, o := range d.Outputs {
		symbol := outputSymbol(o.Action)
		leaf := planparse.Attribute{Before: o.Before, After: o.After, Unknown: o.Unknown, Sensitive: o.Sensitive}
		fmt.Fprintf(b, "  %s %-*s = %s\n", colorSymbol(t.Colors, o.Action, symbol), width, Key(o.Name), leafText(leaf, o.Action, 2))
	}
	if len(d.Changes) == 0 {
		b.WriteString("\nYou can apply this plan to save these new output values to the Terraform\nstate, without changing any real infrastructure.\n")
	}
}
