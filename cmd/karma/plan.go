package main

import (
	"github.com/urfave/cli/v2"
)

func planCommand(g *globals) *cli.Command {
	t := newTFFlags()
	return &cli.Command{
		Name:      "plan",
		Usage:     "run terraform plan, record it, and summarise the changes",
		ArgsUsage: " ",
		Flags: append(t.planFlags(),
			&cli.StringFlag{Name: "out", Destination: &t.f.Out, Usage: "save the plan to this file, for karma apply FILE"},
			&cli.BoolFlag{Name: "detailed-exitcode", Destination: &t.f.DetailedExitcode, Usage: "exit 2 when the plan has changes"},
		),
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			r, err := g.runner(c.Context, t.noColor)
			if err != nil {
				return err
			}
			return r.Plan(c.Context, t.bind(c, g.stderr))
		},
	}
}
