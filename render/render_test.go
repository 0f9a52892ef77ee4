package render_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/planfixture"
	"github.com/usekarma/karma/internal/testenv"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
)

var update = flag.Bool("update", false, "rewrite the golden files from the current output")

var goldenFiles = map[string]string{"text": "review.txt", "markdown": "review.md", "json": "review.json"}

// renderings renders a fixture's stored plan in every format.
func renderings(t *testing.T, dir string) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, "plan.json"))
	require.NoError(t, err)
	defer f.Close()
	d, err := planparse.Parse(f)
	require.NoError(t, err)
	out := map[string]string{}
	for _, format := range render.Formats {
		r, err := render.ForFormat(format, render.Colors{})
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, r.Render(&b, d))
		out[format] = b.String()
	}
	return out
}

// TestGoldenRenderings renders every fixture in every format and compares
// with the golden files beside it. go test ./render -update rewrites them.
func TestGoldenRenderings(t *testing.T) {
	cases, err := planfixture.Cases(testenv.Fixture("plans"))
	require.NoError(t, err)
	for _, dir := range cases {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			for format, got := range renderings(t, dir) {
				path := filepath.Join(dir, goldenFiles[format])
				if *update {
					require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
					continue
				}
				want, err := os.ReadFile(path)
				require.NoError(t, err, "no golden file: run go test ./render -update")
				assert.Equal(t, string(want), got, "%s rendering differs from %s (go test ./render -update rewrites it)", format, path)
			}
		})
	}
}

// TestNoSecretInAnyRendering renders every fixture that has secrets in all
// three formats and searches for each secret.
func TestNoSecretInAnyRendering(t *testing.T) {
	cases, err := planfixture.Cases(testenv.Fixture("plans"))
	require.NoError(t, err)
	checked := 0
	for _, dir := range cases {
		data, err := os.ReadFile(filepath.Join(dir, "secrets.txt"))
		if os.IsNotExist(err) {
			continue
		}
		require.NoError(t, err)
		plan, err := os.ReadFile(filepath.Join(dir, "plan.json"))
		require.NoError(t, err)
		for format, out := range renderings(t, dir) {
			for _, secret := range strings.Fields(string(data)) {
				require.Contains(t, string(plan), secret, "the plan itself holds the secret")
				assert.NotContains(t, out, secret, "%s: %s rendering shows a secret", filepath.Base(dir), format)
				checked++
			}
		}
	}
	assert.GreaterOrEqual(t, checked, 18, "every secret of every fixture, in three formats")
}

func TestTextColours(t *testing.T) {
	f, err := os.Open(filepath.Join(testenv.Fixture("plans"), "replace", "plan.json"))
	require.NoError(t, err)
	defer f.Close()
	d, err := planparse.Parse(f)
	require.NoError(t, err)
	var plain, coloured bytes.Buffer

	require.NoError(t, render.Text{}.Render(&plain, d))
	require.NoError(t, render.Text{Colors: render.Colors{On: true}}.Render(&coloured, d))

	assert.NotContains(t, plain.String(), "\x1b[")
	assert.Contains(t, coloured.String(), "\x1b[31m-/+\x1b[0m", "replacements in red")
}

func TestMarkdownMakesDestructionStandOut(t *testing.T) {
	out := renderings(t, filepath.Join(testenv.Fixture("plans"), "delete"))["markdown"]

	assert.Contains(t, out, "| add | change | destroy |")
	assert.Contains(t, out, "> [!WARNING]\n> This plan destroys 3 resource(s):")
	assert.Contains(t, out, "<details><summary>🔴 <b>destroy</b> <code>terraform_data.legacy</code></summary>")
	assert.Equal(t, strings.Count(out, "<details>"), strings.Count(out, "</details>"))
}
