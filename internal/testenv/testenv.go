// Package testenv gives karma's tests the real parts they run against: the
// terraform binary, copies of the fixtures, and a karma binary built from this
// tree. Tests that need terraform skip loudly without it, except under CI=true,
// where a missing terraform fails them.
package testenv

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// RepoRoot is the root of the karma source tree.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "..", ".."))
}

// Fixture is the path of a fixture in the source tree.
func Fixture(name string) string {
	return filepath.Join(RepoRoot(), "fixtures", filepath.FromSlash(name))
}

// Terraform returns the path of the terraform binary on PATH. Without one the
// test is skipped with the reason, or fails under CI=true.
func Terraform(t testing.TB) string {
	t.Helper()
	path, err := exec.LookPath("terraform")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("terraform is not on PATH, and CI=true makes that a failure: install terraform 1.x")
		}
		t.Skipf("SKIPPED: terraform is not on PATH (%v); these tests run the real binary", err)
	}
	return path
}

// CopyFixture copies a fixture into a new temporary directory and returns it.
func CopyFixture(t testing.TB, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), filepath.Base(name))
	if err := CopyDir(Fixture(name), dst); err != nil {
		t.Fatalf("copy fixture %s: %v", name, err)
	}
	return dst
}

// CopyDir copies a directory tree of regular files.
func CopyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

// BaseEnv is the environment terraform and karma run with in tests: no CLI
// config file warnings, no checkpoint calls, no CI detection from the machine
// the tests run on.
func BaseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if isCIVar(name) || strings.HasPrefix(name, "KARMA_") || strings.HasPrefix(name, "TF_") || name == "NO_COLOR" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
}

func isCIVar(name string) bool {
	switch name {
	case "CI", "JENKINS_URL":
		return true
	}
	for _, prefix := range []string{"GITHUB_", "GITLAB_", "BUILDKITE", "CIRCLE", "BUILD_", "SYSTEM_"} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}

// Init runs terraform init in dir.
func Init(t testing.TB, dir string) {
	t.Helper()
	cmd := exec.Command(Terraform(t), "init", "-input=false", "-no-color")
	cmd.Dir = dir
	cmd.Env = BaseEnv()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("terraform init in %s: %v\n%s", dir, err, out)
	}
}

// BuildKarma builds the karma binary into dir and returns its path. Test
// packages call it once, from TestMain.
func BuildKarma(dir string) (string, error) {
	bin := filepath.Join(dir, "karma")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/karma")
	cmd.Dir = RepoRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build ./cmd/karma: %v\n%s", err, out)
	}
	return bin, nil
}

// Result is what a command printed and how it exited.
type Result struct {
	Stdout, Stderr string
	Code           int
}

// Output is stdout and stderr together, for searching.
func (r Result) Output() string { return r.Stdout + r.Stderr }

// Cmd describes one karma invocation.
type Cmd struct {
	Bin   string
	Dir   string
	Env   []string
	Stdin string
	Args  []string
}

// Run runs the command, failing the test only if it cannot start or does not
// finish within two minutes.
func (c Cmd) Run(t testing.TB) Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.Bin, c.Args...)
	cmd.Dir = c.Dir
	cmd.Env = append(BaseEnv(), c.Env...)
	cmd.Stdin = strings.NewReader(c.Stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("run %s %v: %v", c.Bin, c.Args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %v did not finish in time\nstdout:\n%s\nstderr:\n%s", c.Bin, c.Args, stdout.String(), stderr.String())
	}
	return Result{Stdout: stdout.String(), Stderr: stderr.String(), Code: cmd.ProcessState.ExitCode()}
}

// WriteSigningKey writes a new ed25519 private key (PEM, PKCS #8) to path.
func WriteSigningKey(path string) error {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return err
	}
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
}
