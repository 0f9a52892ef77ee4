package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
)

// runsDir holds one marker per run in progress, locked by its karma process
// for as long as it runs. The kernel drops the lock when the process dies,
// however it dies: a marker whose lock can be taken belongs to a run that
// never finished.
const runsDir = "runs"

// marker is what a run in progress says about itself.
type marker struct {
	RunID      string     `json:"run_id"`
	PID        int        `json:"pid"`
	Host       string     `json:"host"`
	Command    string     `json:"command"`
	WorkingDir string     `json:"working_dir"`
	Started    audit.Time `json:"started"`
}

// markRunning writes the run's marker, locked before it appears under its
// name, so no other karma can take a starting run for a dead one.
func (run *run) markRunning(command string) error {
	dir := filepath.Join(run.Log.Dir(), runsDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("mark run in %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	data, err := json.Marshal(marker{RunID: run.id, PID: os.Getpid(), Host: host, Command: command, WorkingDir: run.Dir, Started: audit.Now()})
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, ".starting-"+run.id)
	if err := os.WriteFile(tmp, data, 0o600); err != nil {
		return fmt.Errorf("mark run in %s: %w", dir, err)
	}
	lk := flock.New(tmp)
	if err := lk.Lock(); err != nil {
		return fmt.Errorf("mark run in %s: %w", dir, err)
	}
	path := filepath.Join(dir, run.id+".json")
	if err := os.Rename(tmp, path); err != nil {
		_ = lk.Unlock()
		return fmt.Errorf("mark run in %s: %w", dir, err)
	}
	run.unmark = func() {
		os.Remove(path)
		_ = lk.Unlock()
	}
	return nil
}

// recordAbandoned records as abandoned every run of this log whose karma
// died before the run finished (SIGKILL, a lost runner), with what can be
// known: the plan it recorded, and the state now.
func (run *run) recordAbandoned(ctx context.Context) {
	dir := filepath.Join(run.Log.Dir(), runsDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	host, _ := os.Hostname()
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		path := filepath.Join(dir, e.Name())
		lk := flock.New(path)
		if ok, err := lk.TryLock(); !ok || err != nil {
			continue // its karma is still running
		}
		var m marker
		data, err := os.ReadFile(path)
		if err == nil && json.Unmarshal(data, &m) == nil && m.Host == host {
			run.recordOneAbandoned(ctx, m)
			os.Remove(path)
		}
		_ = lk.Unlock()
	}
}

func (run *run) recordOneAbandoned(ctx context.Context, m marker) {
	ev := &audit.Event{ID: audit.NewID(), Timestamp: audit.Now(), RunID: m.RunID, Action: commandAction(m.Command),
		Status: audit.StatusAbandoned, WorkingDir: m.WorkingDir, Host: m.Host, Component: filepath.Base(m.WorkingDir)}
	last := lastEventOfRun(run.Log.Path(), m.RunID)
	if last != nil {
		ev.Component, ev.User, ev.Source, ev.Workspace = last.Component, last.User, last.Source, last.Workspace
		ev.Git, ev.CI, ev.TerraformVersion = last.Git, last.CI, last.TerraformVersion
		ev.Inputs, ev.PlanMode, ev.Summary, ev.Changes = last.Inputs, last.PlanMode, last.Summary, withoutResults(last.Changes)
		ev.Plan, ev.Diff, ev.PreState = last.Plan, last.Diff, last.PreState
		if last.Action == audit.ActionPlan {
			ev.PlanEvent = last.ID
		}
	} else {
		ev.User, ev.Source = run.Log.Actor.User, run.Log.Actor.Source
	}
	ev.Detail = abandonedDetail(m, last)
	ev.Error = fmt.Sprintf("karma (pid %d on %s) stopped before this run finished: it was killed, or its machine was lost", m.PID, m.Host)
	if digest, err := run.stateNow(ctx, m.WorkingDir); err == nil {
		ev.PostState = digest
	} else {
		ev.Diagnostics = []audit.Diagnostic{{Severity: "warning", Summary: "karma could not read the state now", Detail: err.Error()}}
	}
	if err := run.record(ev); err != nil {
		fmt.Fprintf(run.Stderr, "karma: warning: could not record abandoned run %s: %v\n", m.RunID, err)
		return
	}
	fmt.Fprintf(run.Stderr, "karma: warning: run %s (karma %s in %s, pid %d, started %s) never finished; recorded as abandoned in event %s\n",
		m.RunID, m.Command, m.WorkingDir, m.PID, m.Started.Format(time.RFC3339), ev.ID)
}

func abandonedDetail(m marker, last *audit.Event) map[string]any {
	d := map[string]any{"pid": m.PID, "command": "karma " + m.Command, "started": m.Started.Format(time.RFC3339Nano)}
	if last != nil {
		d["last_event"], d["last_recorded"] = last.ID, last.Action+" "+last.Status
	}
	return d
}

func commandAction(command string) string {
	switch command {
	case "plan":
		return audit.ActionPlan
	case "destroy":
		return audit.ActionDestroy
	}
	return audit.ActionApply
}

// withoutResults copies a plan's changes: what an abandoned run did to each
// is unknown.
func withoutResults(changes []audit.Change) []audit.Change {
	out := make([]audit.Change, len(changes))
	for i, c := range changes {
		out[i] = audit.Change{Address: c.Address, Action: c.Action, Paths: c.Paths}
	}
	return out
}

// lastEventOfRun returns the last event recorded for runID, or nil.
func lastEventOfRun(logPath, runID string) *audit.Event {
	var line []byte
	_, _ = audit.Scan(logPath, audit.Filter{Run: runID}, func(h audit.Header) error {
		line = append(line[:0], h.Line...)
		return nil
	})
	if line == nil {
		return nil
	}
	var ev audit.Event
	if json.Unmarshal(line, &ev) != nil {
		return nil
	}
	return &ev
}

// stateNow reads, redacts and stores the state of a working directory.
func (run *run) stateNow(ctx context.Context, dir string) (string, error) {
	if err := checkConfigDir(dir); err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, postStateTimeout)
	defer cancel()
	tf, err := newTerraform(dir, run.execPath)
	if err != nil {
		return "", err
	}
	if _, _, err := tf.Version(ctx, false); err != nil {
		return "", firstLine(err)
	}
	var out bytes.Buffer
	restore := withOutput(tf, &out, nil)
	_, err = tf.Show(ctx)
	restore()
	if err != nil {
		return "", fmt.Errorf("terraform show -json in %s: %w", dir, firstLine(err))
	}
	st, err := planparse.RedactState(out.Bytes(), nil)
	if err != nil {
		return "", err
	}
	return run.store(st.Doc)
}
