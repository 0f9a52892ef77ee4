package planparse_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/testenv"
	"github.com/usekarma/karma/planparse"
)

// fixtureDiff parses the stored plan JSON of a fixture in fixtures/plans.
func fixtureDiff(t *testing.T, name string) *planparse.Diff {
	t.Helper()
	f, err := os.Open(filepath.Join(testenv.Fixture("plans"), name, "plan.json"))
	require.NoError(t, err)
	defer f.Close()
	d, err := planparse.Parse(f)
	require.NoError(t, err)
	return d
}

func change(t *testing.T, d *planparse.Diff, address string) planparse.Change {
	t.Helper()
	for _, c := range append(d.Changes, d.Drift...) {
		if c.Address == address {
			return c
		}
	}
	t.Fatalf("no change for %s", address)
	return planparse.Change{}
}

func attribute(t *testing.T, c planparse.Change, path string) planparse.Attribute {
	t.Helper()
	for _, a := range c.Attributes {
		if a.Path == path {
			return a
		}
	}
	t.Fatalf("%s has no changed attribute %s; it has %v", c.Address, path, c.Paths())
	return planparse.Attribute{}
}

func TestCreate(t *testing.T) {
	d := fixtureDiff(t, "create")

	assert.Equal(t, planparse.Summary{Add: 3}, d.Summary)
	network := change(t, d, "terraform_data.network")
	assert.Equal(t, planparse.ActionCreate, network.Action)
	assert.Equal(t, []string{"id", "input.cidr", `input.tags["cost center"]`, "input.tags.team", "input.zones[0]", "input.zones[1]", "output"}, network.Paths())
	assert.Equal(t, planparse.Attribute{Path: "input.zones[1]", After: "eu-1b"}, attribute(t, network, "input.zones[1]"))
	assert.True(t, attribute(t, network, "id").Unknown, "ids are known after apply")
	subnet := change(t, d, `terraform_data.subnet["a"]`)
	assert.Equal(t, "a", subnet.Index)
	assert.True(t, attribute(t, subnet, "input.network").Unknown)
	require.Len(t, d.Outputs, 2)
	assert.Equal(t, planparse.OutputChange{Name: "network_id", Action: planparse.ActionCreate, Unknown: true}, d.Outputs[0])
	assert.Equal(t, []any{"eu-1a", "eu-1b"}, d.Outputs[1].After)
}

func TestUpdateInPlaceWalksNestedMapsAndLists(t *testing.T) {
	d := fixtureDiff(t, "update")

	assert.Equal(t, planparse.Summary{Change: 2}, d.Summary)
	app := change(t, d, "terraform_data.app")
	assert.Equal(t, planparse.ActionUpdate, app.Action)
	for path, want := range map[string][2]any{
		"input.image":                     {"app:1.0", "app:1.1"},
		"input.ingress[0].cidr_blocks[1]": {"192.168.0.0/16", "172.16.0.0/12"},
		"input.tags.team":                 {"web", "platform"},
		"input.tags.owner":                {nil, "ted"},
	} {
		a := attribute(t, app, path)
		assert.Equal(t, want[0], a.Before, path)
		assert.Equal(t, want[1], a.After, path)
	}
	assert.Equal(t, json.Number("8443"), attribute(t, app, "input.ports[2]").After, "numbers keep terraform's text")
	assert.NotContains(t, app.Paths(), "input.tags.env", "unchanged leaves are not changes")
	assert.True(t, attribute(t, app, "output").Unknown)
	key := change(t, d, "terraform_data.key")
	assert.Equal(t, planparse.Attribute{Path: "input", Sensitive: true}, attribute(t, key, "input"))
	assert.True(t, attribute(t, key, "output").Sensitive, "terraform leaves output unmarked; it holds the old secret")
}

func TestReplace(t *testing.T) {
	d := fixtureDiff(t, "replace")

	assert.Equal(t, planparse.Summary{Add: 2, Destroy: 2, Replace: 2}, d.Summary)
	server := change(t, d, "terraform_data.server")
	assert.Equal(t, planparse.ActionReplace, server.Action)
	assert.Equal(t, planparse.DestroyBeforeCreate, server.ReplaceOrder)
	assert.Equal(t, "replace_because_cannot_update", server.ActionReason)
	assert.Equal(t, []string{"triggers_replace"}, server.ReplacePaths)
	assert.True(t, attribute(t, server, "triggers_replace[0]").ForcesReplacement)
	assert.False(t, attribute(t, server, "id").ForcesReplacement)
	assert.Equal(t, planparse.CreateBeforeDestroy, change(t, d, "terraform_data.lb").ReplaceOrder)
}

func TestDelete(t *testing.T) {
	d := fixtureDiff(t, "delete")

	assert.Equal(t, planparse.Summary{Destroy: 3}, d.Summary)
	worker := change(t, d, "terraform_data.worker[2]")
	assert.Equal(t, planparse.ActionDelete, worker.Action)
	assert.Equal(t, "delete_because_count_index", worker.ActionReason)
	assert.Equal(t, int64(2), worker.Index)
	assert.Equal(t, planparse.Attribute{Path: "input", Before: "worker-2"}, attribute(t, worker, "input"))
	assert.Equal(t, "delete_because_no_resource_config", change(t, d, "terraform_data.legacy").ActionReason)
}

