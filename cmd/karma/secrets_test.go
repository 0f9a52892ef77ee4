package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
)

// The secrets fixture's sensitive values, by where each comes from.
var fixtureSecrets = map[string]string{
	"variable default": "default-secret-Aa1",
	"-var":             "var-secret-Bb2",
	"TF_VAR_":          "env-secret-Cc3",
	"sensitive()":      "inline-secret-Dd4",
	"module argument":  "module-arg-secret-Ee5",
	"sensitive output": "output-secret-Ff6",
}

func TestSecretsNeverReachTheLogOrOutput(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t, "secrets")
	w.env = []string{"TF_VAR_license_key=" + fixtureSecrets["TF_VAR_"]}
	secretVar := "-var=api_token=" + fixtureSecrets["-var"]

	var output strings.Builder
	for _, args := range [][]string{
		{"plan", secretVar},
		{"plan", secretVar, "-out=tfplan"},
		{"apply", "tfplan"},
		{"apply", "-auto-approve", secretVar},
		{"apply", "-auto-approve", "-var=api_token=rotated-secret-Gg7"},
		{"log", "list"},
		{"log", "list", "--json"},
	} {
		res := w.karma(args...)
		require.Equal(t, 0, res.Code, "%v: %s", args, res.Output())
		output.WriteString(res.Output())
	}

	state := w.stateFile()
	for source, secret := range fixtureSecrets {
		if source != "-var" {
			require.Contains(t, state, secret, "the fixture really uses the %s secret", source)
		}
	}
	logged := readLogDir(t, w.logDir)
	for source, secret := range fixtureSecrets {
		assert.NotContains(t, logged, secret, "secret from %s found in the log directory", source)
		assert.NotContains(t, output.String(), secret, "secret from %s found in karma's output", source)
	}
	assert.NotContains(t, logged, "rotated-secret-Gg7")
	assert.Contains(t, logged, `"api_token":"REDACTED_SENSITIVE"`, "redacted inputs are still recorded")
}

// readLogDir returns every file of a log directory as text, objects
// decompressed, so a secret cannot hide in compressed bytes.
func readLogDir(t *testing.T, dir string) string {
	t.Helper()
	var all strings.Builder
	objects := audit.New(dir).Objects()
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(path, ".json.zst") {
			rel, _ := filepath.Rel(filepath.Join(dir, "objects"), path)
			digest := "sha256:" + strings.TrimSuffix(strings.ReplaceAll(rel, string(filepath.Separator), ""), ".json.zst")
			doc, err := objects.Get(digest)
			require.NoError(t, err, path)
			all.Write(doc)
			return nil
		}
		data, err := os.ReadFile(path)
		all.Write(data)
		return err
	})
	require.NoError(t, err)
	require.Contains(t, all.String(), "terraform_apply", "the log directory was read")
	return all.String()
}
