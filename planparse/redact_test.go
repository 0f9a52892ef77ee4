package planparse_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-json/sanitize"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/testenv"
	"github.com/usekarma/karma/planparse"
)

// fixtureSecrets lists the secrets a fixture uses (its secrets.txt).
func fixtureSecrets(t *testing.T, name string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Fixture("plans"), name, "secrets.txt"))
	if os.IsNotExist(err) {
		return nil
	}
	require.NoError(t, err)
	return strings.Fields(string(data))
}

func fixturePlan(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testenv.Fixture("plans"), name, "plan.json"))
	require.NoError(t, err)
	return data
}

func TestRedactedDocumentsHoldNoSecret(t *testing.T) {
	for _, name := range []string{"update", "sensitive", "modules"} {
		t.Run(name, func(t *testing.T) {
			raw := fixturePlan(t, name)
			secrets := fixtureSecrets(t, name)
			require.NotEmpty(t, secrets)
			for _, s := range secrets {
				require.Contains(t, string(raw), s, "the fixture's plan really holds %s", s)
			}

			rec, err := planparse.Redact(raw)
			require.NoError(t, err)

			inputs, _ := json.Marshal(rec.Inputs)
			diff, _ := json.Marshal(rec.Diff)
			for _, s := range secrets {
				assert.NotContains(t, string(rec.Plan), s, "redacted plan")
				assert.NotContains(t, string(rec.PriorState), s, "redacted prior state")
				assert.NotContains(t, string(inputs), s, "inputs")
				assert.NotContains(t, string(diff), s, "diff")
			}
			assert.True(t, json.Valid(rec.Plan), "the redacted plan is still JSON")
			var plan tfjson.Plan
			assert.NoError(t, json.Unmarshal(rec.Plan, &plan), "and still a plan terraform-json reads")
		})
	}
}

// TestRedactClosesWhatSanitizeLeavesOpen shows each gap in terraform-json's
// sanitize package on a real plan, and that karma's redaction closes it.
func TestRedactClosesWhatSanitizeLeavesOpen(t *testing.T) {
	sanitized := func(t *testing.T, raw []byte) string {
		var plan tfjson.Plan
		require.NoError(t, json.Unmarshal(raw, &plan))
		out, err := sanitize.SanitizePlan(&plan)
		require.NoError(t, err)
		doc, err := json.Marshal(out)
		require.NoError(t, err)
		return string(doc)
	}
	cases := []struct {
		fixture, secret, gap string
	}{
		{"sensitive", "nested-secret-after-Kk2", "the default of a sensitive variable in configuration"},
		{"modules", "module-secret-Mm4", "a sensitive default passed on in the configuration"},
		{"update", "update-secret-before-Hh8", "a value terraform copies unmarked (terraform_data.output in prior state)"},
	}
	for _, tc := range cases {
		t.Run(tc.gap, func(t *testing.T) {
			raw := fixturePlan(t, tc.fixture)
			require.Contains(t, sanitized(t, raw), tc.secret, "sanitize leaves it: %s", tc.gap)

			rec, err := planparse.Redact(raw)
			require.NoError(t, err)

			assert.NotContains(t, string(rec.Plan), tc.secret)
		})
	}
}

func TestRedactKeepsWhatIsNotSecret(t *testing.T) {
	rec, err := planparse.Redact(fixturePlan(t, "sensitive"))
	require.NoError(t, err)

	assert.Equal(t, planparse.Redacted, rec.Inputs["db_password"])
	assert.Contains(t, string(rec.Plan), `"user":"admin"`, "the non-sensitive neighbour of a secret is kept")
	assert.Contains(t, string(rec.Plan), `"public-token"`)
	assert.Contains(t, string(rec.Plan), `"sensitive":true`, "sensitivity flags are kept, so the redacted plan reads the same")
	reparsed, err := planparse.Parse(bytes.NewReader(rec.Plan))
	require.NoError(t, err)
	assert.Equal(t, rec.Diff.Summary, reparsed.Summary)
}

func TestRedactState(t *testing.T) {
	state := []byte(`{"format_version":"1.0","terraform_version":"1.11.4","values":{
	 "outputs":{"conn":{"sensitive":true,"value":"postgres://u:state-secret-Nn5@db","type":"string"},"name":{"sensitive":false,"value":"db","type":"string"}},
	 "root_module":{"resources":[
	  {"address":"terraform_data.db","mode":"managed","type":"terraform_data","name":"db","provider_name":"terraform.io/builtin/terraform","schema_version":0,
	   "values":{"id":"1","input":{"password":"state-secret-Nn5","user":"admin"},"output":{"password":"state-secret-Nn5","user":"admin"}},
	   "sensitive_values":{"input":{"password":true},"output":{}},"tainted":true}]}}}`)

	rs, err := planparse.RedactState(state, nil)
	require.NoError(t, err)

	assert.NotContains(t, string(rs.Doc), "state-secret-Nn5", "marked, copied unmarked, or inside a sensitive output")
	assert.Contains(t, string(rs.Doc), `"user":"admin"`)
	assert.Equal(t, []string{"terraform_data.db"}, rs.Addresses)
	assert.Equal(t, []string{"terraform_data.db"}, rs.Tainted)

	known := &planparse.Secrets{}
	known.Add("admin")
	rs, err = planparse.RedactState(state, known)
	require.NoError(t, err)
	assert.NotContains(t, string(rs.Doc), `"admin"`, "secrets known from the plan are redacted too")
}

func TestSecretsScrubFreeText(t *testing.T) {
	s := &planparse.Secrets{}
	s.Add("hunter2-long")
	s.Add("hunter2")
	s.Add("abc") // too short to match by value

	assert.Equal(t, "connect with REDACTED_SENSITIVE failed; abc", s.Scrub("connect with hunter2-long failed; abc"))
	assert.Equal(t, "REDACTED_SENSITIVE!", s.Scrub("hunter2!"))
	assert.Equal(t, 2, s.Len())
}

func fixturePlanBytes(name string) []byte {
	data, _ := os.ReadFile(filepath.Join(testenv.Fixture("plans"), name, "plan.json"))
	return data
}