func TestMoves(t *testing.T) {
	d := fixtureDiff(t, "moved")

	assert.Equal(t, planparse.Summary{Change: 1, Move: 2}, d.Summary)
	onlyMoved := change(t, d, "terraform_data.new_name")
	assert.Equal(t, planparse.ActionMove, onlyMoved.Action, "a moved-only resource is a move, not a no-op")
	assert.Equal(t, "terraform_data.old_name", onlyMoved.PreviousAddress)
	assert.Empty(t, onlyMoved.Attributes)
	movedAndChanged := change(t, d, "terraform_data.moved_and_changed")
	assert.Equal(t, planparse.ActionUpdate, movedAndChanged.Action)
	assert.Equal(t, "terraform_data.renamed_and_changed", movedAndChanged.PreviousAddress)
}

func TestImport(t *testing.T) {
	d := fixtureDiff(t, "import")

	assert.Equal(t, planparse.Summary{Import: 1}, d.Summary)
	adopted := change(t, d, "terraform_data.adopted")
	assert.Equal(t, planparse.ActionImport, adopted.Action)
	assert.Equal(t, &planparse.Importing{ID: "existing-object-123"}, adopted.Importing)
}

func TestRemovedBlockForgets(t *testing.T) {
	d := fixtureDiff(t, "removed")

	assert.Equal(t, planparse.Summary{Forget: 1}, d.Summary)
	assert.Equal(t, planparse.ActionForget, change(t, d, "terraform_data.handed_over").Action)
	assert.Len(t, d.Changes, 1, "the unchanged resource is not a change")
}

func TestDataSourceRead(t *testing.T) {
	d := fixtureDiff(t, "data")

	assert.Equal(t, planparse.Summary{Add: 2, Read: 1}, d.Summary)
	read := change(t, d, "data.terraform_remote_state.network")
	assert.Equal(t, planparse.ActionRead, read.Action)
	assert.Equal(t, "data", read.Mode)
	assert.Equal(t, "read_because_dependency_pending", read.ActionReason)
	assert.True(t, attribute(t, read, "outputs").Unknown)
}

func TestDriftIsListedApart(t *testing.T) {
	d := fixtureDiff(t, "drift")

	assert.Empty(t, d.Changes)
	require.Len(t, d.Drift, 1)
	assert.Equal(t, "terraform_data.site", d.Drift[0].Address)
	assert.Equal(t, "terraform_data.web", d.Drift[0].PreviousAddress)
	assert.Equal(t, planparse.ActionMove, d.Drift[0].Action)
	assert.Equal(t, planparse.Summary{}, d.Summary, "drift is not a planned change")
}

func TestUnknownValues(t *testing.T) {
	d := fixtureDiff(t, "unknown")

	consumer := change(t, d, "terraform_data.consumer")
	assert.True(t, attribute(t, consumer, "input.base_id").Unknown)
	assert.True(t, attribute(t, consumer, "input.base_out").Unknown)
	assert.Equal(t, planparse.Attribute{Path: "input.fixed", After: "known"}, attribute(t, consumer, "input.fixed"))
}

func TestSensitiveValuesInNestedStructures(t *testing.T) {
	d := fixtureDiff(t, "sensitive")

	db := change(t, d, "terraform_data.db")
	assert.Equal(t, planparse.Attribute{Path: "input.password", Sensitive: true}, attribute(t, db, "input.password"))
	assert.Equal(t, "r2", attribute(t, db, "input.options.replicas[1]").After, "non-sensitive neighbours keep their values")
	tokens := change(t, d, "terraform_data.tokens")
	assert.Equal(t, "public-token", attribute(t, tokens, "input[0]").After)
	assert.Equal(t, planparse.Attribute{Path: "input[1]", Sensitive: true}, attribute(t, tokens, "input[1]"))
	require.Len(t, d.Outputs, 1)
	assert.True(t, d.Outputs[0].Sensitive)
	assert.Nil(t, d.Outputs[0].After)
}

func TestNestedModulesWithCountAndForEach(t *testing.T) {
	d := fixtureDiff(t, "modules")

	assert.Equal(t, planparse.Summary{Add: 5}, d.Summary)
	vm := change(t, d, `module.app["green"].module.instance[1].terraform_data.vm`)
	assert.Equal(t, `module.app["green"].module.instance[1]`, vm.ModuleAddress)
	assert.Equal(t, "vm", vm.Name)
	assert.True(t, attribute(t, change(t, d, `module.app["blue"].terraform_data.config`), "input.secret").Sensitive,
		"a sensitive module argument stays sensitive inside the module")
}

func TestSplitPathReversesPaths(t *testing.T) {
	cases := map[string][]string{
		"tags.team":                 {"tags", "team"},
		"ingress[0].cidr_blocks[1]": {"ingress", "[0]", "cidr_blocks", "[1]"},
		`tags["cost center"]`:       {"tags", "cost center"},
		`m["a.b"].c`:                {"m", "a.b", "c"},
		`m["quote \" and ]"][2]`:    {"m", `quote " and ]`, "[2]"},
		"input":                     {"input"},
	}
	for path, want := range cases {
		assert.Equal(t, want, planparse.SplitPath(path), path)
	}
}
