package main

import (
	"bytes"

	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/testenv"
)

// running is a karma process a test signals while it works.
type running struct {
	cmd    *exec.Cmd
	stdout syncBuffer
	stderr syncBuffer
	done   chan struct{}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (w *workspace) start(args ...string) *running {
	w.t.Helper()
	r := &running{cmd: exec.Command(karmaBin, args...), done: make(chan struct{})}
	r.cmd.Dir = w.dir
	r.cmd.Env = append(testenv.BaseEnv(), append([]string{"KARMA_LOG_DIR=" + w.logDir}, w.env...)...)
	r.cmd.Stdout, r.cmd.Stderr = &r.stdout, &r.stderr
	require.NoError(w.t, r.cmd.Start())
	go func() { _ = r.cmd.Wait(); close(r.done) }()
	w.t.Cleanup(func() { _ = r.cmd.Process.Kill() })
	return r
}

// waitFor waits until karma has printed text.
func (r *running) waitFor(t *testing.T, text string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(r.stdout.String()+r.stderr.String(), text) {
		select {
		case <-r.done:
			t.Fatalf("karma exited before printing %q:\n%s%s", text, r.stdout.String(), r.stderr.String())
		default:
		}
		require.True(t, time.Now().Before(deadline), "karma never printed %q:\n%s", text, r.stdout.String())
		time.Sleep(20 * time.Millisecond)
	}
}

// exit waits for karma to exit and returns its exit code and how long it took.
func (r *running) exit(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-r.done:
	case <-time.After(within):
		t.Fatalf("karma did not exit within %s:\n%s%s", within, r.stdout.String(), r.stderr.String())
	}
	return r.cmd.ProcessState.ExitCode()
}

const slowStarted = "terraform_data.slow: Provisioning with 'local-exec'..."

func TestInterruptedApplyIsRecorded(t *testing.T) {
	t.Parallel()
	names := map[syscall.Signal]string{syscall.SIGTERM: "SIGTERM", syscall.SIGINT: "SIGINT"}
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT} {
		t.Run(names[sig], func(t *testing.T) {
			t.Parallel()
			w := newWorkspace(t, "sleeping")
			r := w.start("apply", "-auto-approve")
			r.waitFor(t, slowStarted)
			signalled := time.Now()

			require.NoError(t, r.cmd.Process.Signal(sig))
			code := r.exit(t, 20*time.Second)

			assert.NotEqual(t, 0, code, "an interrupted apply exits non-zero")
			assert.Less(t, time.Since(signalled), 15*time.Second, "karma stops within seconds, not after the minute-long sleep")
			assert.Contains(t, r.stderr.String(), "asked terraform to stop gracefully")
			assert.Contains(t, r.stderr.String(), "karma: terraform apply was interrupted (exit 1); recorded as interrupted in event")
			evs := w.events()
			require.Len(t, evs, 3, "plan, the interrupt, the apply")
			assert.Equal(t, audit.StatusPlanned, evs[0].Status)
			assert.Equal(t, "interrupt", evs[1].Action)
			assert.Equal(t, "requested", evs[1].Status)
			assert.Equal(t, names[sig], evs[1].Detail["signal"])
			apply := evs[2]
			assert.Equal(t, audit.StatusInterrupted, apply.Status)
			assert.Equal(t, map[string]string{
				"terraform_data.before":      audit.ResultApplied,
				"terraform_data.independent": audit.ResultApplied,
				"terraform_data.slow":        audit.ResultFailed,
				"terraform_data.after":       audit.ResultSkipped,
			}, resultsOf(apply))
			assert.Contains(t, w.object(apply.PostState), `"terraform_data.before"`, "the state after the interrupt is recorded")
			for _, c := range apply.Changes {
				if c.Address == "terraform_data.slow" {
					assert.Equal(t, []audit.Provisioner{{Type: "local-exec", Result: "errored"}}, c.Provisioners)
				}
			}
			assert.NoFileExists(t, filepath.Join(w.dir, ".terraform.tfstate.lock.info"), "terraform released its lock")

			show := w.karma("log", "show", apply.ID)
			assert.Contains(t, show.Stdout, "What happened: the apply interrupted before it finished:")
			assert.Contains(t, show.Stdout, "never ran   1: terraform_data.after")
			next := w.karma("plan")
			assert.Equal(t, 0, next.Code, "a following plan works: %s", next.Output())
			assert.Equal(t, 0, w.karma("log", "verify").Code, "no event lost")
		})
	}
}

