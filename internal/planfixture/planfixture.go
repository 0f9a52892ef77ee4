// Package planfixture makes the plan fixtures with the real terraform: each
// case under fixtures/plans applies its setup/ configuration (when it has
// one), then plans its config/ configuration on top of that state.
package planfixture

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/usekarma/karma/internal/testenv"
)

// Result is what terraform made of one case.
type Result struct {
	// PlanJSON is `terraform show -json` of the plan.
	PlanJSON []byte
	// Text is terraform's own rendering of the plan (`terraform show -no-color`).
	Text string
}

// Cases lists the case directories under root, sorted.
func Cases(root string) ([]string, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		return nil, err
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() {
			cases = append(cases, filepath.Join(root, e.Name()))
		}
	}
	sort.Strings(cases)
	return cases, nil
}

// Generate plans one case in work (an empty directory) with the terraform
// binary at tf and env as its environment.
func Generate(tf, caseDir, work string, env []string) (*Result, error) {
	run := func(args ...string) ([]byte, error) {
		cmd := exec.Command(tf, args...)
		cmd.Dir = work
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("terraform %s in %s: %v\n%s", strings.Join(args, " "), work, err, errOut.String())
		}
		return out.Bytes(), nil
	}
	if _, err := os.Stat(filepath.Join(caseDir, "setup")); err == nil {
		if err := testenv.CopyDir(filepath.Join(caseDir, "setup"), work); err != nil {
			return nil, err
		}
		if _, err := run("init", "-input=false", "-no-color"); err != nil {
			return nil, err
		}
		if _, err := run("apply", "-auto-approve", "-input=false", "-no-color"); err != nil {
			return nil, err
		}
		if err := removeConfig(work); err != nil {
			return nil, err
		}
	}
	if err := testenv.CopyDir(filepath.Join(caseDir, "config"), work); err != nil {
		return nil, err
	}
	if _, err := run("init", "-input=false", "-no-color"); err != nil {
		return nil, err
	}
	args := append([]string{"plan", "-input=false", "-no-color", "-out=tfplan"}, extraArgs(caseDir)...)
	if _, err := run(args...); err != nil {
		return nil, err
	}
	planJSON, err := run("show", "-json", "tfplan")
	if err != nil {
		return nil, err
	}
	text, err := run("show", "-no-color", "tfplan")
	if err != nil {
		return nil, err
	}
	return &Result{PlanJSON: planJSON, Text: string(text)}, nil
}

// extraArgs reads the case's args file: plan flags, one per line.
func extraArgs(caseDir string) []string {
	data, err := os.ReadFile(filepath.Join(caseDir, "args"))
	if err != nil {
		return nil
	}
	return strings.Fields(string(data))
}

// removeConfig deletes the setup's configuration files, keeping state.
func removeConfig(dir string) error {
	for _, pattern := range []string{"*.tf", "*.tf.json"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			if err := os.Remove(f); err != nil {
				return err
			}
		}
	}
	return nil
}
