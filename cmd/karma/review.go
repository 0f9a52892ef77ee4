package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/planparse"
	"github.com/usekarma/karma/render"
	"github.com/usekarma/karma/runner"
)

func reviewCommand(g *globals) *cli.Command {
	return &cli.Command{
		Name:      "review",
		Usage:     "render a plan for a terminal, a pull request or a program",
		ArgsUsage: "PLAN (a plan file, plan JSON, or - for stdin)",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "text, markdown or json"},
			&cli.BoolFlag{Name: "no-color", Usage: "no colour in text output"},
		},
		OnUsageError: usageError,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return fmt.Errorf("karma review takes one PLAN: a plan file, plan JSON, or - for stdin")
			}
			r, err := render.ForFormat(c.String("format"), g.colors(c.Bool("no-color")))
			if err != nil {
				return err
			}
			diff, err := readDiff(c, g, c.Args().First())
			if err != nil {
				return err
			}
			out := bufio.NewWriterSize(g.stdout, 1<<16)
			if err := r.Render(out, diff); err != nil {
				return err
			}
			return out.Flush()
		},
	}
}

// readDiff reads PLAN: stdin for "-", a binary plan through terraform show
// -json, plan JSON streamed from its file.
func readDiff(c *cli.Context, g *globals, plan string) (*planparse.Diff, error) {
	var in io.Reader
	switch {
	case plan == "-":
		in = g.stdin
	default:
		binary, err := runner.IsPlanFile(plan)
		if err != nil {
			return nil, fmt.Errorf("read plan %s: %w", plan, unwrapPath(err))
		}
		if binary {
			r, err := g.runner(c.Context, true)
			if err != nil {
				return nil, err
			}
			doc, err := r.ShowPlan(c.Context, plan)
			if err != nil {
				return nil, err
			}
			in = bytes.NewReader(doc)
		} else {
			f, err := os.Open(plan)
			if err != nil {
				return nil, fmt.Errorf("read plan %s: %w", plan, unwrapPath(err))
			}
			defer f.Close()
			in = bufio.NewReaderSize(f, 1<<20)
		}
	}
	diff, err := planparse.Parse(in)
	if err != nil {
		name := plan
		if plan == "-" {
			name = "from stdin"
		}
		return nil, fmt.Errorf("read plan %s: %w", name, err)
	}
	return diff, nil
}

// unwrapPath drops the operation and path from an *os.PathError, which the
// message already names.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
