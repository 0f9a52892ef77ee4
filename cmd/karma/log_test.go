package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// queryWorkspace is the basic fixture applied twice: greeting hello, then
// bonjour. It returns the time between the two applies.
func queryWorkspace(t *testing.T) (*workspace, string) {
	t.Helper()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)
	time.Sleep(20 * time.Millisecond)
	between := time.Now().UTC().Format(time.RFC3339Nano)
	time.Sleep(20 * time.Millisecond)
	require.Equal(t, 0, w.karma("apply", "-auto-approve", "-var=greeting=bonjour").Code)
	return w, between
}

func TestLogGrep(t *testing.T) {
	t.Parallel()
	w, _ := queryWorkspace(t)
	evs := w.events()
	require.Len(t, evs, 4)

	zones := w.karma("log", "grep", `terraform_data\.zones`)
	applies := w.karma("log", "grep", "--action", "terraform_apply", "--json")
	bonjour := w.karma("log", "grep", "--json", "bonjour")
	bad := w.karma("log", "grep", "(")

	require.Equal(t, 0, zones.Code, zones.Output())
	assert.Len(t, lines(zones.Stdout), 3, "header and the first run's plan and apply: only they touch zones")
	assert.Contains(t, zones.Stdout, "terraform_data.zones")
	assert.Contains(t, zones.Stdout, evs[0].ID)
	assert.Contains(t, zones.Stdout, evs[1].ID)
	assert.Len(t, lines(applies.Stdout), 2)
	for _, l := range lines(applies.Stdout) {
		var ev audit.Event
		require.NoError(t, json.Unmarshal([]byte(l), &ev))
		assert.Equal(t, audit.ActionApply, ev.Action)
	}
	assert.Len(t, lines(bonjour.Stdout), 2, "the input value of the second run's plan and apply")
	assert.Equal(t, 1, bad.Code)
	assert.Contains(t, bad.Stderr, `karma: PATTERN "(" is not a regular expression`)
}

func TestLogShow(t *testing.T) {
	t.Parallel()
	w, _ := queryWorkspace(t)
	apply := w.events()[3]

	text := w.karma("log", "show", apply.ID[:13])
	js := w.karma("log", "show", "--json", apply.ID)
	tooShort := w.karma("log", "show", "01a")
	missing := w.karma("log", "show", "ffffffff-0000")

	require.Equal(t, 0, text.Code, text.Output())
	assert.Contains(t, text.Stdout, "event       "+apply.ID)
	assert.Contains(t, text.Stdout, "terraform_apply · applied · exit 0")
	assert.Contains(t, text.Stdout, `greeting = "bonjour"`)
	assert.Contains(t, text.Stdout, `~ input  = "hello" -> "bonjour"`, "the diff, rendered as karma review renders it")
	assert.Contains(t, text.Stdout, "applied    ~ terraform_data.greeting")
	require.Equal(t, 0, js.Code)
	var doc struct {
		Event audit.Event    `json:"event"`
		Diff  map[string]any `json:"diff"`
	}
	require.NoError(t, json.Unmarshal([]byte(js.Stdout), &doc))
	assert.Equal(t, apply.ID, doc.Event.ID)
	assert.Equal(t, "1.0", doc.Diff["format_version"])
	assert.Equal(t, 1, tooShort.Code)
	assert.Contains(t, tooShort.Stderr, "too short")
	assert.Equal(t, 1, missing.Code)
	assert.Contains(t, missing.Stderr, "no such event ffffffff-0000")
}

func TestLogShowExplainsAFailedApply(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "failing")
	require.Equal(t, 1, w.karma("apply", "-auto-approve").Code)
	apply := w.events()[1]

	res := w.karma("log", "show", apply.ID)

	require.Equal(t, 0, res.Code, res.Output())
	for _, want := range []string{
		"What happened: the apply failed before it finished:",
		"planned     4 change(s)",
		"applied     2: terraform_data.first, terraform_data.independent",
		"failed      1: terraform_data.breaks (local-exec provisioner error)",
		"never ran   1: terraform_data.after",
		"tainted     1: terraform_data.breaks",
		"karma apply -target=terraform_data.breaks -target=terraform_data.after  # only what did not complete",
		"Error: local-exec provisioner error",
	} {
		assert.Contains(t, res.Stdout, want)
	}
}

func TestLogState(t *testing.T) {
	t.Parallel()
	w, between := queryWorkspace(t)

	latest := w.karma("log", "state", "--component", "basic")
	earlier := w.karma("log", "state", "--component", "basic", "--at", between)
	js := w.karma("log", "state", "--component", "basic", "--json")
	none := w.karma("log", "state", "--component", "nope")

	require.Equal(t, 0, latest.Code, latest.Output())
	assert.Contains(t, latest.Stdout, `input            = "bonjour"`)
	assert.Contains(t, earlier.Stdout, `input            = "hello"`)
	assert.NotContains(t, earlier.Stdout, "bonjour")
	var state map[string]any
	require.NoError(t, json.Unmarshal([]byte(js.Stdout), &state))
	assert.Equal(t, "1.0", state["format_version"])
	assert.Equal(t, 1, none.Code)
	assert.Contains(t, none.Stderr, `no state of component "nope" recorded`)
}

func TestLogDiff(t *testing.T) {
	t.Parallel()
	w, between := queryWorkspace(t)
	second := w.events()[3]

	text := w.karma("log", "diff", "--before", between, "--component", "basic")
	js := w.karma("log", "diff", "--json", "--before", between)

	require.Equal(t, 0, text.Code, text.Output())
	assert.Contains(t, text.Stdout, "~ terraform_data.greeting")
	assert.Contains(t, text.Stdout, `input: "hello" -> "bonjour"`)
	assert.Contains(t, text.Stdout, "in terraform_apply "+second.ID+" (applied, change applied)")
	assert.NotContains(t, text.Stdout, "terraform_data.zones", "what did not change is not listed")
	var doc struct {
		Components []audit.ComponentDiff `json:"components"`
	}
	require.NoError(t, json.Unmarshal([]byte(js.Stdout), &doc))
	require.Len(t, doc.Components, 1)
	require.Len(t, doc.Components[0].Resources, 1)
	r := doc.Components[0].Resources[0]
	assert.Equal(t, "terraform_data.greeting", r.Address)
	require.Len(t, r.Runs, 1)
	assert.Equal(t, second.ID, r.Runs[0].ID)
	assert.Equal(t, second.User, r.Runs[0].User)
}
