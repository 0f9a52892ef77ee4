package planparse

import (
	"encoding/json"
	"fmt"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-json/sanitize"
)

// Redacted replaces every sensitive value karma stores or prints. It is
// terraform-json's own marker, so documents read like sanitize's output.
const Redacted = sanitize.DefaultSensitiveValue

// redact replaces the parts of v that mask marks sensitive, in place, and
// returns the result. mask has terraform's shape: true for a sensitive value,
// or an object or list mirroring v. Where the mask marks something sensitive
// but does not fit v's shape, the whole of v is redacted: redaction fails closed.
func redact(v, mask any, secrets *Secrets) any {
	switch m := mask.(type) {
	case bool:
		if m {
			secrets.add(v)
			return Redacted
		}
	case map[string]any:
		obj, ok := v.(map[string]any)
		if !ok {
			return redactMismatch(v, mask, secrets)
		}
		for k, sub := range m {
			if val, ok := obj[k]; ok {
				obj[k] = redact(val, sub, secrets)
			}
		}
	case []any:
		list, ok := v.([]any)
		if !ok {
			return redactMismatch(v, mask, secrets)
		}
		for i := range list {
			if i < len(m) {
				list[i] = redact(list[i], m[i], secrets)
			}
		}
	}
	return v
}

func redactMismatch(v, mask any, secrets *Secrets) any {
	if v == nil || !hasSensitive(mask) {
		return v
	}
	secrets.add(v)
	return Redacted
}

// hasSensitive reports whether mask marks anything sensitive.
func hasSensitive(mask any) bool {
	switch m := mask.(type) {
	case bool:
		return m
	case map[string]any:
		for _, sub := range m {
			if hasSensitive(sub) {
				return true
			}
		}
	case []any:
		for _, sub := range m {
			if hasSensitive(sub) {
				return true
			}
		}
	}
	return false
}

// redactChange redacts a change's before and after by its own masks.
func redactChange(c *tfjson.Change, secrets *Secrets) {
	if c == nil {
		return
	}
	c.Before = redact(c.Before, c.BeforeSensitive, secrets)
	c.After = redact(c.After, c.AfterSensitive, secrets)
}

// redactStateValues redacts a state's resources by their own sensitive_values
// and its sensitive outputs. Unlike sanitize, it needs no matching resource change.
func redactStateValues(v *tfjson.StateValues, secrets *Secrets) error {
	if v == nil {
		return nil
	}
	for _, o := range v.Outputs {
		if o != nil && o.Sensitive {
			secrets.add(o.Value)
			o.Value = Redacted
		}
	}
	return redactStateModule(v.RootModule, secrets)
}

func redactStateModule(m *tfjson.StateModule, secrets *Secrets) error {
	if m == nil {
		return nil
	}
	for _, r := range m.Resources {
		if err := redactStateResource(r, secrets); err != nil {
			return err
		}
	}
	for _, child := range m.ChildModules {
		if err := redactStateModule(child, secrets); err != nil {
			return err
		}
	}
	return nil
}

func redactStateResource(r *tfjson.StateResource, secrets *Secrets) error {
	if r == nil || len(r.SensitiveValues) == 0 {
		return nil
	}
	var mask any
	if err := json.Unmarshal(r.SensitiveValues, &mask); err != nil {
		return fmt.Errorf("sensitive_values of %s: %w", r.Address, err)
	}
	if mask == true {
		for k, v := range r.AttributeValues {
			secrets.add(v)
			r.AttributeValues[k] = Redacted
		}
		return nil
	}
	redact(map[string]any(r.AttributeValues), mask, secrets)
	return nil
}

// redactConfig redacts a plan's configuration in place and returns which root
// module variables are sensitive. Every constant_value is replaced: karma cannot
// see provider schemas, so it cannot tell which literals are secrets, and the
// source itself is at the recorded git commit. Defaults of sensitive variables
// in every module are replaced too.
func redactConfig(v any, secrets *Secrets) map[string]bool {
	redactConfigNode(v, secrets)
	return rootSensitiveVariables(v)
}

func redactConfigNode(v any, secrets *Secrets) {
	switch node := v.(type) {
	case map[string]any:
		if _, ok := node["constant_value"]; ok {
			node["constant_value"] = Redacted
		}
		if node["sensitive"] == true {
			if def, ok := node["default"]; ok {
				secrets.add(def)
				node["default"] = Redacted
			}
		}
		for _, child := range node {
			redactConfigNode(child, secrets)
		}
	case []any:
		for _, child := range node {
			redactConfigNode(child, secrets)
		}
	}
}

func rootSensitiveVariables(config any) map[string]bool {
	sensitive := map[string]bool{}
	root, _ := field(config, "root_module").(map[string]any)
	vars, _ := root["variables"].(map[string]any)
	for name, v := range vars {
		if field(v, "sensitive") == true {
			sensitive[name] = true
		}
	}
	return sensitive
}

// field returns v[key] when v is a JSON object, else nil.
func field(v any, key string) any {
	if obj, ok := v.(map[string]any); ok {
		return obj[key]
	}
	return nil
}

// redactVariables returns the plan's root variable values with sensitive ones
// replaced. Without the configuration karma cannot tell which are sensitive, so
// it redacts them all.
func redactVariables(vars map[string]*tfjson.PlanVariable, sensitive map[string]bool, secrets *Secrets) map[string]any {
	out := make(map[string]any, len(vars))
	for name, v := range vars {
		var value any
		if v != nil {
			value = v.Value
		}
		if sensitive == nil || sensitive[name] {
			secrets.add(value)
			value = Redacted
		}
		out[name] = value
	}
	return out
}
