package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
)

func TestApplyRecordsPlanAndApply(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")

	res := w.karma("apply", "-auto-approve")

	require.Equal(t, 0, res.Code, res.Output())
	assert.Contains(t, res.Stdout, "Apply complete! Resources: 2 added, 0 changed, 0 destroyed.", "terraform's own output streams through")
	assert.Contains(t, res.Stdout, "karma: resource changes: 2 to add, 0 to change, 0 to destroy")
	evs := w.events()
	require.Len(t, evs, 2)
	plan, apply := evs[0], evs[1]

	assert.Equal(t, audit.ActionPlan, plan.Action)
	assert.Equal(t, audit.StatusPlanned, plan.Status)
	assert.Equal(t, audit.ActionApply, apply.Action)
	assert.Equal(t, audit.StatusApplied, apply.Status)
	assert.Equal(t, plan.RunID, apply.RunID, "one invocation, one run")
	assert.Equal(t, plan.ID, apply.PlanEvent)
	assert.Equal(t, 2, plan.Summary.Add)
	assert.Equal(t, map[string]any{"greeting": "hello", "zones": []any{"eu-1a"}}, plan.Inputs)
	assert.Equal(t, "basic", plan.Component)
	assert.Equal(t, "cli", plan.Source)
	assert.NotEmpty(t, plan.User)
	assert.NotEmpty(t, plan.TerraformVersion)
	assert.Equal(t, "default", plan.Workspace)
	assert.Equal(t, w.dir, plan.WorkingDir)
	require.NotNil(t, apply.ExitCode)
	assert.Equal(t, 0, *apply.ExitCode)

	require.Len(t, apply.Changes, 2)
	for _, c := range apply.Changes {
		assert.Equal(t, "create", c.Action, c.Address)
		assert.Equal(t, audit.ResultApplied, c.Result, c.Address)
	}
	assert.Equal(t, []string{"terraform_data.greeting", "terraform_data.zones"}, []string{apply.Changes[0].Address, apply.Changes[1].Address})

	assert.Equal(t, audit.Genesis, plan.PrevHash)
	assert.Equal(t, plan.Hash, apply.PrevHash, "the apply event links to the plan event")
	assert.Contains(t, w.object(apply.PostState), `"terraform_data.greeting"`, "post-state is stored")
	assert.Contains(t, w.object(plan.Plan), `"resource_changes"`, "the redacted plan is stored")
	assert.Contains(t, w.stateFile(), `"terraform_data"`, "terraform really applied")
}

func TestApplyWithNoChangesAppliesNothing(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)

	res := w.karma("apply", "-auto-approve")

	require.Equal(t, 0, res.Code, res.Output())
	assert.Contains(t, res.Stdout, "karma: no changes.")
	assert.NotContains(t, res.Stdout, "Apply complete!", "terraform apply is not run")
	evs := w.events()
	require.Len(t, evs, 4)
	assert.Equal(t, audit.StatusNoChanges, evs[2].Status)
	assert.Equal(t, audit.ActionApply, evs[3].Action)
	assert.Equal(t, audit.StatusNoChanges, evs[3].Status)
	assert.Empty(t, evs[3].PostState, "nothing applied, so no post-state")
}

func TestPlanDetailedExitcode(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")

	changes := w.karma("plan", "-detailed-exitcode")
	plain := w.karma("plan")
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)
	none := w.karma("plan", "-detailed-exitcode")

	assert.Equal(t, 2, changes.Code, changes.Output())
	assert.Equal(t, 0, plain.Code, "without -detailed-exitcode changes exit 0")
	assert.Equal(t, 0, none.Code, none.Output())
	evs := w.events()
	require.Len(t, evs, 5)
	assert.Equal(t, audit.StatusPlanned, evs[0].Status)
	assert.Equal(t, audit.StatusNoChanges, evs[4].Status)
	for _, ev := range []audit.Event{evs[0], evs[1], evs[4]} {
		assert.Equal(t, audit.ActionPlan, ev.Action)
	}
}

func TestVarValuesPassThroughUntouched(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")

	res := w.karma("plan", "-var", `zones=["eu-1a","eu-1b"]`, "-var", "greeting=first", "-var=greeting=second")

	require.Equal(t, 0, res.Code, res.Output())
	inputs := w.events()[0].Inputs
	assert.Equal(t, []any{"eu-1a", "eu-1b"}, inputs["zones"], "commas inside a -var value are kept")
	assert.Equal(t, "second", inputs["greeting"], "repeated -var keep their order: the last wins")
}

func TestApplyFailureIsRecordedPerResource(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "failing")

	res := w.karma("apply", "-auto-approve")

	assert.Equal(t, 1, res.Code, "terraform's exit code")
	assert.Contains(t, res.Stderr, "Error: local-exec provisioner error", "terraform's diagnostic is shown")
	assert.Contains(t, lines(res.Stderr)[len(lines(res.Stderr))-1], "karma: terraform apply failed (exit 1); recorded as failed in event")
	evs := w.events()
	require.Len(t, evs, 2)
	apply := evs[1]
	assert.Equal(t, audit.StatusFailed, apply.Status)
	require.NotNil(t, apply.ExitCode)
	assert.Equal(t, 1, *apply.ExitCode)
	results := map[string]string{}
	for _, c := range apply.Changes {
		results[c.Address] = c.Result
	}
	assert.Equal(t, map[string]string{
		"terraform_data.first":       audit.ResultApplied,
		"terraform_data.breaks":      audit.ResultFailed,
		"terraform_data.after":       audit.ResultSkipped,
		"terraform_data.independent": audit.ResultApplied,
	}, results)
	require.NotEmpty(t, apply.Diagnostics)
	assert.Equal(t, "error", apply.Diagnostics[0].Severity)
	assert.Equal(t, "local-exec provisioner error", apply.Diagnostics[0].Summary)
	assert.Equal(t, "terraform_data.breaks", apply.Diagnostics[0].Address)
	assert.Contains(t, apply.Diagnostics[0].Detail, "exit status 7")
	assert.Equal(t, []string{"terraform_data.breaks"}, apply.Tainted)
	assert.Contains(t, w.object(apply.PostState), `"terraform_data.first"`, "post-state is recorded even when the apply failed")
}