func TestSecondSignalForcesTheStop(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "sleeping")
	r := w.start("apply", "-auto-approve")
	r.waitFor(t, slowStarted)

	require.NoError(t, r.cmd.Process.Signal(syscall.SIGTERM))
	r.waitFor(t, "asked terraform to stop gracefully")
	require.NoError(t, r.cmd.Process.Signal(syscall.SIGINT))
	code := r.exit(t, 20*time.Second)

	assert.NotEqual(t, 0, code)
	var statuses []string
	for _, ev := range w.events() {
		statuses = append(statuses, ev.Action+" "+ev.Status)
	}
	assert.Contains(t, statuses, "interrupt requested")
	assert.Contains(t, statuses, "interrupt forced", "the second signal is recorded")
	assert.Equal(t, "terraform_apply interrupted", statuses[len(statuses)-1])
	assert.Equal(t, 0, w.karma("log", "verify").Code)
}

func TestKilledRunIsRecordedAsAbandoned(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "sleeping")
	r := w.start("apply", "-auto-approve")
	r.waitFor(t, slowStarted)
	killed := w.events()
	require.Len(t, killed, 1, "the plan was recorded before the apply started")

	require.NoError(t, r.cmd.Process.Kill())
	r.exit(t, 10*time.Second)
	waitForNoTerraform(t, w.dir)
	markers, _ := filepath.Glob(filepath.Join(w.logDir, "runs", "*.json"))
	require.Len(t, markers, 1, "the killed run left its marker")

	next := w.karma("plan")

	require.Equal(t, 0, next.Code, next.Output())
	assert.Contains(t, next.Stderr, "karma: warning: run "+killed[0].RunID+" (karma apply in "+w.dir)
	assert.Contains(t, next.Stderr, "never finished; recorded as abandoned in event")
	evs := w.events()
	require.Len(t, evs, 3, "the plan, the abandoned run, the new plan")
	abandoned := evs[1]
	assert.Equal(t, audit.ActionApply, abandoned.Action)
	assert.Equal(t, audit.StatusAbandoned, abandoned.Status)
	assert.Equal(t, killed[0].RunID, abandoned.RunID)
	assert.Equal(t, killed[0].ID, abandoned.PlanEvent)
	assert.Equal(t, float64(r.cmd.Process.Pid), abandoned.Detail["pid"])
	assert.Contains(t, w.object(abandoned.PostState), `"terraform_data.before"`, "the state now is what can be known")
	assert.Len(t, abandoned.Changes, 4, "what was planned")
	markers, _ = filepath.Glob(filepath.Join(w.logDir, "runs", "*.json"))
	assert.Empty(t, markers, "recorded once")
	assert.Equal(t, 0, w.karma("log", "verify").Code, "no event lost")
}

// waitForNoTerraform waits until no terraform runs in dir: terraform-exec
// asks the kernel to kill terraform when the karma that started it dies.
func waitForNoTerraform(t *testing.T, dir string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if !terraformRunsIn(dir) {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("terraform still runs in %s after karma was killed", dir)
}

func terraformRunsIn(dir string) bool {
	procs, _ := filepath.Glob("/proc/[0-9]*/cwd")
	for _, p := range procs {
		cwd, err := os.Readlink(p)
		if err != nil || cwd != dir {
			continue
		}
		exe, err := os.Readlink(filepath.Join(filepath.Dir(p), "exe"))
		if err == nil && strings.HasSuffix(exe, "terraform") {
			return true
		}
	}
	return false
}

func resultsOf(ev audit.Event) map[string]string {
	out := map[string]string{}
	for _, c := range ev.Changes {
		out[c.Address] = c.Result
	}
	return out
}
