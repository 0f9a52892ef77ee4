package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"
	"github.com/usekarma/karma/runner"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

// Main runs karma with args and returns its exit code. Errors are printed here,
// once, as one line on stderr.
//
// SIGINT and SIGTERM keep their default meaning, except while terraform runs,
// when the runner passes them on to terraform as interrupts and records them.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	err := newApp(stdin, stdout, stderr).RunContext(context.Background(), args)
	return exitCode(err, stderr)
}

// exitCode maps an error to karma's exit code (terraform's: 0, 1, or 2 for a
// plan with -detailed-exitcode that has changes) and prints its reason.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return 0
	}
	var ee *runner.ExitError
	if errors.As(err, &ee) {
		if ee.Err != nil {
			fmt.Fprintf(stderr, "karma: %v\n", ee.Err)
		}
		return ee.Code
	}
	fmt.Fprintf(stderr, "karma: %v\n", err)
	return 1
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr}
	return &cli.App{
		Name:    "karma",
		Usage:   "run terraform plan and apply, and remember everything they did",
		Version: version,
		Flags:   g.flags(),
		Commands: []*cli.Command{
			initCommand(g), planCommand(g), applyCommand(g), destroyCommand(g), reviewCommand(g), logCommand(g),
		},
		Reader:                    stdin,
		Writer:                    stdout,
		ErrWriter:                 stderr,
		DisableSliceFlagSeparator: true,
		OnUsageError:              usageError,
		ExitErrHandler:            func(*cli.Context, error) {},
	}
}

// usageError turns urfave/cli's usage errors into one line that says where to
// look, instead of the whole help text.
func usageError(c *cli.Context, err error, _ bool) error {
	cmd := "karma"
	if c.Command != nil && c.Command.Name != "" {
		cmd = "karma " + c.Command.FullName()
	}
	return fmt.Errorf("%w (see %s --help)", err, cmd)
}
