package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// ShowPlan reads a binary plan file as JSON with terraform show -json. It runs
// in the runner's directory when that holds a configuration, else in the plan
// file's own directory, where `karma plan -out` usually leaves it; terraform
// needs the configuration's providers to read the plan.
func (r *Runner) ShowPlan(ctx context.Context, planFile string) ([]byte, error) {
	abs, err := filepath.Abs(planFile)
	if err != nil {
		return nil, err
	}
	dir := r.Dir
	if checkConfigDir(dir) != nil && checkConfigDir(filepath.Dir(abs)) == nil {
		dir = filepath.Dir(abs)
	}
	execPath, err := r.Locator.Find(ctx)
	if err != nil {
		return nil, err
	}
	tf, err := newTerraform(dir, execPath)
	if err != nil {
		return nil, err
	}
	if _, _, err := tf.Version(ctx, false); err != nil {
		return nil, fmt.Errorf("run %s: %w", execPath, firstLine(err))
	}
	var out bytes.Buffer
	defer withOutput(tf, &out, nil)()
	if _, err := tf.ShowPlanFile(ctx, abs); err != nil {
		return nil, fmt.Errorf("terraform show -json %s (in %s): %w", abs, dir, firstLine(err))
	}
	return out.Bytes(), nil
}

// IsPlanFile reports whether the file at path is a binary plan (a zip
// archive) rather than plan JSON.
func IsPlanFile(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	magic := make([]byte, 4)
	n, _ := f.Read(magic)
	return n == 4 && bytes.Equal(magic, []byte("PK\x03\x04")), nil
}
