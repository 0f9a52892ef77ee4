package runner

import (
	"bytes"
	"fmt"
	"os"

	"github.com/usekarma/karma/render"
)

// writeStepSummary appends the plan's markdown rendering to the file named by
// GITHUB_STEP_SUMMARY, where GitHub Actions shows it on the run's page. A
// summary that cannot be written is a note on stderr, never a failed run.
func (run *run) writeStepSummary(p *planned) {
	path := run.Env("GITHUB_STEP_SUMMARY")
	if path == "" || p.diff == nil {
		return
	}
	var b bytes.Buffer
	title := fmt.Sprintf("karma %s · %s", p.event.Action, run.ctxInfo().component)
	if err := (render.Markdown{Title: title}).Render(&b, p.diff); err != nil {
		return
	}
	fmt.Fprintf(&b, "\n<sub>event %s · run %s</sub>\n\n", p.event.ID, p.event.RunID)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err == nil {
		_, err = f.Write(b.Bytes())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		fmt.Fprintf(run.Stderr, "karma: note: could not append the plan to GITHUB_STEP_SUMMARY (%s): %v\n", path, err)
	}
}
