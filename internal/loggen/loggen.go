// Package loggen writes large, realistic audit logs for karma's benchmarks:
// plan and apply events of many components, shaped like the events real runs
// record, chained and hashed as karma writes them.
package loggen

import (
	"fmt"
	"time"

	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
)

// Components is how many components the events are spread over; a filter on
// one component matches one event in Components.
const Components = 20

// Write appends n events to the log in dir, in batches. Their plan, diff and
// state digests name documents that are not in the store: right for queries
// and verify, which never open them.
func Write(dir string, n int) error {
	return write(dir, n, true)
}

// WriteBare appends n events that reference no documents: what a sync can
// upload from a log with an empty object store.
func WriteBare(dir string, n int) error {
	return write(dir, n, false)
}

func write(dir string, n int, documents bool) error {
	l := audit.New(dir)
	start := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	batch := make([]*audit.Event, 0, 10000)
	for i := 0; i < n; i++ {
		ev := event(i, start.Add(time.Duration(i)*time.Minute))
		if !documents {
			ev.Plan, ev.Diff, ev.PreState = "", "", ""
		}
		batch = append(batch, ev)
		if len(batch) == cap(batch) || i == n-1 {
			if err := l.AppendAll(batch); err != nil {
				return err
			}
			batch = batch[:0]
		}
	}
	return nil
}

func event(i int, at time.Time) *audit.Event {
	action, status := audit.ActionPlan, audit.StatusPlanned
	if i%2 == 1 {
		action, status = audit.ActionApply, audit.StatusApplied
	}
	component := fmt.Sprintf("infra/component-%02d", i%Components)
	changes := make([]audit.Change, 4)
	for j := range changes {
		changes[j] = audit.Change{Address: fmt.Sprintf("module.app.terraform_data.r%d[%d]", j, i%7), Action: "update",
			Paths: []string{"input.tags.team", "input.size", "output"}}
		if action == audit.ActionApply {
			ms := int64(j * 3)
			changes[j].Result, changes[j].DurationMS = audit.ResultApplied, &ms
		}
	}
	exit := 0
	return &audit.Event{
		Timestamp: audit.Time{Time: at}, RunID: audit.NewID(), Action: action, Status: status, Component: component,
		User: fmt.Sprintf("engineer-%d@example.com", i%13), Source: "ci",
		Inputs:           map[string]any{"environment": "prod", "region": "eu-west-1", "token": planparse.Redacted},
		PlanMode:         "normal",
		Summary:          &planparse.Summary{Change: 4},
		Changes:          changes,
		Plan:             audit.Digest([]byte(fmt.Sprint("plan", i))),
		Diff:             audit.Digest([]byte(fmt.Sprint("diff", i))),
		PreState:         audit.Digest([]byte(fmt.Sprint("pre", i))),
		TerraformVersion: "1.11.4", Workspace: "default", WorkingDir: "/src/" + component,
		Git:  &audit.Git{Commit: "3f1c2a9e5b7d4c6e8f0a1b2c3d4e5f6a7b8c9d0e", Branch: "main", Remote: "https://github.com/acme/infra.git"},
		CI:   &audit.CI{Provider: "github-actions", RunURL: fmt.Sprintf("https://github.com/acme/infra/actions/runs/%d", 1000+i)},
		Host: "runner-3", DurationMS: 1200, ExitCode: &exit,
	}
}
