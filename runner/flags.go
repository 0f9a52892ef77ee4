package runner

import (
	"github.com/hashicorp/terraform-exec/tfexec"
)

// Plan modes, as events record them.
const (
	ModeNormal      = "normal"
	ModeDestroy     = "destroy"
	ModeRefreshOnly = "refresh-only"
)

// Flags are terraform's plan and apply flags as the user gave them. Repeated
// flags keep their order; terraform-exec passes every -var-file before every
// -var, which karma's command line warns about when the user's order differs.
type Flags struct {
	Vars             []string
	VarFiles         []string
	Targets          []string
	Replace          []string
	Refresh          bool
	RefreshOnly      bool
	Destroy          bool
	Parallelism      int
	Lock             bool
	LockTimeout      string
	Out              string
	DetailedExitcode bool
	AutoApprove      bool
}

// DefaultFlags are terraform's defaults.
func DefaultFlags() Flags {
	return Flags{Refresh: true, Lock: true, Parallelism: 10, LockTimeout: "0s"}
}

// Mode names the plan mode the flags ask for.
func (f Flags) Mode() string {
	switch {
	case f.Destroy:
		return ModeDestroy
	case f.RefreshOnly:
		return ModeRefreshOnly
	}
	return ModeNormal
}

func (f Flags) planOptions(out string) []tfexec.PlanOption {
	opts := []tfexec.PlanOption{
		tfexec.Out(out), tfexec.Refresh(f.Refresh), tfexec.Lock(f.Lock), tfexec.LockTimeout(f.LockTimeout),
		tfexec.Parallelism(f.Parallelism), tfexec.Destroy(f.Destroy), tfexec.RefreshOnly(f.RefreshOnly),
	}
	for _, v := range f.VarFiles {
		opts = append(opts, tfexec.VarFile(v))
	}
	for _, v := range f.Vars {
		opts = append(opts, tfexec.Var(v))
	}
	for _, t := range f.Targets {
		opts = append(opts, tfexec.Target(t))
	}
	for _, r := range f.Replace {
		opts = append(opts, tfexec.Replace(r))
	}
	return opts
}

// applyOptions apply a saved plan: it carries the variables, targets and mode,
// so only locking and parallelism are passed again.
func (f Flags) applyOptions(planFile string) []tfexec.ApplyOption {
	return []tfexec.ApplyOption{
		tfexec.DirOrPlan(planFile), tfexec.Lock(f.Lock), tfexec.LockTimeout(f.LockTimeout), tfexec.Parallelism(f.Parallelism),
	}
}

// planSettings are flags that choose what to plan, which terraform refuses
// when applying a saved plan.
func (f Flags) planSettings() []string {
	var set []string
	if len(f.Vars) > 0 {
		set = append(set, "-var")
	}
	if len(f.VarFiles) > 0 {
		set = append(set, "-var-file")
	}
	if len(f.Targets) > 0 {
		set = append(set, "-target")
	}
	if len(f.Replace) > 0 {
		set = append(set, "-replace")
	}
	if f.Destroy {
		set = append(set, "-destroy")
	}
	if f.RefreshOnly {
		set = append(set, "-refresh-only")
	}
	return set
}
