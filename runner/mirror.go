package runner

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/usekarma/karma/audit"
)

// How long mirroring may take: a background sync during the run, and the
// final one before karma exits. Mirroring never holds an apply up longer.
const (
	backgroundSyncBudget = 60 * time.Second
	finalSyncBudget      = 20 * time.Second
)

// mirrorer copies the log to its mirror in the background while the run goes
// on: at the start (what earlier runs left pending) and after each event.
type mirrorer struct {
	log    *audit.Log
	mirror audit.Mirror

	mu    sync.Mutex
	busy  bool
	again bool
	wg    sync.WaitGroup
}

// kick starts a background sync, or asks the running one to go again.
func (mr *mirrorer) kick() {
	if mr == nil {
		return
	}
	mr.mu.Lock()
	defer mr.mu.Unlock()
	if mr.busy {
		mr.again = true
		return
	}
	mr.busy = true
	mr.wg.Add(1)
	go mr.loop()
}

func (mr *mirrorer) loop() {
	defer mr.wg.Done()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), backgroundSyncBudget)
		_, _ = mr.log.Sync(ctx, mr.mirror, audit.SyncOptions{})
		cancel()
		mr.mu.Lock()
		if !mr.again {
			mr.busy = false
			mr.mu.Unlock()
			return
		}
		mr.again = false
		mr.mu.Unlock()
	}
}

// flush waits for the background sync, then syncs once more within budget,
// and says what is still pending.
func (mr *mirrorer) flush(budget time.Duration) (*audit.SyncResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), budget)
	defer cancel()
	done := make(chan struct{})
	go func() { mr.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		pending, _ := mr.log.Pending(mr.mirror)
		return &audit.SyncResult{Pending: pending, Err: fmt.Errorf("mirror %s did not answer within %s", mr.mirror, budget)}, nil
	}
	return mr.log.Sync(ctx, mr.mirror, audit.SyncOptions{})
}

// finish ends a run: it signs a checkpoint of what the run recorded, and
// flushes the mirror. A mirror that could not take everything is a warning,
// or, with --mirror-required, an error.
func (run *run) finish(err error) error {
	if run.Signer != nil {
		if _, cerr := run.Log.Checkpoint(run.Signer); cerr != nil {
			fmt.Fprintf(run.Stderr, "karma: warning: could not sign a checkpoint of %s: %v\n", run.Log.Path(), cerr)
		}
	}
	if run.mirror == nil {
		return err
	}
	res, ferr := run.mirror.flush(finalSyncBudget)
	if ferr != nil {
		res = &audit.SyncResult{Err: ferr}
		res.Pending, _ = run.Log.Pending(run.Mirror)
	}
	if res.Pending == 0 && len(res.Conflicts) == 0 {
		return err
	}
	note := pendingNote(run.Mirror, res)
	if run.MirrorRequired && err == nil {
		return &ExitError{Code: 1, Err: fmt.Errorf("%s (--mirror-required)", note)}
	}
	fmt.Fprintf(run.Stderr, "karma: warning: %s\n", note)
	return err
}

// pendingNote says what did not reach the mirror, why, and when it will.
func pendingNote(m audit.Mirror, res *audit.SyncResult) string {
	why := ""
	if res.Err != nil {
		why = ": " + res.Err.Error()
	}
	if len(res.Conflicts) > 0 {
		return fmt.Sprintf("%s holds other bytes at %s, which karma will not overwrite; %d event(s) pending", m, res.Conflicts[0], res.Pending)
	}
	return fmt.Sprintf("%d event(s) not yet in %s%s; they go up with the next karma run or karma log sync", res.Pending, m, why)
}

// requireMirror checks, before terraform apply starts, that the plan's event
// reached the mirror. It returns why not, or nil.
func (run *run) requireMirror() error {
	if !run.MirrorRequired || run.mirror == nil {
		return nil
	}
	res, err := run.mirror.flush(finalSyncBudget)
	switch {
	case err != nil:
		return fmt.Errorf("the mirror is required (--mirror-required), but %w; apply not started", err)
	case res.Pending > 0 && res.Err != nil:
		return fmt.Errorf("the mirror is required (--mirror-required), but %s did not take the plan's event: %w; apply not started", run.Mirror, res.Err)
	case res.Pending > 0:
		return fmt.Errorf("the mirror is required (--mirror-required), but %s", pendingNote(run.Mirror, res))
	}
	return nil
}
