package planparse

import (
	"encoding/json"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
)

// newChange reads one of terraform's resource changes. It computes the
// attribute diff from the raw values, so a sensitive value's change is known
// without the value ever leaving this function.
func newChange(rc *tfjson.ResourceChange, scratch *[]Attribute) (Change, error) {
	c := Change{
		Address:         rc.Address,
		PreviousAddress: rc.PreviousAddress,
		ModuleAddress:   rc.ModuleAddress,
		Mode:            string(rc.Mode),
		Type:            rc.Type,
		Name:            rc.Name,
		Index:           indexNumber(rc.Index),
		Provider:        rc.ProviderName,
		Deposed:         rc.DeposedKey,
		ActionReason:    string(rc.ActionReason),
		Attributes:      []Attribute{},
	}
	if rc.Change == nil {
		c.Action = ActionNoOp
		return c, nil
	}
	c.Action, c.ReplaceOrder = actionOf(rc.Change.Actions)
	if imp := rc.Change.Importing; imp != nil {
		c.Importing = &Importing{ID: imp.ID, Unknown: imp.Unknown}
	}
	if c.Action == ActionNoOp {
		c.Action = stateOnlyAction(c)
	}
	c.ReplacePaths = replacePathStrings(rc.Change.ReplacePaths)
	if c.Action != ActionNoOp && c.Action != ActionMove && c.Action != ActionForget {
		attrs, err := changedAttributes(rc.Change, c.ReplacePaths, scratch)
		if err != nil {
			return c, fmt.Errorf("%s: %w", rc.Address, err)
		}
		c.Attributes = attrs
	}
	return c, nil
}

// isShown reports whether terraform would show the change in a plan: no-ops and
// deleted data sources are not shown.
func (c Change) isShown() bool {
	if c.Action == ActionNoOp {
		return false
	}
	return !(c.Action == ActionDelete && c.Mode != string(tfjson.ManagedResourceMode))
}

// newOutputChange reads one root module output's change.
func newOutputChange(name string, ch *tfjson.Change) OutputChange {
	action, _ := actionOf(ch.Actions)
	if action == ActionReplace {
		action = ActionUpdate
	}
	sensitive := hasSensitive(ch.BeforeSensitive) || hasSensitive(ch.AfterSensitive)
	oc := OutputChange{Name: name, Action: action, Unknown: hasSensitive(ch.AfterUnknown), Sensitive: sensitive}
	if !sensitive {
		oc.Before = ch.Before
		if !oc.Unknown {
			oc.After = ch.After
		}
	}
	return oc
}

// indexNumber keeps an index as terraform wrote it: a number or a string key.
func indexNumber(v any) any {
	if n, ok := v.(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			return i
		}
	}
	return v
}
