package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/testenv"
)

// karmaBin is the karma binary built from this tree for the end-to-end tests.
var karmaBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "karma-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	karmaBin, err = testenv.BuildKarma(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// workspace is a copy of a fixture, initialised, with its own log directory.
type workspace struct {
	t      *testing.T
	dir    string
	logDir string
	env    []string
}

func newWorkspace(t *testing.T, fixture string) *workspace {
	t.Helper()
	testenv.Terraform(t)
	dir := testenv.CopyFixture(t, fixture)
	testenv.Init(t, dir)
	return &workspace{t: t, dir: dir, logDir: filepath.Join(t.TempDir(), "log")}
}

// karma runs karma in the workspace with its log directory.
func (w *workspace) karma(args ...string) testenv.Result {
	w.t.Helper()
	return w.karmaIn("", args...)
}

func (w *workspace) karmaIn(stdin string, args ...string) testenv.Result {
	w.t.Helper()
	env := append([]string{"KARMA_LOG_DIR=" + w.logDir}, w.env...)
	return testenv.Cmd{Bin: karmaBin, Dir: w.dir, Env: env, Stdin: stdin, Args: args}.Run(w.t)
}

// events reads every event of the workspace's log.
func (w *workspace) events() []audit.Event {
	w.t.Helper()
	return readEvents(w.t, filepath.Join(w.logDir, audit.EventsFile))
}

func readEvents(t *testing.T, path string) []audit.Event {
	t.Helper()
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	defer f.Close()
	var events []audit.Event
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var ev audit.Event
		require.NoError(t, json.Unmarshal(sc.Bytes(), &ev), "line %d of %s", len(events)+1, path)
		events = append(events, ev)
	}
	require.NoError(t, sc.Err())
	return events
}

// object reads a document from the workspace's object store.
func (w *workspace) object(digest string) string {
	w.t.Helper()
	doc, err := audit.New(w.logDir).Objects().Get(digest)
	require.NoError(w.t, err)
	return string(doc)
}

// stateFile reads terraform's local state, or "" when there is none.
func (w *workspace) stateFile() string {
	b, err := os.ReadFile(filepath.Join(w.dir, "terraform.tfstate"))
	if err != nil {
		return ""
	}
	return string(b)
}

func lines(s string) []string {
	return strings.Split(strings.TrimRight(s, "\n"), "\n")
}
