package runner

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-exec/tfexec"
)

// InitFlags are the terraform init flags karma passes through.
type InitFlags struct {
	Backend       bool
	BackendConfig []string
	Upgrade       bool
	Reconfigure   bool
	ForceCopy     bool
	Get           bool
	PluginDir     string
}

func (f InitFlags) options() []tfexec.InitOption {
	opts := []tfexec.InitOption{
		tfexec.Backend(f.Backend), tfexec.Upgrade(f.Upgrade), tfexec.Reconfigure(f.Reconfigure),
		tfexec.ForceCopy(f.ForceCopy), tfexec.Get(f.Get),
	}
	for _, bc := range f.BackendConfig {
		opts = append(opts, tfexec.BackendConfig(bc))
	}
	if f.PluginDir != "" {
		opts = append(opts, tfexec.PluginDir(f.PluginDir))
	}
	return opts
}

// Init runs terraform init, streaming its output. It records nothing: init
// changes no infrastructure.
func (r *Runner) Init(ctx context.Context, f InitFlags) error {
	if err := checkConfigDir(r.Dir); err != nil {
		return err
	}
	execPath, err := r.Locator.Find(ctx)
	if err != nil {
		return err
	}
	tf, err := newTerraform(r.Dir, execPath)
	if err != nil {
		return err
	}
	// terraform-exec checks the version before init; keep that off stdout.
	if _, _, err := tf.Version(ctx, false); err != nil {
		return fmt.Errorf("run %s: %w", execPath, firstLine(err))
	}
	tf.SetStdout(r.Stdout)
	tf.SetStderr(r.Stderr)
	if err := tf.Init(ctx, f.options()...); err != nil {
		code := exitCode(err)
		return &ExitError{Code: code, Err: fmt.Errorf("terraform init failed (exit %d)", code)}
	}
	return nil
}
