package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func applyCommand(g *globals) *cli.Command {
	return applyLike(g, "apply", "plan (unless PLANFILE is given), record, ask, apply, record", false)
}

func destroyCommand(g *globals) *cli.Command {
	return applyLike(g, "destroy", "plan to destroy everything, record, ask, apply, record", true)
}

func applyLike(g *globals, name, usage string, destroy bool) *cli.Command {
	t := newTFFlags()
	args := "[PLANFILE]"
	if destroy {
		args = " "
	}
	return &cli.Command{
		Name:      name,
		Usage:     usage,
		ArgsUsage: args,
		Flags: append(t.planFlags(),
			&cli.BoolFlag{Name: "auto-approve", Destination: &t.f.AutoApprove, Usage: "apply without asking for approval"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			planFile := c.Args().First()
			if c.NArg() > 1 || (destroy && c.NArg() > 0) {
				return fmt.Errorf("karma %s takes %s, got %q (flags go before arguments)", name, args, c.Args().Slice())
			}
			r, err := g.runner(c.Context, t.noColor)
			if err != nil {
				return err
			}
			f := t.bind(c, g.stderr)
			f.Destroy = f.Destroy || destroy
			return r.Apply(c.Context, f, planFile)
		},
	}
}

// noArgs refuses positional arguments where a command takes none: a flag
// written after one would otherwise be silently ignored.
func noArgs(c *cli.Context) error {
	if c.NArg() > 0 {
		return fmt.Errorf("karma %s takes no arguments, got %q (flags go before arguments)", c.Command.Name, c.Args().Slice())
	}
	return nil
}
