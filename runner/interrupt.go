package runner

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/usekarma/karma/audit"
)

// Interrupt events: the first SIGINT or SIGTERM asks terraform to stop
// gracefully; a second forwards terraform's forced stop.
const (
	ActionInterrupt = "interrupt"
	StatusRequested = "requested"
	StatusForced    = "forced"
)

// interrupter turns SIGINT and SIGTERM into terraform interrupts. terraform
// runs in its own process group, so a Ctrl-C or a CI runner's SIGTERM never
// reaches it unless karma passes it on: the first signal cancels the
// terraform operation in progress, and terraform-exec sends terraform one
// interrupt and waits for it to save state and release its lock; a second
// signal sends terraform a second interrupt, its forced stop.
type interrupter struct {
	run     *run
	signals chan os.Signal

	mu     sync.Mutex
	count  int
	cancel context.CancelFunc // stops the terraform operation in progress
	action string             // the run's action, for the events
}

// watchSignals starts handling SIGINT and SIGTERM for the run's lifetime.
func (run *run) watchSignals() {
	if !run.HandleSignals {
		return
	}
	in := &interrupter{run: run, signals: make(chan os.Signal, 4)}
	signal.Notify(in.signals, os.Interrupt, syscall.SIGTERM)
	run.interrupts = in
	go in.loop()
}

// stopWatching gives signals back to their default handling.
func (run *run) stopWatching() {
	if run.interrupts != nil {
		signal.Stop(run.interrupts.signals)
	}
}

func (in *interrupter) loop() {
	for sig := range in.signals {
		in.mu.Lock()
		in.count++
		n, cancel := in.count, in.cancel
		in.mu.Unlock()
		switch n {
		case 1:
			in.record(StatusRequested, sig, "asked terraform to stop gracefully (one interrupt): it finishes what is in progress, saves state and releases its lock")
			if cancel != nil {
				cancel()
			}
		case 2:
			pid := terraformChild(in.run.execPath)
			detail := "terraform had already exited"
			if pid > 0 && syscall.Kill(pid, syscall.SIGINT) == nil {
				detail = fmt.Sprintf("sent terraform (pid %d) a second interrupt: its forced stop, which may lose state", pid)
			}
			in.record(StatusForced, sig, detail)
		default:
			fmt.Fprintln(in.run.Stderr, "karma: waiting for terraform to exit")
		}
	}
}

// record writes an interrupt event and tells the person at the terminal.
func (in *interrupter) record(status string, sig os.Signal, detail string) {
	fmt.Fprintf(in.run.Stderr, "\nkarma: %s received: %s\n", sig, detail)
	ev := in.run.event(ActionInterrupt, status)
	ev.Detail = map[string]any{"signal": signalName(sig), "detail": detail, "during": in.action}
	if err := in.run.record(ev); err != nil {
		fmt.Fprintf(in.run.Stderr, "karma: warning: could not record the interrupt: %v\n", err)
	}
}

// operation returns a context for one terraform operation that the first
// signal cancels; done unregisters it. A run already interrupted gets a
// cancelled context, so no new operation starts.
func (run *run) operation(ctx context.Context, action string) (context.Context, func()) {
	opCtx, cancel := context.WithCancel(ctx)
	in := run.interrupts
	if in == nil {
		return opCtx, cancel
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.action = action
	if in.count > 0 {
		cancel()
	}
	in.cancel = cancel
	return opCtx, func() {
		in.mu.Lock()
		in.cancel = nil
		in.mu.Unlock()
		cancel()
	}
}

// interrupted reports whether the run has been asked to stop.
func (run *run) interrupted() bool {
	if run.interrupts == nil {
		return false
	}
	run.interrupts.mu.Lock()
	defer run.interrupts.mu.Unlock()
	return run.interrupts.count > 0
}

func signalName(sig os.Signal) string {
	if s, ok := sig.(syscall.Signal); ok {
		switch s {
		case syscall.SIGINT:
			return "SIGINT"
		case syscall.SIGTERM:
			return "SIGTERM"
		}
	}
	return sig.String()
}

// terraformChild finds the terraform process karma started, to send it a
// second interrupt: terraform-exec does not expose it. It reads /proc, so it
// finds nothing off Linux, and the second interrupt is then not sent.
func terraformChild(execPath string) int {
	want, _ := filepath.EvalSymlinks(execPath)
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0
	}
	self := os.Getpid()
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// pid (comm) state ppid …: comm may hold spaces, so split after ')'.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 2 || fields[1] != strconv.Itoa(self) {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == want {
			return pid
		}
	}
	return 0
}

// interruptedStatus is the status of an apply or plan event whose terraform
// ended: interrupted when a signal stopped it.
func (run *run) interruptedStatus(otherwise string) string {
	if run.interrupted() {
		return audit.StatusInterrupted
	}
	return otherwise
}
