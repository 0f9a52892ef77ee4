package runner

import (
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
)

// stateIndex is the set of resource instances a state holds; nil when the
// state could not be read.
type stateIndex map[string]bool

func newStateIndex(addresses []string) stateIndex {
	idx := make(stateIndex, len(addresses))
	for _, a := range addresses {
		idx[a] = true
	}
	return idx
}

// applyResults says, for every planned change, whether the apply applied it,
// failed on it, or never started it, and how long it took.
func applyResults(diff *planparse.Diff, s *uiStream, post stateIndex) []audit.Change {
	changes := audit.ChangesOf(diff)
	for i, c := range diff.Changes {
		ops := s.opsOf(c.Address)
		changes[i].Result, changes[i].DurationMS = resultOf(c, ops, post)
		if ops != nil {
			changes[i].Provisioners = ops.provisioners
		}
	}
	return changes
}

func resultOf(c planparse.Change, ops *resourceOps, post stateIndex) (string, *int64) {
	switch c.Action {
	case planparse.ActionMove, planparse.ActionImport, planparse.ActionForget:
		return stateOnlyResult(c, post), nil
	}
	if ops == nil {
		return audit.ResultSkipped, nil
	}
	ms := ops.last.Sub(ops.first).Milliseconds()
	switch {
	case ops.errored:
		return audit.ResultFailed, &ms
	case ops.completed >= expectedOps(c):
		return audit.ResultApplied, &ms
	case ops.started == 0:
		return audit.ResultSkipped, nil
	}
	return audit.ResultFailed, &ms // started, never finished
}

// stateOnlyResult reads from the state whether a move, import or forget
// happened: terraform's stream has no messages for them.
func stateOnlyResult(c planparse.Change, post stateIndex) string {
	if post == nil {
		return audit.ResultSkipped
	}
	inState := post[c.Address]
	if (c.Action == planparse.ActionForget) != inState {
		return audit.ResultApplied
	}
	return audit.ResultSkipped
}

// expectedOps is how many operations terraform reports for a change: a
// replacement is a create and a destroy.
func expectedOps(c planparse.Change) int {
	if c.Action == planparse.ActionReplace && c.ReplaceOrder != planparse.CreateThenForget {
		return 2
	}
	return 1
}
