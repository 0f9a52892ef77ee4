package main

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/runner"
)

// tfFlags binds terraform's plan and apply flags, spelled as terraform spells
// them (-var, -var-file=, -target=, -auto-approve), so a pipeline swaps
// terraform for karma and changes nothing else.
type tfFlags struct {
	f       runner.Flags
	vars    []varArg
	input   bool
	noColor bool
}

// varArg is one -var or -var-file, in the order given.
type varArg struct {
	file  bool
	value string
}

// varValue collects -var and -var-file into one ordered list.
type varValue struct {
	into *[]varArg
	file bool
}

func (v *varValue) Set(s string) error {
	*v.into = append(*v.into, varArg{file: v.file, value: s})
	return nil
}

func (v *varValue) String() string { return "" }

func newTFFlags() *tfFlags {
	return &tfFlags{f: runner.DefaultFlags(), input: true}
}

// planFlags are the flags every planning command takes.
func (t *tfFlags) planFlags() []cli.Flag {
	return []cli.Flag{
		&cli.GenericFlag{Name: "var", Value: &varValue{into: &t.vars}, Usage: "set a variable: -var 'name=value' (repeatable)"},
		&cli.GenericFlag{Name: "var-file", Value: &varValue{into: &t.vars, file: true}, Usage: "load variables from a file (repeatable)"},
		&cli.StringSliceFlag{Name: "target", Usage: "limit the plan to this resource address (repeatable)"},
		&cli.StringSliceFlag{Name: "replace", Usage: "force replacement of this resource address (repeatable)"},
		&cli.BoolFlag{Name: "refresh", Value: true, Destination: &t.f.Refresh, Usage: "refresh state before planning"},
		&cli.BoolFlag{Name: "refresh-only", Destination: &t.f.RefreshOnly, Usage: "plan only to update state to match real objects"},
		&cli.BoolFlag{Name: "destroy", Destination: &t.f.Destroy, Usage: "plan to destroy every object"},
		&cli.IntFlag{Name: "parallelism", Value: 10, Destination: &t.f.Parallelism, Usage: "concurrent operations"},
		&cli.BoolFlag{Name: "lock", Value: true, Destination: &t.f.Lock, Usage: "hold the state lock"},
		&cli.StringFlag{Name: "lock-timeout", Value: "0s", Destination: &t.f.LockTimeout, Usage: "wait this long for the state lock"},
		&cli.BoolFlag{Name: "input", Value: true, Destination: &t.input, Usage: "accepted for compatibility: terraform runs with -input=false under karma"},
		&cli.BoolFlag{Name: "no-color", Destination: &t.noColor, Usage: "no colour in karma's output (terraform's is never coloured under karma)"},
		&cli.BoolFlag{Name: "compact-warnings", Usage: "accepted for compatibility"},
	}
}

// bind reads the slice flags and the ordered variables once the command line
// is parsed, and warns where terraform-exec's order differs from the user's.
func (t *tfFlags) bind(c *cli.Context, stderr io.Writer) runner.Flags {
	f := t.f
	f.Targets, f.Replace = c.StringSlice("target"), c.StringSlice("replace")
	sawVar, warned := false, false
	for _, v := range t.vars {
		if v.file {
			f.VarFiles = append(f.VarFiles, v.value)
			if sawVar && !warned {
				fmt.Fprintf(stderr, "karma: note: -var-file=%s follows a -var; terraform-exec passes every -var-file before every -var, so the -var values win\n", v.value)
				warned = true
			}
		} else {
			f.Vars = append(f.Vars, v.value)
			sawVar = true
		}
	}
	if c.IsSet("input") && t.input {
		fmt.Fprintln(stderr, "karma: note: terraform runs with -input=false under karma; give variables with -var or -var-file")
	}
	return f
}
