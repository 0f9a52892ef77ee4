package planparse

import tfjson "github.com/hashicorp/terraform-json"

// actionOf maps terraform's list of actions to one Action and, for a
// replacement, its order.
func actionOf(actions tfjson.Actions) (Action, string) {
	switch {
	case actions.CreateBeforeDestroy():
		return ActionReplace, CreateBeforeDestroy
	case actions.DestroyBeforeCreate():
		return ActionReplace, DestroyBeforeCreate
	case len(actions) == 2 && actions[0] == tfjson.ActionCreate && actions[1] == tfjson.ActionForget:
		return ActionReplace, CreateThenForget
	case actions.Create():
		return ActionCreate, ""
	case actions.Update():
		return ActionUpdate, ""
	case actions.Delete():
		return ActionDelete, ""
	case actions.Read():
		return ActionRead, ""
	case actions.Forget():
		return ActionForget, ""
	}
	return ActionNoOp, ""
}

// stateOnlyAction names a no-op that still does something to state: a move or
// an import. It returns ActionNoOp when the change does nothing at all.
func stateOnlyAction(c Change) Action {
	switch {
	case c.Moved():
		return ActionMove
	case c.Importing != nil:
		return ActionImport
	}
	return ActionNoOp
}

// count adds one planned change to the summary, as terraform's "Plan:" line
// counts it, with moves and imports counted apart.
func (s *Summary) count(c Change) {
	if c.Importing != nil {
		s.Import++
	}
	if c.Moved() {
		s.Move++
	}
	switch c.Action {
	case ActionCreate:
		s.Add++
	case ActionUpdate:
		s.Change++
	case ActionDelete:
		s.Destroy++
	case ActionReplace:
		s.Add++
		s.Replace++
		if c.ReplaceOrder != CreateThenForget {
			s.Destroy++
		}
	case ActionRead:
		s.Read++
	case ActionForget:
		s.Forget++
	}
}

// HasChanges reports whether the plan changes any resource or output.
func (d *Diff) HasChanges() bool {
	return len(d.Changes) > 0 || len(d.Outputs) > 0
}
