// Command genplans regenerates the plan fixtures with the real terraform:
// fixtures/plans/<case>/plan.json and terraform.txt. Run it with make fixtures.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/usekarma/karma/internal/planfixture"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "genplans:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	if len(args) != 1 {
		return fmt.Errorf("usage: genplans FIXTURES_DIR")
	}
	tf, err := exec.LookPath("terraform")
	if err != nil {
		return fmt.Errorf("terraform must be on PATH: %w", err)
	}
	cases, err := planfixture.Cases(args[0])
	if err != nil {
		return err
	}
	env := append(os.Environ(), "TF_CLI_CONFIG_FILE=/dev/null", "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")
	for _, c := range cases {
		work, err := os.MkdirTemp("", "karma-genplans-")
		if err != nil {
			return err
		}
		res, err := planfixture.Generate(tf, c, work, env)
		os.RemoveAll(work)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(c, "plan.json"), res.PlanJSON, 0o644); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(c, "terraform.txt"), []byte(res.Text), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d bytes of plan JSON\n", filepath.Base(c), len(res.PlanJSON))
	}
	return nil
}
