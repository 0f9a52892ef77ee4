package planparse

// FormatVersion is the version of the diff document karma prints with
// `karma review --format json` and stores beside each plan event.
const FormatVersion = "1.0"

// Action is what a plan does to one resource instance or output.
type Action string

// The actions of a change. Replace covers both orders; Change.ReplaceOrder says which.
// Move, Import and Forget are changes terraform makes to state alone.
const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionDelete  Action = "delete"
	ActionReplace Action = "replace"
	ActionRead    Action = "read"
	ActionMove    Action = "move"
	ActionImport  Action = "import"
	ActionForget  Action = "forget"
	ActionNoOp    Action = "no-op"
)

// Replacement orders, for changes whose Action is ActionReplace.
const (
	CreateBeforeDestroy = "create_before_destroy"
	DestroyBeforeCreate = "destroy_before_create"
	CreateThenForget    = "create_then_forget"
)

// Diff is the redacted, resource-level reading of one plan. No sensitive value
// is ever held in it: sensitive attributes carry Sensitive and no values.
type Diff struct {
	FormatVersion    string         `json:"format_version"`
	TerraformVersion string         `json:"terraform_version,omitempty"`
	Summary          Summary        `json:"summary"`
	Changes          []Change       `json:"changes"`
	Outputs          []OutputChange `json:"outputs"`
	Drift            []Change       `json:"drift"`
	Deferred         []Deferred     `json:"deferred,omitempty"`
	Errored          bool           `json:"errored"`
}

// Summary counts a plan's changes. Add, Change and Destroy equal terraform's own
// "Plan: X to add, Y to change, Z to destroy." line: a replacement counts in both
// Add and Destroy (and in Replace).
type Summary struct {
	Add     int `json:"add"`
	Change  int `json:"change"`
	Destroy int `json:"destroy"`
	Replace int `json:"replace"`
	Import  int `json:"import"`
	Move    int `json:"move"`
	Forget  int `json:"forget"`
	Read    int `json:"read"`
}

// Change is one resource instance's planned (or drifted) change.
type Change struct {
	Address         string      `json:"address"`
	PreviousAddress string      `json:"previous_address,omitempty"`
	ModuleAddress   string      `json:"module_address,omitempty"`
	Mode            string      `json:"mode"`
	Type            string      `json:"type"`
	Name            string      `json:"name"`
	Index           any         `json:"index,omitempty"`
	Provider        string      `json:"provider_name,omitempty"`
	Deposed         string      `json:"deposed,omitempty"`
	Action          Action      `json:"action"`
	ReplaceOrder    string      `json:"replace_order,omitempty"`
	ActionReason    string      `json:"action_reason,omitempty"`
	ReplacePaths    []string    `json:"replace_paths,omitempty"`
	Importing       *Importing  `json:"importing,omitempty"`
	Attributes      []Attribute `json:"attributes"`
}

// Moved reports whether the change also moves the resource to a new address.
func (c Change) Moved() bool {
	return c.PreviousAddress != "" && c.PreviousAddress != c.Address
}

// Paths lists the changed attribute paths, in order.
func (c Change) Paths() []string {
	paths := make([]string, len(c.Attributes))
	for i, a := range c.Attributes {
		paths[i] = a.Path
	}
	return paths
}

// Importing says that a change imports an existing object, and which.
type Importing struct {
	ID      string `json:"id,omitempty"`
	Unknown bool   `json:"unknown,omitempty"`
}

// Attribute is one changed leaf of a resource's value. Path is written as
// terraform users read it: tags.team, ingress[0].cidr_blocks[1], tags["a b"].
type Attribute struct {
	Path              string `json:"path"`
	Before            any    `json:"before"`
	After             any    `json:"after"`
	Unknown           bool   `json:"unknown"`
	Sensitive         bool   `json:"sensitive"`
	ForcesReplacement bool   `json:"forces_replacement"`
}

// OutputChange is one root module output's planned change.
type OutputChange struct {
	Name      string `json:"name"`
	Action    Action `json:"action"`
	Before    any    `json:"before"`
	After     any    `json:"after"`
	Unknown   bool   `json:"unknown"`
	Sensitive bool   `json:"sensitive"`
}

// Deferred is a change terraform postponed to a later plan, with its reason.
type Deferred struct {
	Reason string `json:"reason"`
	Change Change `json:"change"`
}
