package main

import (
	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/runner"
)

func initCommand(g *globals) *cli.Command {
	f := runner.InitFlags{Backend: true, Get: true}
	return &cli.Command{
		Name:      "init",
		Usage:     "run terraform init (passed through; not recorded)",
		ArgsUsage: " ",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "backend", Value: true, Destination: &f.Backend, Usage: "configure the backend"},
			&cli.StringSliceFlag{Name: "backend-config", Usage: "backend configuration file or key=value (repeatable)"},
			&cli.BoolFlag{Name: "upgrade", Destination: &f.Upgrade, Usage: "upgrade modules and providers"},
			&cli.BoolFlag{Name: "reconfigure", Destination: &f.Reconfigure, Usage: "ignore saved backend configuration"},
			&cli.BoolFlag{Name: "force-copy", Destination: &f.ForceCopy, Usage: "answer yes to state migration questions"},
			&cli.BoolFlag{Name: "get", Value: true, Destination: &f.Get, Usage: "download modules"},
			&cli.BoolFlag{Name: "lock", Value: true, Usage: "accepted for compatibility"},
			&cli.StringFlag{Name: "lock-timeout", Value: "0s", Usage: "accepted for compatibility"},
			&cli.StringFlag{Name: "plugin-dir", Destination: &f.PluginDir, Usage: "look for providers only in this directory"},
			&cli.BoolFlag{Name: "input", Value: true, Usage: "accepted for compatibility: terraform runs with -input=false under karma"},
			&cli.BoolFlag{Name: "no-color", Usage: "accepted for compatibility"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if err := noArgs(c); err != nil {
				return err
			}
			r, err := g.runner(c.Context, true)
			if err != nil {
				return err
			}
			f.BackendConfig = c.StringSlice("backend-config")
			return r.Init(c.Context, f)
		},
	}
}
