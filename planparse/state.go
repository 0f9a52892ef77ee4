package planparse

import (
	"bytes"
	"encoding/json"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
)

// RedactedState is a state read for the audit log.
type RedactedState struct {
	// Doc is the state JSON with every sensitive value redacted.
	Doc []byte
	// Addresses lists every resource instance in the state.
	Addresses []string
	// Tainted lists the addresses of tainted resource instances.
	Tainted []string
	// Secrets holds the sensitive strings met, for scrubbing free text.
	Secrets *Secrets
}

// RedactState reads state JSON (`terraform show -json` without a plan) and
// redacts it by each resource's own sensitive_values and each output's flag,
// and redacts every string that holds one of those secrets or of known ones
// (the secrets of the plan that led to this state).
func RedactState(data []byte, known *Secrets) (*RedactedState, error) {
	state := &tfjson.State{}
	state.UseJSONNumber(true)
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(state); err != nil {
		return nil, fmt.Errorf("read state JSON: %w", err)
	}
	secrets := &Secrets{}
	secrets.Merge(known)
	if err := redactStateValues(state.Values, secrets); err != nil {
		return nil, fmt.Errorf("redact state: %w", err)
	}
	doc, err := marshal(state)
	if err != nil {
		return nil, err
	}
	rs := &RedactedState{Doc: scrubJSON(doc, secrets), Secrets: secrets}
	if state.Values != nil {
		rs.index(state.Values.RootModule)
	}
	return rs, nil
}

func (rs *RedactedState) index(m *tfjson.StateModule) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if r == nil {
			continue
		}
		rs.Addresses = append(rs.Addresses, r.Address)
		if r.Tainted {
			rs.Tainted = append(rs.Tainted, r.Address)
		}
	}
	for _, child := range m.ChildModules {
		rs.index(child)
	}
}
