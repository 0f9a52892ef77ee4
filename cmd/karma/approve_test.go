package main

import (
	"bytes"
	"errors"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/testenv"
)

// karmaOnTerminal runs karma with a pseudo-terminal as its stdin, stdout and
// stderr, types answer once the approval prompt appears, and returns what the
// terminal showed.
func (w *workspace) karmaOnTerminal(t *testing.T, answer string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(karmaBin, args...)
	cmd.Dir = w.dir
	cmd.Env = append(testenv.BaseEnv(), "KARMA_LOG_DIR="+w.logDir, "TERM=xterm")
	tty, err := pty.Start(cmd)
	require.NoError(t, err)
	defer tty.Close()
	var screen bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(&screen, tty)
		close(done)
	}()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(screen.String(), "Enter a value:") {
		require.True(t, time.Now().Before(deadline), "no approval prompt; the terminal showed:\n%s", screen.String())
		time.Sleep(20 * time.Millisecond)
	}
	_, err = tty.Write([]byte(answer + "\n"))
	require.NoError(t, err)
	err = cmd.Wait()
	<-done
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	}
	return screen.String(), code
}

func TestApprovalOnATerminal(t *testing.T) {
	t.Parallel()
	t.Run("yes applies", func(t *testing.T) {
		w := newWorkspace(t, "basic")

		screen, code := w.karmaOnTerminal(t, "yes", "apply")

		assert.Equal(t, 0, code, screen)
		assert.Contains(t, screen, "Only 'yes' will be accepted to approve.")
		assert.Contains(t, screen, "Apply complete!")
		evs := w.events()
		require.Len(t, evs, 2)
		assert.Equal(t, audit.StatusApplied, evs[1].Status)
		assert.Contains(t, screen, "\x1b[", "colour on a terminal")
	})
	t.Run("anything else cancels and is recorded", func(t *testing.T) {
		w := newWorkspace(t, "basic")

		screen, code := w.karmaOnTerminal(t, "no", "apply")

		assert.Equal(t, 1, code, screen)
		assert.Contains(t, screen, "apply cancelled: the plan was not approved")
		assert.NotContains(t, screen, "Apply complete!")
		evs := w.events()
		require.Len(t, evs, 2)
		assert.Equal(t, audit.StatusRejected, evs[1].Status)
		assert.Empty(t, w.stateFile(), "nothing was applied")
	})
}
