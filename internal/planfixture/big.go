package planfixture

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// bigConfig is a configuration of n terraform_data resources, each with a
// nested input like a real resource's: a name, tags, a list, and a sensitive
// token, so a plan of it exercises every part of the reader.
func bigConfig(n int) string {
	return fmt.Sprintf(`variable "token" {
  type      = string
  sensitive = true
  default   = "bench-secret-token"
}

resource "terraform_data" "r" {
  count = %d
  input = {
    name  = "resource-${count.index}"
    tags  = { team = "platform", env = "prod", index = tostring(count.index) }
    cidrs = ["10.0.${count.index %% 256}.0/24", "10.1.${count.index %% 256}.0/24"]
    token = var.token
  }
  triggers_replace = [count.index]
}
`, n)
}

// BigPlan returns the plan JSON of n created terraform_data resources, made
// by the real terraform at tf in dir. It is cached in cacheFile when given.
func BigPlan(tf, dir string, n int, env []string, cacheFile string) ([]byte, error) {
	if cacheFile != "" {
		if data, err := os.ReadFile(cacheFile); err == nil {
			return data, nil
		}
	}
	caseDir := filepath.Join(dir, "case")
	work := filepath.Join(dir, "work")
	for _, d := range []string{filepath.Join(caseDir, "config"), work} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := os.WriteFile(filepath.Join(caseDir, "config", "main.tf"), []byte(bigConfig(n)), 0o644); err != nil {
		return nil, err
	}
	res, err := Generate(tf, caseDir, work, env)
	if err != nil {
		return nil, err
	}
	if !strings.Contains(res.Text, fmt.Sprintf("Plan: %d to add", n)) {
		return nil, fmt.Errorf("the %d-resource plan does not add %d resources", n, n)
	}
	if cacheFile != "" {
		if err := os.MkdirAll(filepath.Dir(cacheFile), 0o755); err == nil {
			_ = os.WriteFile(cacheFile, res.PlanJSON, 0o644)
		}
	}
	return res.PlanJSON, nil
}
