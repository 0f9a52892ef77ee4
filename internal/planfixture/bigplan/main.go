// Command bigplan writes the benchmark plan: a real 5,000-resource plan made
// by terraform, fanned out to 50,000 resources.
//
//	go run ./internal/planfixture/bigplan OUT.json
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/usekarma/karma/internal/planfixture"
	"github.com/usekarma/karma/internal/testenv"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bigplan:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: bigplan OUT.json")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("terraform must be on PATH: %w", err)
	}
	dir, err := os.MkdirTemp("", "karma-bigplan-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	cache := filepath.Join(testenv.RepoRoot(), "bin", "bench", "plan-5000.json")
	plan, err := planfixture.BigPlan(tf, dir, 5000, testenv.BaseEnv(), cache)
	if err != nil {
		return err
	}
	big, err := planfixture.Fanout(plan, 10)
	if err != nil {
		return err
	}
	return os.WriteFile(os.Args[1], big, 0o644)
}
