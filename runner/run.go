package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"github.com/hashicorp/terraform-exec/tfexec"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

// Runner runs terraform for one karma invocation and records what happens.
type Runner struct {
	// Dir is terraform's working directory (-chdir).
	Dir      string
	Locator  Locator
	Identity Identity
	Log      *audit.Log
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
	// Interactive says stdin is a terminal, so approval can be asked for.
	Interactive bool
	Colors      render.Colors
	Env         Env
	// Signer, when set, signs a checkpoint of the log at the end of each run.
	Signer *audit.Signer
	// Mirror, when set, receives a copy of every event and document.
	Mirror audit.Mirror
	// MirrorRequired refuses to apply a plan whose event is not in the mirror.
	MirrorRequired bool
	// HandleSignals passes SIGINT and SIGTERM on to terraform as interrupts
	// while a run lasts, and records them.
	HandleSignals bool
}

// ExitError ends a command with an exit code and, unless Err is nil, a
// one-line reason.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// run is one invocation: one run id, one terraform, one context.
type run struct {
	*Runner
	id       string
	execPath string
	tf       *tfexec.Terraform
	// versionChecked records that terraform-exec knows terraform's version.
	versionChecked bool
	context        <-chan runContext
	rc             *runContext
	secrets        *planparse.Secrets
	tmpDir         string
	// restore undoes what the run changed around terraform (the workspace).
	restore    func()
	mirror     *mirrorer
	interrupts *interrupter
	recordMu   sync.Mutex // the signal handler records too
	unmark     func()     // removes the run's marker when it finishes
}

// start checks everything a run needs before terraform does anything: the
// working directory holds a configuration, the log can be written, terraform
// can be found. Nothing is recorded when one of these fails.
func (r *Runner) start(ctx context.Context, verb string) (*run, error) {
	if err := checkConfigDir(r.Dir); err != nil {
		return nil, err
	}
	execPath, err := r.Locator.Find(ctx)
	if err != nil {
		return nil, err
	}
	if err := r.Log.Prepare(); err != nil {
		return nil, fmt.Errorf("%w; %s not started (set --log-dir or KARMA_LOG_DIR to a writable directory)", err, verb)
	}
	tf, err := newTerraform(r.Dir, execPath)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "karma-run-")
	if err != nil {
		return nil, fmt.Errorf("create a private directory for the plan file: %w", err)
	}
	ch := make(chan runContext, 1)
	go func() { ch <- gatherContext(ctx, r.Dir, r.Identity, r.Env) }()
	run := &run{Runner: r, id: audit.NewID(), execPath: execPath, tf: tf, context: ch, secrets: &planparse.Secrets{}, tmpDir: tmp}
	if r.Mirror != nil {
		run.mirror = &mirrorer{log: r.Log, mirror: r.Mirror}
		run.mirror.kick() // what earlier runs left pending goes up now
	}
	run.recordAbandoned(ctx)
	if err := run.markRunning(verb); err != nil {
		run.close()
		return nil, err
	}
	if run.restore, err = run.useWorkspace(ctx); err != nil {
		run.close()
		return nil, err
	}
	run.watchSignals()
	return run, nil
}

func newTerraform(dir, execPath string) (*tfexec.Terraform, error) {
	tf, err := tfexec.NewTerraform(dir, execPath)
	if err != nil {
		return nil, fmt.Errorf("run terraform %s in %s: %w", execPath, dir, err)
	}
	return tf, nil
}

// terraform returns the run's terraform once terraform-exec knows its
// version. terraform-exec checks the version before most commands and writes
// that check's output wherever the command's output goes, which would put it
// in the middle of captured JSON; checking once first, with no output set,
// keeps it out.
func (run *run) terraform(ctx context.Context) (*tfexec.Terraform, error) {
	if !run.versionChecked {
		run.tf.SetStdout(nil)
		run.tf.SetStderr(nil)
		if _, _, err := run.tf.Version(ctx, false); err != nil {
			return nil, fmt.Errorf("run %s: %w", run.execPath, firstLine(err))
		}
		run.versionChecked = true
	}
	return run.tf, nil
}

