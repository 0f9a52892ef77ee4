package runner

import (
	"context"
	"fmt"
)

// useWorkspace honours TF_WORKSPACE. terraform-exec removes TF_WORKSPACE from
// terraform's environment, so a pipeline that selects its workspace that way
// would otherwise plan against the one selected on disk. karma selects the
// workspace itself and returns a function that puts the previous selection
// back, so the net effect matches terraform's, which never touches it.
func (run *run) useWorkspace(ctx context.Context) (func(), error) {
	want := run.Env("TF_WORKSPACE")
	noop := func() {}
	if want == "" {
		return noop, nil
	}
	current := workspace(run.Dir, func(name string) string {
		if name == "TF_WORKSPACE" {
			return ""
		}
		return run.Env(name)
	})
	if current == want {
		return noop, nil
	}
	tf, err := run.terraform(ctx)
	if err != nil {
		return noop, err
	}
	if err := tf.WorkspaceSelect(ctx, want); err != nil {
		return noop, fmt.Errorf("select workspace %q from TF_WORKSPACE: %w", want, firstLine(err))
	}
	return func() { _ = tf.WorkspaceSelect(context.Background(), current) }, nil
}
