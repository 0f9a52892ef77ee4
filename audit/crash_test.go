package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCrashInTheLastEventIsRepaired cuts a real log at many offsets inside
// its last event, as a crash mid-write would, then opens it as the next run
// does: every whole event survives byte for byte, the torn bytes move to a
// sidecar, a log_repaired event records it, and verify passes.
func TestCrashInTheLastEventIsRepaired(t *testing.T) {
	dir, _ := realLog(t)
	original, err := os.ReadFile(filepath.Join(dir, EventsFile))
	require.NoError(t, err)
	lines := readLines(t, dir)
	lastLen := len(lines[len(lines)-1]) // without its newline
	lastStart := len(original) - lastLen - 1
	whole := original[:lastStart]

	var cuts []int
	for k := 1; k < lastLen-1; k += max(1, lastLen/40) {
		cuts = append(cuts, k)
	}
	for _, k := range cuts {
		t.Run(fmt.Sprintf("cut %d bytes into the last event", k), func(t *testing.T) {
			work := t.TempDir()
			torn := original[lastStart : lastStart+k]
			require.NoError(t, os.WriteFile(filepath.Join(work, EventsFile), original[:lastStart+k], 0o600))
			assertProblem(t, verifyDir(t, work, ""), int64(len(lines)), Torn)

			l := New(work)
			var repairs []Repair
			l.OnRepair = func(r Repair) { repairs = append(repairs, r) }
			require.NoError(t, l.Prepare())

			after, err := os.ReadFile(l.Path())
			require.NoError(t, err)
			assert.True(t, bytes.HasPrefix(after, whole), "every whole event survives byte for byte")
			require.Len(t, repairs, 1)
			sidecar, err := os.ReadFile(repairs[0].Sidecar)
			require.NoError(t, err)
			assert.Equal(t, torn, sidecar, "the torn bytes are kept aside")
			r := verifyDir(t, work, "")
			assert.Nil(t, r.Problem)
			assert.Equal(t, int64(len(lines)), r.Events, "the whole events and the log_repaired event")
			assert.Contains(t, string(readLines(t, work)[len(lines)-1]), `"action":"log_repaired"`)
		})
	}
}

func TestNULTailIsRepaired(t *testing.T) {
	dir, _ := realLog(t)
	original, err := os.ReadFile(filepath.Join(dir, EventsFile))
	require.NoError(t, err)
	lines := readLines(t, dir)
	lastStart := len(original) - len(lines[len(lines)-1]) - 1
	for _, withNewline := range []bool{false, true} {
		t.Run(fmt.Sprintf("newline kept %v", withNewline), func(t *testing.T) {
			work := t.TempDir()
			damaged := append([]byte(nil), original...)
			for i := lastStart + 100; i < len(damaged)-1; i++ {
				damaged[i] = 0
			}
			if !withNewline {
				damaged[len(damaged)-1] = 0
			}
			require.NoError(t, os.WriteFile(filepath.Join(work, EventsFile), damaged, 0o600))

			require.NoError(t, New(work).Prepare())

			after, _ := os.ReadFile(filepath.Join(work, EventsFile))
			assert.True(t, bytes.HasPrefix(after, original[:lastStart]))
			assert.NotContains(t, string(after), "\x00")
			assert.Nil(t, verifyDir(t, work, "").Problem)
		})
	}
}

func TestWholeEventWithoutNewlineKeepsIt(t *testing.T) {
	dir, _ := realLog(t)
	original, err := os.ReadFile(filepath.Join(dir, EventsFile))
	require.NoError(t, err)
	work := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(work, EventsFile), original[:len(original)-1], 0o600))

	l := New(work)
	var repairs []Repair
	l.OnRepair = func(r Repair) { repairs = append(repairs, r) }
	require.NoError(t, l.Prepare())

	after, _ := os.ReadFile(l.Path())
	assert.True(t, bytes.HasPrefix(after, original), "the last event is kept, its newline added")
	require.Len(t, repairs, 1)
	assert.Empty(t, repairs[0].Sidecar, "nothing was moved aside")
	assert.Nil(t, verifyDir(t, work, "").Problem)
}

// TestConcurrentAppendsKeepTheChain runs 8 processes appending to one log at
// once. With the file lock every line parses and the chain holds; the same
// run without the lock must break the chain, which proves the test can see
// the interleaving the lock prevents.
func TestConcurrentAppendsKeepTheChain(t *testing.T) {
	const procs, each = 8, 150
	for _, locked := range []bool{true, false} {
		t.Run(fmt.Sprintf("locked %v", locked), func(t *testing.T) {
			dir := t.TempDir()
			start := filepath.Join(dir, "start")
			var cmds []*exec.Cmd
			for p := range procs {
				cmd := exec.Command(os.Args[0], "-test.run=^TestAppendHelperProcess$")
				cmd.Env = append(os.Environ(), "KARMA_TEST_APPEND_DIR="+dir, "KARMA_TEST_APPEND_START="+start,
					"KARMA_TEST_APPEND_N="+strconv.Itoa(each), "KARMA_TEST_APPEND_PROC="+strconv.Itoa(p),
					"KARMA_TEST_UNLOCKED="+strconv.FormatBool(!locked))
				require.NoError(t, cmd.Start())
				cmds = append(cmds, cmd)
			}
			require.NoError(t, os.WriteFile(start, nil, 0o600)) // all start appending together
			failed := 0
			for _, cmd := range cmds {
				if cmd.Wait() != nil {
					failed++
				}
			}

			lines := readLines(t, dir)
			parsed := 0
			for _, line := range lines {
				var ev Event
				if json.Unmarshal(line, &ev) == nil {
					parsed++
				}
			}
			r := verifyDir(t, dir, "")
			intact := failed == 0 && parsed == procs*each && len(lines) == procs*each && r.Problem == nil
			if locked {
				assert.Zero(t, failed, "every process appended all its events")
				assert.Equal(t, procs*each, parsed, "every line parses")
				assert.Nil(t, r.Problem, "the chain holds")
				return
			}
			t.Logf("unlocked: %d processes failed, %d lines, %d parse, problem %v", failed, len(lines), parsed, r.Problem)
			assert.False(t, intact, "without the lock, concurrent appends must break the log (%d processes failed, %d lines, %d parse, problem %v)",
				failed, len(lines), parsed, r.Problem)
		})
	}
}

// TestAppendHelperProcess is one of the appending processes of
// TestConcurrentAppendsKeepTheChain; run on its own it does nothing.
func TestAppendHelperProcess(t *testing.T) {
	dir := os.Getenv("KARMA_TEST_APPEND_DIR")
	if dir == "" {
		return
	}
	for !exists(os.Getenv("KARMA_TEST_APPEND_START")) {
		time.Sleep(time.Millisecond)
	}
	n, _ := strconv.Atoi(os.Getenv("KARMA_TEST_APPEND_N"))
	l := New(dir)
	l.unlocked = os.Getenv("KARMA_TEST_UNLOCKED") == "true"
	for i := range n {
		ev := &Event{Action: ActionPlan, Status: StatusPlanned, Component: "proc-" + os.Getenv("KARMA_TEST_APPEND_PROC"),
			Inputs: map[string]any{"i": i, "pad": strings.Repeat("x", 300)}}
		if err := l.Append(ev); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}
