package runner

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

// planned is a plan karma has recorded and may apply.
type planned struct {
	event   *audit.Event
	file    string
	diff    *planparse.Diff
	changes bool
	mode    string
}

// Plan runs terraform plan, records a terraform_plan event and prints a
// summary of the changes after terraform's own output. With
// -detailed-exitcode it ends with exit code 2 when there are changes.
func (r *Runner) Plan(ctx context.Context, f Flags) error {
	run, err := r.start(ctx, "plan")
	if err != nil {
		return err
	}
	defer run.close()
	p, err := run.plan(ctx, f)
	if err != nil {
		return run.finish(err)
	}
	run.printSummary(p)
	if err := run.finish(nil); err != nil {
		return err
	}
	if f.DetailedExitcode && p.changes {
		return &ExitError{Code: 2}
	}
	return nil
}

// plan runs terraform plan into a plan file, shows its progress as it goes,
// records the plan event, and shows the plan.
func (run *run) plan(ctx context.Context, f Flags) (*planned, error) {
	file := f.Out
	if file == "" {
		file = filepath.Join(run.tmpDir, "tfplan")
	} else if !filepath.IsAbs(file) {
		file = filepath.Join(run.Dir, file)
	}
	tf, err := run.terraform(ctx)
	if err != nil {
		return nil, err
	}
	started := time.Now()
	stream := newUIStream(run.Stdout, run.Stderr, run.Colors, run.secrets)
	stream.planning = true
	tail := &tailBuffer{max: 16 << 10}
	restore := withOutput(tf, nil, io.MultiWriter(run.Stderr, tail))
	opCtx, done := run.operation(ctx, audit.ActionPlan)
	changes, err := tf.PlanJSON(opCtx, stream, f.planOptions(file)...)
	done()
	restore()
	stream.Close()
	if err != nil {
		return nil, run.planFailed(f, started, err, stream.Diagnostics(), tail.String())
	}
	p := &planned{file: file, changes: changes, mode: f.Mode()}
	status := audit.StatusNoChanges
	if changes {
		status = audit.StatusPlanned
	}
	ev := run.event(audit.ActionPlan, status)
	ev.PlanMode, ev.Targets, ev.Replace = p.mode, f.Targets, f.Replace
	if f.Out != "" {
		if ev.PlanFile, err = planFileOf(file); err != nil {
			return nil, err
		}
	}
	if err := run.readPlan(ctx, p, ev); err != nil {
		return nil, err
	}
	ev.DurationMS = durationMS(started)
	ev.ExitCode = intPtr(0)
	if err := (render.Text{Colors: run.Colors}).Render(run.Stdout, p.diff); err != nil {
		return nil, err
	}
	if err := run.record(ev); err != nil {
		return nil, fmt.Errorf("%w; the plan was not recorded, so nothing will be applied", err)
	}
	p.event = ev
	return p, nil
}

// readPlan reads the plan file through terraform show -json, redacts it, stores
// its documents and fills in the plan event.
func (run *run) readPlan(ctx context.Context, p *planned, ev *audit.Event) error {
	raw, err := run.showJSON(ctx, p.file)
	if err != nil {
		return fmt.Errorf("read plan %s: %w", p.file, err)
	}
	rec, err := planparse.Redact(raw)
	if err != nil {
		return fmt.Errorf("read plan %s: %w", p.file, err)
	}
	run.secrets.Merge(rec.Secrets)
	diffDoc, err := json.Marshal(rec.Diff)
	if err != nil {
		return fmt.Errorf("encode diff: %w", err)
	}
	for _, o := range []struct {
		doc  []byte
		into *string
	}{{rec.Plan, &ev.Plan}, {diffDoc, &ev.Diff}, {rec.PriorState, &ev.PreState}} {
		if *o.into, err = run.store(o.doc); err != nil {
			return fmt.Errorf("%w; nothing will be applied", err)
		}
	}
	p.diff = rec.Diff
	ev.Inputs = rec.Inputs
	ev.Summary = &rec.Diff.Summary
	ev.Changes = audit.ChangesOf(rec.Diff)
	ev.TerraformVersion = rec.Diff.TerraformVersion
	return nil
}

// planFailed records a plan terraform could not make, and says so in one line.
// The event keeps terraform's diagnostics, or what it wrote to stderr when it
// gave none.
func (run *run) planFailed(f Flags, started time.Time, err error, diags []audit.Diagnostic, stderr string) error {
	code := exitCode(err)
	ev := run.event(audit.ActionPlan, run.interruptedStatus(audit.StatusErrored))
	ev.PlanMode, ev.Targets, ev.Replace = f.Mode(), f.Targets, f.Replace
	ev.DurationMS = durationMS(started)
	ev.ExitCode = intPtr(code)
	ev.TerraformVersion = run.terraformVersion()
	run.secrets.Merge(flagSecrets(f, run.Env))
	ev.Diagnostics = diags
	if len(diags) == 0 {
		ev.Diagnostics = []audit.Diagnostic{{Severity: "error", Summary: "terraform plan failed", Detail: strings.TrimSpace(stderr)}}
	}
	if rerr := run.record(ev); rerr != nil {
		return &ExitError{Code: code, Err: fmt.Errorf("terraform plan failed (exit %d), and recording it failed: %w", code, rerr)}
	}
	return &ExitError{Code: code, Err: fmt.Errorf("terraform plan %s (exit %d); recorded as %s in event %s", failedWord(ev.Status), code, ev.Status, ev.ID)}
}

func failedWord(status string) string {
	if status == audit.StatusInterrupted {
		return "was interrupted"
	}
	return "failed"
}

// flagSecrets treats every -var and TF_VAR_ value as a secret. When a plan
// fails there is no configuration to say which variables are sensitive, and
// terraform's error output is kept in the event.
func flagSecrets(f Flags, env Env) *planparse.Secrets {
	s := &planparse.Secrets{}
	for _, v := range f.Vars {
		if _, value, ok := strings.Cut(v, "="); ok {
			s.Add(value)
		}
	}
	for _, kv := range os.Environ() {
		if name, _, ok := strings.Cut(kv, "="); ok && strings.HasPrefix(name, "TF_VAR_") {
			s.Add(env(name))
		}
	}
	return s
}

// terraformVersion is terraform's version, for events that have no plan.
func (run *run) terraformVersion() string {
	tf, err := run.terraform(context.Background())
	if err != nil {
		return ""
	}
	v, _, err := tf.Version(context.Background(), false)
	if err != nil {
		return ""
	}
	return v.String()
}

func (run *run) printSummary(p *planned) {
	fmt.Fprintln(run.Stdout)
	render.Summary(run.Stdout, p.diff, run.Colors)
	run.writeStepSummary(p)
	fmt.Fprintf(run.Stderr, "karma: recorded %s %s (event %s, run %s)\n", p.event.Action, p.event.Status, p.event.ID, p.event.RunID)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	max int
	buf []byte
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailBuffer) String() string { return string(t.buf) }
