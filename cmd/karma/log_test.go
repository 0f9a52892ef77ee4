package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/testenv"
)

func TestNextRunRepairsATornLog(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)
	path := filepath.Join(w.logDir, audit.EventsFile)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	cut := len(data) - 200
	require.NoError(t, os.WriteFile(path, data[:cut], 0o600))

	before := w.karma("log", "verify")
	res := w.karma("plan")
	after := w.karma("log", "verify")

	assert.Equal(t, 1, before.Code)
	assert.Contains(t, before.Stderr, "torn: the log ends with")
	require.Equal(t, 0, res.Code, res.Output())
	assert.Contains(t, res.Stderr, "karma: warning: "+path+" ended with")
	assert.Contains(t, res.Stderr, "(a crash); moved them to "+w.logDir)
	require.Equal(t, 0, after.Code, after.Output())
	evs := w.events()
	require.Len(t, evs, 3, "the whole plan event, log_repaired, the new plan event")
	assert.Equal(t, audit.ActionPlan, evs[0].Action)
	assert.Equal(t, audit.ActionLogRepaired, evs[1].Action)
	lastStart := strings.LastIndex(string(data[:len(data)-1]), "\n") + 1
	assert.Equal(t, float64(lastStart), evs[1].Detail["offset"], "the repair says where the torn event started")
	assert.Equal(t, float64(cut-lastStart), evs[1].Detail["bytes"])
	assert.Equal(t, audit.ActionPlan, evs[2].Action)
}

func TestConcurrentKarmaProcessesShareOneLog(t *testing.T) {
	t.Parallel()
	testenv.Terraform(t)
	logDir := filepath.Join(t.TempDir(), "log")
	const procs = 8
	var wg sync.WaitGroup
	results := make([]testenv.Result, procs)
	dirs := make([]string, procs)
	for i := range procs {
		dirs[i] = testenv.CopyFixture(t, "basic")
		testenv.Init(t, dirs[i])
	}
	for i := range procs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = testenv.Cmd{Bin: karmaBin, Dir: dirs[i], Env: []string{"KARMA_LOG_DIR=" + logDir, fmt.Sprintf("KARMA_COMPONENT=c%d", i)},
				Args: []string{"apply", "-auto-approve"}}.Run(t)
		}()
	}
	wg.Wait()

	for i, res := range results {
		require.Equal(t, 0, res.Code, "process %d: %s", i, res.Output())
	}
	evs := readEvents(t, filepath.Join(logDir, audit.EventsFile))
	assert.Len(t, evs, 2*procs, "every line parses as one event")
	verify := testenv.Cmd{Bin: karmaBin, Env: []string{"KARMA_LOG_DIR=" + logDir}, Args: []string{"log", "verify"}}.Run(t)
	assert.Equal(t, 0, verify.Code, verify.Output())
	assert.True(t, strings.HasPrefix(verify.Stdout, fmt.Sprintf("karma: log intact: %d events", 2*procs)), verify.Stdout)
}
