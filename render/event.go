package render

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
)

// Event writes one event in full for a person: who, when, where, what was
// planned (the diff, rendered as karma review renders it), what each change
// came to, and for an apply that did not finish, what to do next.
func Event(w io.Writer, ev *audit.Event, diff *planparse.Diff, c Colors) error {
	var b strings.Builder
	eventHeader(&b, ev, c)
	if diff != nil && (ev.Action == audit.ActionPlan || ev.Status == audit.StatusRejected) {
		_ = (Text{Colors: c}).Render(&b, diff)
	} else if diff != nil {
		fmt.Fprintf(&b, "\n%s\n", c.Bold("Planned:"))
		_ = (Text{Colors: c}).Render(&b, diff)
	}
	if isApply(ev) && ev.Status != audit.StatusNoChanges && ev.Status != audit.StatusRejected {
		results(&b, ev, diff, c)
	}
	if unfinished(ev) {
		forensics(&b, ev, c)
	}
	for _, d := range ev.Diagnostics {
		b.WriteString("\n")
		WriteDiagnostic(&b, Diagnostic{Severity: d.Severity, Summary: d.Summary, Detail: d.Detail, Address: d.Address}, c)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func isApply(ev *audit.Event) bool {
	return ev.Action == audit.ActionApply || ev.Action == audit.ActionDestroy
}

// unfinished is an apply that stopped before every planned change was made.
func unfinished(ev *audit.Event) bool {
	switch ev.Status {
	case audit.StatusFailed, audit.StatusInterrupted, audit.StatusAbandoned:
		return isApply(ev)
	}
	return false
}

func eventHeader(b *strings.Builder, ev *audit.Event, c Colors) {
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(tw, "%s\t%s\n", c.Bold(k), v)
		}
	}
	row("event", fmt.Sprintf("%s (seq %d)", ev.ID, ev.Seq))
	row("time", ev.Timestamp.UTC().Format("2006-01-02 15:04:05.000Z"))
	row("action", strings.Join(nonEmpty(ev.Action, statusText(ev, c), exitText(ev), durationText(ev)), " · "))
	row("run", ev.RunID)
	row("plan event", ev.PlanEvent)
	row("who", strings.Join(nonEmpty(ev.User, labeled("from", ev.Source), ciText(ev.CI)), " "))
	row("where", strings.Join(nonEmpty(labeled("component", ev.Component), labeled("workspace", ev.Workspace), ev.WorkingDir, labeled("host", ev.Host)), " · "))
	row("git", gitText(ev.Git))
	row("terraform", ev.TerraformVersion)
	row("mode", planModeText(ev.PlanMode))
	row("targets", strings.Join(ev.Targets, " "))
	row("replace", strings.Join(ev.Replace, " "))
	for i, line := range inputLines(ev.Inputs) {
		if i == 0 {
			row("inputs", line)
		} else {
			row("", line)
		}
	}
	row("error", ev.Error)
	for i, o := range nonEmpty(obj("plan", ev.Plan), obj("diff", ev.Diff), obj("pre_state", ev.PreState), obj("post_state", ev.PostState)) {
		if i == 0 {
			row("objects", o)
		} else {
			row("", o)
		}
	}
	tw.Flush()
}

func statusText(ev *audit.Event, c Colors) string {
	switch ev.Status {
	case audit.StatusFailed, audit.StatusErrored, audit.StatusInterrupted, audit.StatusAbandoned, audit.StatusRejected:
		return c.Red(ev.Status)
	case audit.StatusApplied:
		return c.Green(ev.Status)
	}
	return ev.Status
}

func exitText(ev *audit.Event) string {
	if ev.ExitCode == nil {
		return ""
	}
	return fmt.Sprintf("exit %d", *ev.ExitCode)
}

func durationText(ev *audit.Event) string {
	if ev.DurationMS == 0 {
		return ""
	}
	return fmt.Sprintf("%d ms", ev.DurationMS)
}

func ciText(ci *audit.CI) string {
	if ci == nil {
		return ""
	}
	return "(" + strings.Join(nonEmpty(ci.Provider, ci.Job, ci.RunURL), " ") + ")"
}

func gitText(g *audit.Git) string {
	if g == nil {
		return ""
	}
	commit := g.Commit
	if len(commit) > 12 {
		commit = commit[:12]
	}
	dirty := ""
	if g.Dirty {
		dirty = "(uncommitted changes)"
	}
	return strings.Join(nonEmpty(g.Branch, commit, dirty, g.Remote), " ")
}

func planModeText(mode string) string {
	if mode == "" || mode == "normal" {
		return ""
	}
	return mode
}

