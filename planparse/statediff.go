package planparse

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"

	tfjson "github.com/hashicorp/terraform-json"
)

// DiffStates compares two state documents (`terraform show -json` without a
// plan, as karma stores them) resource by resource: what was created,
// deleted, or changed in which attributes. Sensitive attributes are compared
// as stored; both sides are redacted, so only a change of sensitivity shows.
func DiffStates(before, after []byte) ([]Change, error) {
	b, err := stateResources(before)
	if err != nil {
		return nil, fmt.Errorf("read earlier state: %w", err)
	}
	a, err := stateResources(after)
	if err != nil {
		return nil, fmt.Errorf("read later state: %w", err)
	}
	addresses := make([]string, 0, len(a)+len(b))
	for addr := range b {
		addresses = append(addresses, addr)
	}
	for addr := range a {
		if _, ok := b[addr]; !ok {
			addresses = append(addresses, addr)
		}
	}
	sort.Strings(addresses)
	var changes []Change
	var scratch []Attribute
	for _, addr := range addresses {
		rc := resourceChange(b[addr], a[addr])
		c, err := newChange(rc, &scratch)
		if err != nil {
			return nil, err
		}
		if c.Action != ActionNoOp && (c.Action != ActionUpdate || len(c.Attributes) > 0) {
			changes = append(changes, c)
		}
	}
	return changes, nil
}

// resourceChange describes going from one state resource to another as the
// change terraform would have planned.
func resourceChange(before, after *tfjson.StateResource) *tfjson.ResourceChange {
	r := after
	if r == nil {
		r = before
	}
	ch := &tfjson.Change{}
	switch {
	case before == nil:
		ch.Actions = tfjson.Actions{tfjson.ActionCreate}
	case after == nil:
		ch.Actions = tfjson.Actions{tfjson.ActionDelete}
	default:
		ch.Actions = tfjson.Actions{tfjson.ActionUpdate}
	}
	if before != nil {
		ch.Before, ch.BeforeSensitive = map[string]any(before.AttributeValues), mask(before.SensitiveValues)
	}
	if after != nil {
		ch.After, ch.AfterSensitive = map[string]any(after.AttributeValues), mask(after.SensitiveValues)
	}
	return &tfjson.ResourceChange{
		Address: r.Address, Mode: r.Mode, Type: r.Type, Name: r.Name, Index: r.Index, ProviderName: r.ProviderName,
		DeposedKey: r.DeposedKey, Change: ch,
	}
}

func mask(raw json.RawMessage) any {
	var m any
	_ = json.Unmarshal(raw, &m)
	return m
}

// stateResources indexes a state document's resource instances by address.
func stateResources(doc []byte) (map[string]*tfjson.StateResource, error) {
	state := &tfjson.State{}
	state.UseJSONNumber(true)
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(state); err != nil {
		return nil, err
	}
	out := map[string]*tfjson.StateResource{}
	if state.Values != nil {
		indexModule(state.Values.RootModule, out)
	}
	return out, nil
}

func indexModule(m *tfjson.StateModule, into map[string]*tfjson.StateResource) {
	if m == nil {
		return
	}
	for _, r := range m.Resources {
		if r != nil {
			key := r.Address
			if r.DeposedKey != "" {
				key += " (deposed " + r.DeposedKey + ")"
			}
			into[key] = r
		}
	}
	for _, c := range m.ChildModules {
		indexModule(c, into)
	}
}
