package audit

import (
	"context"
	"errors"
	"time"

	"github.com/usekarma/karma/planparse"
)

// ComponentDiff is how one component's recorded state changed between two
// times, and which runs changed it.
type ComponentDiff struct {
	Component string `json:"component"`
	// Before and After are the events whose state was compared; Before is nil
	// when nothing was recorded before the first time.
	Before    *RunRef        `json:"before"`
	After     *RunRef        `json:"after"`
	Resources []ResourceDiff `json:"resources"`
}

// ResourceDiff is one resource's change between the two states, with the
// runs in between that changed it.
type ResourceDiff struct {
	planparse.Change
	Runs []RunRef `json:"runs"`
}

// RunRef names an event: which run, who, when, what it came to.
type RunRef struct {
	ID     string `json:"id"`
	RunID  string `json:"run_id"`
	Time   Time   `json:"timestamp"`
	User   string `json:"user"`
	Action string `json:"action"`
	Status string `json:"status"`
	// Result is what the run did to the resource: applied or failed.
	Result string `json:"result,omitempty"`
}

func refOf(ev *Event) *RunRef {
	return &RunRef{ID: ev.ID, RunID: ev.RunID, Time: ev.Timestamp, User: ev.User, Action: ev.Action, Status: ev.Status}
}

// DiffComponent compares the state recorded for component as of before with
// the state as of after, resource by resource and attribute by attribute.
func DiffComponent(ctx context.Context, s Store, component string, before, after time.Time) (*ComponentDiff, error) {
	later, err := SnapshotAt(ctx, s, component, after)
	if err != nil {
		return nil, err
	}
	laterDoc, err := s.Object(ctx, later.Digest)
	if err != nil {
		return nil, err
	}
	d := &ComponentDiff{Component: component, After: refOf(later.Event)}
	earlierDoc := []byte(`{"format_version":"1.0"}`)
	earlier, err := SnapshotAt(ctx, s, component, before)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	default:
		d.Before = refOf(earlier.Event)
		if earlierDoc, err = s.Object(ctx, earlier.Digest); err != nil {
			return nil, err
		}
	}
	changes, err := planparse.DiffStates(earlierDoc, laterDoc)
	if err != nil {
		return nil, err
	}
	since := time.Time{}
	if d.Before != nil {
		since = d.Before.Time.Add(time.Millisecond)
	}
	runs, err := Runs(ctx, s, component, since, later.Event.Timestamp.Time)
	if err != nil {
		return nil, err
	}
	d.Resources = attribute(changes, runs)
	return d, nil
}

// attribute pairs each changed resource with the runs that changed it.
func attribute(changes []planparse.Change, runs []*Event) []ResourceDiff {
	out := make([]ResourceDiff, 0, len(changes))
	for _, c := range changes {
		rd := ResourceDiff{Change: c, Runs: []RunRef{}}
		for _, ev := range runs {
			for _, ch := range ev.Changes {
				if ch.Address == c.Address && ch.Result != ResultSkipped {
					ref := refOf(ev)
					ref.Result = ch.Result
					rd.Runs = append(rd.Runs, *ref)
				}
			}
		}
		out = append(out, rd)
	}
	return out
}
