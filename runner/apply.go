package runner

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
)

// applyWaitDelay is how long terraform-exec waits, after the interrupt, for
// terraform to finish what is in progress before killing it.
const applyWaitDelay = 10 * time.Minute

// postStateTimeout bounds reading the state after an apply: an interrupted
// run is often one a CI runner is about to kill.
const postStateTimeout = 60 * time.Second

// ErrApprovalNeeded is returned when an apply would have to ask for approval
// but nobody can answer.
var ErrApprovalNeeded = errors.New("apply needs approval, but stdin is not a terminal")

// Apply plans (unless planFile names a saved plan), records the plan, asks for
// approval as terraform does, applies exactly the recorded plan, and records
// the result. With f.Destroy it is Destroy.
func (r *Runner) Apply(ctx context.Context, f Flags, planFile string) error {
	verb := "apply"
	if f.Destroy {
		verb = "destroy"
	}
	if planFile == "" && !f.AutoApprove && !r.Interactive {
		return fmt.Errorf("%w: pass -auto-approve to %s without asking (nothing was planned or recorded)", ErrApprovalNeeded, verb)
	}
	run, err := r.start(ctx, verb)
	if err != nil {
		return err
	}
	defer run.close()
	return run.finish(run.applyRun(ctx, f, planFile))
}

// applyRun is the body of an apply: plan or read the saved plan, approve,
// apply, record.
func (run *run) applyRun(ctx context.Context, f Flags, planFile string) error {
	var p *planned
	var err error
	if planFile != "" {
		p, err = run.savedPlan(ctx, f, planFile)
	} else {
		p, err = run.plan(ctx, f)
	}
	if err != nil {
		return err
	}
	run.printSummary(p)
	action := applyAction(p.mode)
	if !p.changes {
		return run.finishWithoutApply(p, action, audit.StatusNoChanges, nil)
	}
	if planFile == "" && !f.AutoApprove && !run.approve(p.mode) {
		return run.finishWithoutApply(p, action, audit.StatusRejected, errors.New("apply cancelled: the plan was not approved"))
	}
	if run.interrupted() {
		return run.finishWithoutApply(p, action, audit.StatusRejected, errors.New("interrupted before terraform apply started; nothing was applied"))
	}
	if err := run.requireMirror(); err != nil {
		return run.finishWithoutApply(p, action, audit.StatusRejected, err)
	}
	return run.apply(ctx, f, p, action)
}

func applyAction(mode string) string {
	if mode == ModeDestroy {
		return audit.ActionDestroy
	}
	return audit.ActionApply
}

// approve asks for approval as terraform does: only "yes" approves. A
// signal while it waits is a no.
func (run *run) approve(mode string) bool {
	question := "Do you want to perform these actions?\n  Terraform will perform the actions described above."
	if mode == ModeDestroy {
		question = "Do you really want to destroy all resources?\n  Terraform will destroy all your managed infrastructure, as shown above.\n  There is no undo."
	}
	fmt.Fprintf(run.Stderr, "\n%s\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: ", run.Colors.Bold(question))
	answers := make(chan string, 1)
	go func() {
		answer, _ := bufio.NewReader(run.Stdin).ReadString('\n')
		answers <- answer
	}()
	ctx, stop := run.operation(context.Background(), "approval")
	defer stop()
	select {
	case answer := <-answers:
		fmt.Fprintln(run.Stderr)
		return strings.TrimSpace(answer) == "yes"
	case <-ctx.Done():
		return false
	}
}

// finishWithoutApply records the apply event of a run that applied nothing:
// there was nothing to apply, or the plan was not approved.
func (run *run) finishWithoutApply(p *planned, action, status string, reason error) error {
	ev := run.applyEvent(p, action, status)
	ev.ExitCode = intPtr(0)
	if reason != nil {
		ev.Error = reason.Error()
		ev.ExitCode = intPtr(1)
	}
	if err := run.record(ev); err != nil {
		return err
	}
	fmt.Fprintf(run.Stderr, "karma: recorded %s %s (event %s)\n", action, status, ev.ID)
	if reason != nil {
		return &ExitError{Code: 1, Err: reason}
	}
	return nil
}

// applyEvent starts the apply event of a plan, linked to the plan's event and
// documents.
func (run *run) applyEvent(p *planned, action, status string) *audit.Event {
	ev := run.event(action, status)
	pe := p.event
	ev.PlanEvent, ev.PlanMode, ev.Targets, ev.Replace = pe.ID, pe.PlanMode, pe.Targets, pe.Replace
	ev.Inputs, ev.Summary, ev.Changes = pe.Inputs, pe.Summary, pe.Changes
	ev.Plan, ev.Diff, ev.PreState, ev.PlanFile = pe.Plan, pe.Diff, pe.PreState, pe.PlanFile
	ev.TerraformVersion = pe.TerraformVersion
	return ev
}

// apply runs terraform apply on the saved plan, streaming its output, then
// records what happened to every planned change and the state it left.
func (run *run) apply(ctx context.Context, f Flags, p *planned, action string) error {
	tf, err := run.terraform(ctx)
	if err != nil {
		return err
	}
	// A graceful stop waits for what is in progress; terraform-exec must not
	// kill terraform before it has saved state and released its lock.
	_ = tf.SetWaitDelay(applyWaitDelay)
	started := time.Now()
	stream := newUIStream(run.Stdout, run.Stderr, run.Colors, run.secrets)
	stream.destroy = p.mode == ModeDestroy
	restore := withOutput(tf, nil, run.Stderr)
	opCtx, done := run.operation(ctx, action)
	err = tf.ApplyJSON(opCtx, stream, f.applyOptions(p.file)...)
	done()
	restore()
	stream.Close()

	ev := run.applyEvent(p, action, audit.StatusApplied)
	code := 0
	if err != nil {
		ev.Status, code = run.interruptedStatus(audit.StatusFailed), exitCode(err)
	}
	ev.ExitCode = intPtr(code)
	ev.DurationMS = durationMS(started)
	ev.Diagnostics = stream.Diagnostics()
	postCtx, cancel := context.WithTimeout(context.Background(), postStateTimeout)
	post := run.postState(postCtx, ev)
	cancel()
	ev.Changes = applyResults(p.diff, stream, post)
	if rerr := run.record(ev); rerr != nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("terraform apply exited %d, but recording it failed: %w", code, rerr)}
	}
	if err != nil {
		return &ExitError{Code: code, Err: fmt.Errorf("terraform apply %s (exit %d); recorded as %s in event %s", failedWord(ev.Status), code, ev.Status, ev.ID)}
	}
	fmt.Fprintf(run.Stderr, "karma: recorded %s %s (event %s)\n", action, ev.Status, ev.ID)
	return nil
}

// postState reads, redacts and stores the state an apply left, and notes on
// the event why when it cannot.
func (run *run) postState(ctx context.Context, ev *audit.Event) stateIndex {
	raw, err := run.showJSON(ctx, "")
	if err == nil {
		var st *planparse.RedactedState
		if st, err = planparse.RedactState(raw, run.secrets); err == nil {
			if ev.PostState, err = run.store(st.Doc); err == nil {
				ev.Tainted = st.Tainted
				return newStateIndex(st.Addresses)
			}
		}
	}
	ev.Diagnostics = append(ev.Diagnostics, audit.Diagnostic{Severity: "warning", Summary: "karma could not record the post-apply state", Detail: err.Error()})
	return nil
}