func inputLines(inputs map[string]any) []string {
	names := make([]string, 0, len(inputs))
	for n := range inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	lines := make([]string, 0, len(names))
	for _, n := range names {
		v := inputs[n]
		text := "(sensitive value)"
		if v != planparse.Redacted {
			text = strings.ReplaceAll(Value(v, 0), "\n", " ")
		}
		lines = append(lines, n+" = "+text)
	}
	return lines
}

func obj(name, digest string) string {
	if digest == "" {
		return ""
	}
	return fmt.Sprintf("%-10s %s", name, digest)
}

// labeled is "label value", or "" when there is no value.
func labeled(label, value string) string {
	if value == "" {
		return ""
	}
	return label + " " + value
}

func nonEmpty(parts ...string) []string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}

// results lists what became of each planned change.
func results(b *strings.Builder, ev *audit.Event, diff *planparse.Diff, c Colors) {
	if len(ev.Changes) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", c.Bold("Results:"))
	symbols := map[string]string{}
	if diff != nil {
		for _, ch := range diff.Changes {
			symbols[ch.Address] = Symbol(ch)
		}
	}
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	for _, ch := range ev.Changes {
		took := ""
		if ch.DurationMS != nil {
			took = fmt.Sprintf("%d ms", *ch.DurationMS)
		}
		fmt.Fprintf(tw, "  %s\t%3s %s\t%s\n", resultText(ch.Result, c), symbols[ch.Address], ch.Address, took)
	}
	tw.Flush()
}

func resultText(result string, c Colors) string {
	switch result {
	case audit.ResultApplied:
		return c.Green(result)
	case audit.ResultFailed:
		return c.Red(result)
	}
	return c.Yellow(result)
}

// forensics says what an unfinished apply left behind and how to finish it.
func forensics(b *strings.Builder, ev *audit.Event, c Colors) {
	var applied, failed, skipped []string
	for _, ch := range ev.Changes {
		switch ch.Result {
		case audit.ResultApplied:
			applied = append(applied, ch.Address)
		case audit.ResultFailed:
			failed = append(failed, ch.Address)
		default:
			skipped = append(skipped, ch.Address)
		}
	}
	why := map[string]string{}
	for _, d := range ev.Diagnostics {
		if d.Severity == "error" && d.Address != "" && why[d.Address] == "" {
			why[d.Address] = d.Summary
		}
	}
	fmt.Fprintf(b, "\n%s the apply %s before it finished:\n", c.Bold("What happened:"), ev.Status)
	fmt.Fprintf(b, "  planned     %d change(s)\n", len(ev.Changes))
	fmt.Fprintf(b, "  applied     %d%s\n", len(applied), listText(applied))
	fmt.Fprintf(b, "  failed      %d%s\n", len(failed), reasonsText(failed, why))
	fmt.Fprintf(b, "  never ran   %d%s\n", len(skipped), listText(skipped))
	fmt.Fprintf(b, "  tainted     %d%s\n", len(ev.Tainted), listText(ev.Tainted))
	unfinishedAddrs := append(append([]string{}, failed...), skipped...)
	if len(unfinishedAddrs) == 0 {
		return
	}
	fmt.Fprintf(b, "\n%s\n", c.Bold("To finish:"))
	b.WriteString("  karma apply                       # plans again: replaces what is tainted, makes what never ran\n")
	fmt.Fprintf(b, "  karma apply %s  # only what did not complete\n", flagList("-target", unfinishedAddrs))
	if notTainted := minus(failed, ev.Tainted); len(notTainted) > 0 {
		fmt.Fprintf(b, "  karma apply %s  # start again from new objects where the failure left them half-made\n", flagList("-replace", notTainted))
	}
}

func listText(addrs []string) string {
	if len(addrs) == 0 {
		return ""
	}
	return ": " + strings.Join(addrs, ", ")
}

func reasonsText(addrs []string, why map[string]string) string {
	if len(addrs) == 0 {
		return ""
	}
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = a
		if why[a] != "" {
			parts[i] += " (" + why[a] + ")"
		}
	}
	return ": " + strings.Join(parts, ", ")
}

func flagList(flag string, addrs []string) string {
	parts := make([]string, len(addrs))
	for i, a := range addrs {
		parts[i] = flag + "=" + shellQuote(a)
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes an address for a shell when it holds characters a shell
// would read (for_each keys: terraform_data.x["a"]).
func shellQuote(s string) string {
	if strings.ContainsAny(s, `"[]* $'`) {
		return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
	}
	return s
}

func minus(all, remove []string) []string {
	drop := map[string]bool{}
	for _, r := range remove {
		drop[r] = true
	}
	var out []string
	for _, a := range all {
		if !drop[a] {
			out = append(out, a)
		}
	}
	return out
}