// close puts back what the run changed and removes its temporary plan file,
// which holds secrets in the clear.
func (run *run) close() {
	run.stopWatching()
	if run.unmark != nil {
		run.unmark()
	}
	if run.restore != nil {
		run.restore()
	}
	os.RemoveAll(run.tmpDir)
}

// checkConfigDir fails early, with one clear line, where terraform would fail
// later with several.
func checkConfigDir(dir string) error {
	info, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("working directory %s: %w (use -chdir=DIR to point at a terraform configuration)", dir, unwrapPathErr(err))
	}
	if !info.IsDir() {
		return fmt.Errorf("working directory %s is not a directory (use -chdir=DIR to point at a terraform configuration)", dir)
	}
	for _, pattern := range []string{"*.tf", "*.tf.json"} {
		if m, _ := filepath.Glob(filepath.Join(dir, pattern)); len(m) > 0 {
			return nil
		}
	}
	return fmt.Errorf("%s is not a terraform configuration: it has no .tf or .tf.json files (use -chdir=DIR to point at one)", dir)
}

// ctxInfo waits for the context gathered beside terraform.
func (run *run) ctxInfo() runContext {
	if run.rc == nil {
		rc := <-run.context
		run.rc = &rc
	}
	return *run.rc
}

// event starts an event of this run, stamped with its context.
func (run *run) event(action, status string) *audit.Event {
	rc := run.ctxInfo()
	return &audit.Event{
		ID: audit.NewID(), Timestamp: audit.Now(), RunID: run.id, Action: action, Status: status,
		Component: rc.component, User: rc.user, Source: rc.source,
		Workspace: rc.workspace, WorkingDir: run.Dir, Git: rc.git, CI: rc.ci, Host: rc.host,
	}
}

// record appends ev to the log. Diagnostics and errors are scrubbed of every
// secret the run has met first.
func (run *run) record(ev *audit.Event) error {
	run.recordMu.Lock()
	defer run.recordMu.Unlock()
	for i := range ev.Diagnostics {
		d := &ev.Diagnostics[i]
		d.Summary, d.Detail = run.secrets.Scrub(d.Summary), run.secrets.Scrub(d.Detail)
	}
	ev.Error = run.secrets.Scrub(ev.Error)
	run.Log.Actor = audit.Actor{User: ev.User, Source: ev.Source, Host: ev.Host}
	if err := run.Log.Append(ev); err != nil {
		return err
	}
	run.mirror.kick()
	return nil
}

// store puts a redacted document in the object store.
func (run *run) store(doc []byte) (string, error) {
	if doc == nil {
		return "", nil
	}
	return run.Log.Objects().Put(doc)
}

// withOutput points a terraform's output streams at w and ew for one command.
func withOutput(tf *tfexec.Terraform, w, ew io.Writer) func() {
	tf.SetStdout(w)
	tf.SetStderr(ew)
	return func() {
		tf.SetStdout(nil)
		tf.SetStderr(nil)
	}
}

// showJSON runs terraform show -json (of path, or of the state when path is
// empty) and returns its output as terraform wrote it.
func (run *run) showJSON(ctx context.Context, path string) ([]byte, error) {
	tf, err := run.terraform(ctx)
	if err != nil {
		return nil, err
	}
	var out, errOut bytes.Buffer
	defer withOutput(tf, &out, &errOut)()
	if path == "" {
		_, err = tf.Show(ctx)
	} else {
		_, err = tf.ShowPlanFile(ctx, path)
	}
	if err != nil {
		return nil, fmt.Errorf("terraform show -json: %w", firstLine(err))
	}
	return out.Bytes(), nil
}

// exitCode is terraform's exit code inside an error from terraform-exec, or 1.
func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() > 0 {
		return ee.ExitCode()
	}
	return 1
}

// firstLine keeps an error to its first line: terraform-exec appends all of
// terraform's stderr, which the user has already seen.
func firstLine(err error) error {
	msg := err.Error()
	if i := bytes.IndexByte([]byte(msg), '\n'); i >= 0 {
		return errors.New(msg[:i])
	}
	return err
}

func durationMS(since time.Time) int64 {
	return time.Since(since).Milliseconds()
}

func intPtr(i int) *int { return &i }

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
