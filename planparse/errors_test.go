package planparse_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/planparse"
)

func TestBadInputIsAClearError(t *testing.T) {
	deep := strings.Repeat("[", 200) + strings.Repeat("]", 200)
	cases := []struct {
		name, input, want string
	}{
		{"empty", "", "not a terraform plan: the input is empty"},
		{"not an object", "[1,2]", `expected "{"`},
		{"unsupported major version", `{"format_version":"2.0","resource_changes":[]}`, `unsupported plan format_version "2.0": karma reads plan format 1.x`},
		{"no format version", `{"resource_changes":[]}`, "not a terraform plan: no format_version"},
		{"a state, not a plan", `{"format_version":"1.0","values":{}}`, "is this a state file?"},
		{"truncated", `{"format_version":"1.2","resource_changes":[{"address":"a`, `plan JSON is truncated: it ends after 57 bytes in "resource_changes"`},
		{"malformed", `{"format_version":"1.2",,}`, "plan JSON is malformed near byte 24"},
		{"wrong shape", `{"format_version":"1.2","resource_changes":{"a":1}}`, `in "resource_changes": expected "["`},
		{"wrong type", `{"format_version":"1.2","resource_changes":[{"address":7}]}`, "does not match terraform's plan format"},
		{"trailing data", `{"format_version":"1.2","resource_changes":[]} {}`, "data after its end"},
		{"absurd nesting", `{"format_version":"1.2","resource_changes":[{"address":"x.y","mode":"managed","change":{"actions":["create"],"before":null,"after":{"v":` + deep + `}}}]}`,
			"x.y: values nest deeper than 100 levels"},
		{"nesting past the decoder's limit", `{"format_version":"1.2","variables":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "exceeded max depth"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := planparse.Parse(strings.NewReader(tc.input))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			_, err = planparse.Redact([]byte(tc.input))
			require.Error(t, err, "Redact refuses it too")
		})
	}
}

// TestEveryTruncationIsAnError cuts a real plan at every length and checks
// each prefix is refused with an error, never a panic or a partial diff.
func TestEveryTruncationIsAnError(t *testing.T) {
	for _, name := range []string{"update", "sensitive"} {
		raw := fixturePlan(t, name)
		for n := 0; n < len(raw)-1; n++ {
			prefix := bytes.TrimRight(raw[:n], " \n")
			if len(prefix) < n {
				continue // the cut fell in trailing whitespace: the plan is whole
			}
			_, err := planparse.Parse(bytes.NewReader(prefix))
			require.Error(t, err, "%s cut at %d bytes", name, n)
			_, err = planparse.Redact(prefix)
			require.Error(t, err, "%s cut at %d bytes", name, n)
		}
	}
}

// FuzzParse feeds arbitrary bytes, seeded with real plans, to both readers:
// they may refuse the input, but must never panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"create", "update", "replace", "moved", "sensitive", "modules"} {
		f.Add(fixturePlanBytes(name))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = planparse.Parse(bytes.NewReader(data))
		_, _ = planparse.Redact(data)
	})
}
