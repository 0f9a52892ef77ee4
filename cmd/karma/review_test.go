package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/testenv"
)

func TestReviewReadsABinaryPlanFile(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	require.Equal(t, 0, w.karma("plan", "-out=tfplan").Code)

	text := w.karma("review", "tfplan")
	js := w.karma("review", "--format", "json", "tfplan")
	md := w.karma("review", "--format=markdown", filepath.Join(w.dir, "tfplan"))

	require.Equal(t, 0, text.Code, text.Output())
	assert.Contains(t, text.Stdout, `  + resource "terraform_data" "greeting" {`)
	assert.Contains(t, text.Stdout, "Plan: 2 to add, 0 to change, 0 to destroy.")
	require.Equal(t, 0, js.Code, js.Output())
	var doc struct {
		FormatVersion string         `json:"format_version"`
		Summary       map[string]int `json:"summary"`
		Changes       []struct {
			Address    string `json:"address"`
			Attributes []struct {
				Path string `json:"path"`
			} `json:"attributes"`
		} `json:"changes"`
		Outputs []any `json:"outputs"`
		Drift   []any `json:"drift"`
	}
	require.NoError(t, json.Unmarshal([]byte(js.Stdout), &doc))
	assert.Equal(t, "1.0", doc.FormatVersion)
	assert.Equal(t, 2, doc.Summary["add"])
	require.Len(t, doc.Changes, 2)
	assert.Equal(t, "terraform_data.greeting", doc.Changes[0].Address)
	require.Equal(t, 0, md.Code, md.Output())
	assert.True(t, strings.HasPrefix(md.Stdout, "### Terraform plan: 2 to add, 0 to change, 0 to destroy"))
}

func TestReviewReadsPlanJSONFromAFileOrStdin(t *testing.T) {
	t.Parallel()
	plan := filepath.Join(testenv.Fixture("plans"), "replace", "plan.json")
	data, err := os.ReadFile(plan)
	require.NoError(t, err)

	fromFile := testenv.Cmd{Bin: karmaBin, Args: []string{"review", plan}}.Run(t)
	fromStdin := testenv.Cmd{Bin: karmaBin, Stdin: string(data), Args: []string{"review", "-"}}.Run(t)

	require.Equal(t, 0, fromFile.Code, fromFile.Output())
	assert.Equal(t, fromFile.Stdout, fromStdin.Stdout)
	assert.Contains(t, fromFile.Stdout, `-/+ resource "terraform_data" "server" {`)
	assert.NotContains(t, fromFile.Stdout, "\x1b[", "no colour when piped")
}

func TestReviewBadInputIsOneLine(t *testing.T) {
	t.Parallel()
	plan := filepath.Join(testenv.Fixture("plans"), "create", "plan.json")
	data, err := os.ReadFile(plan)
	require.NoError(t, err)
	cases := []struct {
		name  string
		stdin string
		args  []string
		want  string
	}{
		{"truncated", string(data[:500]), []string{"review", "-"}, "karma: read plan from stdin: plan JSON is truncated: it ends after 500 bytes"},
		{"missing file", "", []string{"review", "/nonexistent/plan.json"}, "karma: read plan /nonexistent/plan.json: no such file or directory"},
		{"unknown format", "", []string{"review", "--format", "yaml", plan}, `karma: unknown format "yaml": use text, markdown or json`},
		{"no plan given", "", []string{"review"}, "karma: karma review takes one PLAN: a plan file, plan JSON, or - for stdin"},
		{"future format", `{"format_version":"2.0"}`, []string{"review", "-"}, `unsupported plan format_version "2.0"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := testenv.Cmd{Bin: karmaBin, Stdin: tc.stdin, Args: tc.args}.Run(t)

			assert.Equal(t, 1, res.Code)
			assert.Empty(t, res.Stdout)
			require.Len(t, lines(res.Stderr), 1, res.Stderr)
			assert.Contains(t, res.Stderr, tc.want)
		})
	}
}

func TestPlanAppendsToGitHubStepSummary(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "basic")
	summary := filepath.Join(t.TempDir(), "summary.md")
	w.env = []string{"GITHUB_STEP_SUMMARY=" + summary}

	require.Equal(t, 0, w.karma("plan").Code)
	require.Equal(t, 0, w.karma("apply", "-auto-approve").Code)

	data, err := os.ReadFile(summary)
	require.NoError(t, err)
	assert.Contains(t, string(data), "### karma terraform_plan · basic: 2 to add, 0 to change, 0 to destroy")
	assert.Equal(t, 2, strings.Count(string(data), "| add | change | destroy |"), "plan and apply each append")
	assert.Contains(t, string(data), "<code>terraform_data.greeting</code>")
}