func TestApplySavedPlanFile(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("plan", "-out=tfplan").Code)

	res := w.karma("apply", "tfplan")

	require.Equal(t, 0, res.Code, res.Output())
	evs := w.events()
	require.Len(t, evs, 2, "the plan event karma plan recorded is reused")
	assert.Equal(t, audit.ActionPlan, evs[0].Action)
	require.NotNil(t, evs[0].PlanFile)
	assert.Equal(t, filepath.Join(w.dir, "tfplan"), evs[0].PlanFile.Path)
	assert.Equal(t, audit.StatusApplied, evs[1].Status)
	assert.Equal(t, evs[0].ID, evs[1].PlanEvent)
	assert.Equal(t, evs[0].Plan, evs[1].Plan)
}

func TestApplyPlanFileMadeByTerraform(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	terraformIn(t, w.dir, "plan", "-out=tf.plan", "-input=false")

	res := w.karma("apply", "tf.plan")

	require.Equal(t, 0, res.Code, res.Output())
	evs := w.events()
	require.Len(t, evs, 2)
	assert.Equal(t, audit.StatusPlanned, evs[0].Status, "karma records the plan it was given")
	assert.Equal(t, 2, evs[0].Summary.Add)
	assert.Equal(t, audit.StatusApplied, evs[1].Status)
}

func TestApplyRefusesPlanFromAnotherConfiguration(t *testing.T) {
	t.Parallel()
	other := newWorkspace(t, "failing")
	terraformIn(t, other.dir, "plan", "-out=other.plan", "-input=false")
	w := newWorkspace(t, "basic")

	res := w.karma("apply", filepath.Join(other.dir, "other.plan"))

	assert.Equal(t, 1, res.Code)
	assert.Len(t, lines(res.Stderr), 1, res.Stderr)
	assert.Contains(t, res.Stderr, "was made from other configuration files than those in "+w.dir)
	assert.Empty(t, w.stateFile(), "nothing was applied")
	evs := w.events()
	require.Len(t, evs, 1, "only the refusal is recorded")
	assert.Equal(t, audit.StatusRejected, evs[0].Status)
}

func TestApplyRefusesAPlanFileChangedSinceRecorded(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("plan", "-out=tfplan").Code)
	terraformIn(t, w.dir, "plan", "-out=tfplan", "-var=greeting=swapped", "-input=false")

	res := w.karma("apply", "tfplan")

	assert.Equal(t, 1, res.Code)
	assert.Contains(t, res.Stderr, "changed since karma recorded it")
	assert.Empty(t, w.stateFile(), "nothing was applied")
	evs := w.events()
	require.Len(t, evs, 2)
	assert.Equal(t, audit.StatusRejected, evs[1].Status)
	assert.Equal(t, evs[0].ID, evs[1].PlanEvent)
}

func TestDestroyIsRecorded(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)

	res := w.karma("destroy", "-auto-approve")

	require.Equal(t, 0, res.Code, res.Output())
	assert.Contains(t, res.Stdout, "Destroy complete! Resources: 2 destroyed.")
	evs := w.events()
	require.Len(t, evs, 4)
	assert.Equal(t, "destroy", evs[2].PlanMode)
	assert.Equal(t, 2, evs[2].Summary.Destroy)
	assert.Equal(t, audit.ActionDestroy, evs[3].Action)
	assert.Equal(t, audit.StatusApplied, evs[3].Status)
	for _, c := range evs[3].Changes {
		assert.Equal(t, "delete", c.Action)
		assert.Equal(t, audit.ResultApplied, c.Result)
	}
}

func TestApplyWithoutTerminalNeedsAutoApprove(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")

	res := w.karmaIn("yes\n", "apply")

	assert.Equal(t, 1, res.Code)
	assert.Equal(t, []string{"karma: apply needs approval, but stdin is not a terminal: pass -auto-approve to apply without asking (nothing was planned or recorded)"}, lines(res.Stderr))
	assert.Empty(t, w.events())
	assert.Empty(t, w.stateFile())
}

func TestTFWorkspaceIsHonoured(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	terraformIn(t, w.dir, "workspace", "new", "staging")
	terraformIn(t, w.dir, "workspace", "select", "default")
	w.env = []string{"TF_WORKSPACE=staging"}

	res := w.karma("apply", "-auto-approve")

	require.Equal(t, 0, res.Code, res.Output())
	evs := w.events()
	require.Len(t, evs, 2)
	assert.Equal(t, "staging", evs[0].Workspace)
	assert.FileExists(t, filepath.Join(w.dir, "terraform.tfstate.d", "staging", "terraform.tfstate"), "applied in the staging workspace")
	assert.Empty(t, w.stateFile(), "the default workspace is untouched")
	env, err := os.ReadFile(filepath.Join(w.dir, ".terraform", "environment"))
	require.NoError(t, err)
	assert.Equal(t, "default", string(env), "the selected workspace is put back")
}
