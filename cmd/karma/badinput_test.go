package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/testenv"
)

func TestUnwritableLogDirStopsApplyBeforeTerraform(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	notADir := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(notADir, []byte("x"), 0o600))
	w.logDir = filepath.Join(notADir, "log")

	res := w.karma("apply", "-auto-approve")

	assert.Equal(t, 1, res.Code)
	assert.Equal(t, []string{"karma: cannot write audit log " + filepath.Join(w.logDir, "events.jsonl") +
		": not a directory; apply not started (set --log-dir or KARMA_LOG_DIR to a writable directory)"}, lines(res.Stderr))
	assert.Empty(t, res.Stdout, "terraform never ran")
	assert.Empty(t, w.stateFile(), "the state is untouched")
}

func TestLogThatCannotBeWrittenStopsApplyBeforeTerraformApply(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.NoError(t, os.MkdirAll(w.logDir, 0o700))
	require.NoError(t, os.Symlink("/dev/full", filepath.Join(w.logDir, "events.jsonl")))

	res := w.karma("apply", "-auto-approve")

	assert.Equal(t, 1, res.Code)
	assert.Contains(t, res.Stderr, "cannot write audit log")
	assert.Contains(t, res.Stderr, "no space left on device; the plan was not recorded, so nothing will be applied")
	assert.NotContains(t, res.Stdout, "Creating...", "terraform apply never started")
	assert.Empty(t, w.stateFile(), "the state is untouched")
}

func TestBadInputIsOneClearLine(t *testing.T) {
	t.Parallel()
	testenv.Terraform(t)
	notConfig := t.TempDir()
	emptyPath := t.TempDir()
	cases := []struct {
		name string
		env  []string
		args []string
		want string
	}{
		{"unknown flag", nil, []string{"apply", "-bogus"},
			"karma: flag provided but not defined: -bogus (see karma apply --help)"},
		{"not a configuration", nil, []string{"-chdir=" + notConfig, "plan"},
			"karma: " + notConfig + " is not a terraform configuration: it has no .tf or .tf.json files (use -chdir=DIR to point at one)"},
		{"missing directory", nil, []string{"-chdir=/nonexistent/dir", "plan"},
			"karma: working directory /nonexistent/dir: no such file or directory (use -chdir=DIR to point at a terraform configuration)"},
		{"terraform path that does not exist", nil, []string{"--terraform=/nonexistent/terraform", "plan"},
			"karma: terraform not found at /nonexistent/terraform (from --terraform or KARMA_TERRAFORM): no such file or directory"},
		{"flag after argument", nil, []string{"apply", "tfplan", "-auto-approve"},
			`karma apply takes [PLANFILE], got ["tfplan" "-auto-approve"] (flags go before arguments)`},
		{"bad time", nil, []string{"log", "list", "--since", "yesterday"},
			`karma: --since: "yesterday" is not a time: use RFC 3339 (2025-04-18T20:41:00Z), a date (2025-04-18) or a duration back from now (36h, 7d)`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			logDir := filepath.Join(t.TempDir(), "log")
			dir := testenv.CopyFixture(t, "basic")
			env := append([]string{"KARMA_LOG_DIR=" + logDir}, tc.env...)

			res := testenv.Cmd{Bin: karmaBin, Dir: dir, Env: env, Args: tc.args}.Run(t)

			assert.Equal(t, 1, res.Code)
			require.Len(t, lines(res.Stderr), 1, res.Stderr)
			assert.Contains(t, res.Stderr, tc.want)
			assert.NoFileExists(t, filepath.Join(logDir, "events.jsonl"), "nothing is recorded")
		})
	}
	t.Run("terraform missing and not downloadable", func(t *testing.T) {
		logDir := filepath.Join(t.TempDir(), "log")
		dir := testenv.CopyFixture(t, "basic")
		gitPath, err := exec.LookPath("git")
		require.NoError(t, err)
		env := []string{"KARMA_LOG_DIR=" + logDir, "PATH=" + emptyPath + ":" + filepath.Dir(gitPath), "XDG_CACHE_HOME=" + t.TempDir(),
			"KARMA_TERRAFORM_VERSION=0.0.1"}

		res := testenv.Cmd{Bin: karmaBin, Dir: dir, Env: env, Args: []string{"plan"}}.Run(t)

		assert.Equal(t, 1, res.Code)
		require.Len(t, lines(res.Stderr), 1, res.Stderr)
		assert.Contains(t, res.Stderr, "karma: terraform not found on PATH, and downloading it failed")
		assert.Contains(t, res.Stderr, "install terraform, or set --terraform or KARMA_TERRAFORM to its path")
		assert.NoFileExists(t, filepath.Join(logDir, "events.jsonl"))
	})
}

// terraformIn runs terraform itself in dir.
func terraformIn(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(testenv.Terraform(t), args...)
	cmd.Dir = dir
	cmd.Env = testenv.BaseEnv()
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "terraform %v: %s", args, out)
}
