package planfixture

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Fanout multiplies a plan's resources: every resource change and planned
// resource is repeated copies times, each copy renamed (terraform_data.r
// becomes terraform_data.r_1, …), so a real plan of N resources becomes a
// realistic plan of N×copies. The benchmarks use it to build a 50,000-resource
// plan from a real 5,000-resource one.
func Fanout(plan []byte, copies int) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(plan, &doc); err != nil {
		return nil, fmt.Errorf("fan out plan: %w", err)
	}
	changes, err := fanList(doc["resource_changes"], copies)
	if err != nil {
		return nil, err
	}
	doc["resource_changes"] = changes
	var planned struct {
		Outputs    json.RawMessage `json:"outputs,omitempty"`
		RootModule struct {
			Resources json.RawMessage `json:"resources"`
		} `json:"root_module"`
	}
	if err := json.Unmarshal(doc["planned_values"], &planned); err != nil {
		return nil, fmt.Errorf("fan out planned_values: %w", err)
	}
	if planned.RootModule.Resources, err = fanList(planned.RootModule.Resources, copies); err != nil {
		return nil, err
	}
	if doc["planned_values"], err = json.Marshal(planned); err != nil {
		return nil, err
	}
	return json.Marshal(doc)
}

// fanList repeats each element of a JSON list of resources, renaming copies.
func fanList(raw json.RawMessage, copies int) (json.RawMessage, error) {
	var list []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, fmt.Errorf("fan out resources: %w", err)
	}
	out := make([]map[string]json.RawMessage, 0, len(list)*copies)
	for i := 1; i <= copies; i++ {
		for _, r := range list {
			c := make(map[string]json.RawMessage, len(r))
			for k, v := range r {
				c[k] = v
			}
			rename(c, i)
			out = append(out, c)
		}
	}
	return json.Marshal(out)
}

func rename(r map[string]json.RawMessage, copy int) {
	var name, addr string
	_ = json.Unmarshal(r["name"], &name)
	_ = json.Unmarshal(r["address"], &addr)
	newName := fmt.Sprintf("%s_%d", name, copy)
	r["name"], _ = json.Marshal(newName)
	r["address"], _ = json.Marshal(strings.Replace(addr, "."+name, "."+newName, 1))
}
