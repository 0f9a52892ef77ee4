package audit

import (
	"github.com/usekarma/karma/planparse"
)

// Schema is the version of the event format written by this karma.
const Schema = 1

// Actions an event records.
const (
	ActionPlan        = "terraform_plan"
	ActionApply       = "terraform_apply"
	ActionDestroy     = "terraform_destroy"
	ActionLogRepaired = "log_repaired"
)

// Statuses an event can have.
const (
	StatusPlanned     = "planned"
	StatusNoChanges   = "no_changes"
	StatusApplied     = "applied"
	StatusFailed      = "failed"
	StatusInterrupted = "interrupted"
	StatusRejected    = "rejected"
	StatusErrored     = "errored"
	StatusAbandoned   = "abandoned"
	StatusRepaired    = "repaired"
)

// Results of one planned change in an apply.
const (
	ResultApplied = "applied"
	ResultFailed  = "failed"
	ResultSkipped = "skipped"
)

// Event is one line of the log. The seed fields (timestamp, action, component,
// user, source, inputs, status) stay at the top level. The hash chain fields
// come last, so the hash covers everything before it.
type Event struct {
	Schema    int    `json:"schema"`
	Chain     string `json:"chain"`
	Seq       int64  `json:"seq"`
	ID        string `json:"id"`
	Timestamp Time   `json:"timestamp"`
	RunID     string `json:"run_id"`
	Action    string `json:"action"`
	Status    string `json:"status"`
	Component string `json:"component"`
	User      string `json:"user"`
	Source    string `json:"source"`

	Inputs      map[string]any     `json:"inputs,omitempty"`
	PlanMode    string             `json:"plan_mode,omitempty"`
	Targets     []string           `json:"targets,omitempty"`
	Replace     []string           `json:"replace,omitempty"`
	Summary     *planparse.Summary `json:"summary,omitempty"`
	Changes     []Change           `json:"changes,omitempty"`
	Tainted     []string           `json:"tainted,omitempty"`
	Diagnostics []Diagnostic       `json:"diagnostics,omitempty"`
	Error       string             `json:"error,omitempty"`

	Plan      string    `json:"plan,omitempty"`
	Diff      string    `json:"diff,omitempty"`
	PreState  string    `json:"pre_state,omitempty"`
	PostState string    `json:"post_state,omitempty"`
	PlanFile  *PlanFile `json:"plan_file,omitempty"`
	// PlanEvent is, on an apply event, the id of the plan event it applied.
	PlanEvent string `json:"plan_event,omitempty"`

	TerraformVersion string `json:"terraform_version,omitempty"`
	Workspace        string `json:"workspace,omitempty"`
	WorkingDir       string `json:"working_dir,omitempty"`
	Git              *Git   `json:"git,omitempty"`
	CI               *CI    `json:"ci,omitempty"`
	Host             string `json:"host,omitempty"`
	DurationMS       int64  `json:"duration_ms"`
	ExitCode         *int   `json:"exit_code,omitempty"`

	// Detail carries what an event of a non-terraform action says
	// (log_repaired: which bytes were moved where).
	Detail map[string]any `json:"detail,omitempty"`

	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash,omitempty"`
}

// Change is one resource change as an event records it. Result is set on apply
// events: applied, failed, or skipped (never started).
type Change struct {
	Address      string        `json:"address"`
	Action       string        `json:"action"`
	Paths        []string      `json:"paths,omitempty"`
	Result       string        `json:"result,omitempty"`
	DurationMS   *int64        `json:"duration_ms,omitempty"`
	Provisioners []Provisioner `json:"provisioners,omitempty"`
}

// Provisioner is what one provisioner of a resource came to in an apply:
// completed or errored (or started, when the apply stopped during it).
type Provisioner struct {
	Type   string `json:"type"`
	Result string `json:"result"`
}

// Diagnostic is one of terraform's errors or warnings.
type Diagnostic struct {
	Severity string `json:"severity"`
	Summary  string `json:"summary"`
	Detail   string `json:"detail,omitempty"`
	Address  string `json:"address,omitempty"`
	Range    string `json:"range,omitempty"`
}

// PlanFile identifies a saved binary plan: where it was and its digest.
type PlanFile struct {
	Path   string `json:"path"`
	Digest string `json:"digest"`
}

// Git is the state of the repository the configuration lives in.
type Git struct {
	Commit string `json:"commit,omitempty"`
	Branch string `json:"branch,omitempty"`
	Dirty  bool   `json:"dirty"`
	Remote string `json:"remote,omitempty"`
}

// CI names the pipeline a run came from.
type CI struct {
	Provider string `json:"provider"`
	RunURL   string `json:"run_url,omitempty"`
	Job      string `json:"job,omitempty"`
}

// ChangesOf turns a plan's diff into the changes an event records.
func ChangesOf(diff *planparse.Diff) []Change {
	changes := make([]Change, 0, len(diff.Changes))
	for _, c := range diff.Changes {
		changes = append(changes, Change{Address: c.Address, Action: string(c.Action), Paths: c.Paths()})
	}
	return changes
}
