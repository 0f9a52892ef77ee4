package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/internal/testenv"
)

var (
	realLogOnce sync.Once
	realLogDir  string
	realLogErr  error
)

// realLog is a log made by the real karma and terraform: five applies of the
// basic fixture, each changing a variable, signed with a key. Tests mutate
// copies of it.
func realLog(t *testing.T) (dir, key string) {
	t.Helper()
	testenv.Terraform(t)
	realLogOnce.Do(func() { realLogDir, realLogErr = buildRealLog() })
	require.NoError(t, realLogErr)
	dir = t.TempDir()
	require.NoError(t, testenv.CopyDir(realLogDir, dir))
	return dir, filepath.Join(realLogDir, "..", "key.pem")
}

func buildRealLog() (string, error) {
	root, err := os.MkdirTemp("", "karma-real-log-")
	if err != nil {
		return "", err
	}
	bin, err := testenv.BuildKarma(root)
	if err != nil {
		return "", err
	}
	key := filepath.Join(root, "key.pem")
	if err := testenv.WriteSigningKey(key); err != nil {
		return "", err
	}
	work := filepath.Join(root, "basic")
	if err := testenv.CopyDir(testenv.Fixture("basic"), work); err != nil {
		return "", err
	}
	logDir := filepath.Join(root, "log")
	env := []string{"KARMA_LOG_DIR=" + logDir, "KARMA_SIGNING_KEY=" + key}
	runs := [][]string{{"init"}}
	for i := range 5 {
		runs = append(runs, []string{"apply", "-auto-approve", fmt.Sprintf("-var=greeting=hello-%d", i)})
	}
	for _, args := range runs {
		res := testenv.Cmd{Bin: bin, Dir: work, Env: env, Args: args}.Run(&testingShim{})
		if res.Code != 0 {
			return "", fmt.Errorf("karma %v: %s", args, res.Output())
		}
	}
	return logDir, nil
}

// testingShim lets buildRealLog, which runs once for many tests, use testenv.Cmd.
type testingShim struct{ testing.TB }

func (*testingShim) Helper()                           {}
func (*testingShim) Fatalf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }

func readLines(t *testing.T, dir string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, EventsFile))
	require.NoError(t, err)
	return bytes.SplitAfter(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))
}

func writeLines(t *testing.T, dir string, lines [][]byte) {
	t.Helper()
	var out []byte
	for _, l := range lines {
		out = append(out, bytes.TrimSuffix(l, []byte("\n"))...)
		out = append(out, '\n')
	}
	require.NoError(t, os.WriteFile(filepath.Join(dir, EventsFile), out, 0o600))
}

func verifyDir(t *testing.T, dir, key string) *Report {
	t.Helper()
	var cps *Checkpoints
	if key != "" {
		pub, err := LoadPublicKey(key)
		require.NoError(t, err)
		cps = &Checkpoints{Path: filepath.Join(dir, CheckpointsFile), Key: pub}
	}
	r, err := Verify(filepath.Join(dir, EventsFile), cps)
	require.NoError(t, err)
	return r
}

func assertProblem(t *testing.T, r *Report, line int64, class string) {
	t.Helper()
	require.NotNil(t, r.Problem, "the mutation was not caught")
	assert.Equal(t, class, r.Problem.Class, r.Problem.Detail)
	assert.Equal(t, line, r.Problem.Line, r.Problem.Detail)
}

func TestRealLogVerifies(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	require.Len(t, lines, 10, "five runs, a plan and an apply event each")

	r := verifyDir(t, dir, key)

	assert.Nil(t, r.Problem)
	assert.Equal(t, int64(10), r.Events)
	assert.Equal(t, 5, r.Checkpoints, "one signed checkpoint per run")
}

func TestEveryEditedByteIsCaught(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	for i := range lines {
		for _, at := range []string{"middle", "hash field", "prev_hash field", "first byte"} {
			t.Run(fmt.Sprintf("line %d %s", i+1, at), func(t *testing.T) {
				mutated := cloneLines(lines)
				line := mutated[i]
				pos := map[string]int{"middle": len(line) / 2, "hash field": len(line) - 10,
					"prev_hash field": len(line) - hashSuffixLen - 10, "first byte": 0}[at]
				line[pos] ^= 0x01
				writeLines(t, dir, mutated)

				assertProblem(t, verifyDir(t, dir, ""), int64(i+1), Modified)
				assertProblem(t, verifyDir(t, dir, key), int64(i+1), Modified)
			})
		}
	}
}

func TestDeletedLinesAreCaught(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	for i := range lines {
		t.Run(fmt.Sprintf("line %d", i+1), func(t *testing.T) {
			mutated := append(cloneLines(lines[:i]), cloneLines(lines[i+1:])...)
			writeLines(t, dir, mutated)

			if i == len(lines)-1 {
				assert.Nil(t, verifyDir(t, dir, "").Problem, "without a key, losing the last event is invisible")
				assertProblem(t, verifyDir(t, dir, key), int64(i+1), Truncated)
				return
			}
			assertProblem(t, verifyDir(t, dir, ""), int64(i+1), Deleted)
		})
	}
}

func TestInsertedLinesAreCaught(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	for i := 1; i < len(lines); i++ {
		t.Run(fmt.Sprintf("forged event after line %d", i), func(t *testing.T) {
			forged := forge(t, lines[i-1], func(ev *Event) { ev.User = "mallory"; ev.ID = NewID() })
			mutated := append(append(cloneLines(lines[:i]), forged), cloneLines(lines[i:])...)
			writeLines(t, dir, mutated)

			assertProblem(t, verifyDir(t, dir, ""), int64(i+1), Inserted)
			assertProblem(t, verifyDir(t, dir, key), int64(i+1), Inserted)
		})
	}
}

func TestDuplicatedLinesAreCaught(t *testing.T) {
	dir, _ := realLog(t)
	lines := readLines(t, dir)
	for i := range lines {
		t.Run(fmt.Sprintf("line %d repeated", i+1), func(t *testing.T) {
			mutated := append(append(cloneLines(lines[:i+1]), cloneLines(lines[i:i+1])...), cloneLines(lines[i+1:])...)
			writeLines(t, dir, mutated)

			assertProblem(t, verifyDir(t, dir, ""), int64(i+2), Duplicated)
		})
	}
	t.Run("first line repeated at the end", func(t *testing.T) {
		writeLines(t, dir, append(cloneLines(lines), cloneLines(lines[:1])...))
		assertProblem(t, verifyDir(t, dir, ""), int64(len(lines)+1), Duplicated)
	})
}

func TestSwappedLinesAreCaught(t *testing.T) {
	dir, _ := realLog(t)
	lines := readLines(t, dir)
	for i := 0; i+1 < len(lines); i++ {
		t.Run(fmt.Sprintf("lines %d and %d", i+1, i+2), func(t *testing.T) {
			mutated := cloneLines(lines)
			mutated[i], mutated[i+1] = mutated[i+1], mutated[i]
			writeLines(t, dir, mutated)

			r := verifyDir(t, dir, "")
			if i == 0 {
				assertProblem(t, r, 1, Deleted) // the first line no longer starts the chain
				return
			}
			assertProblem(t, r, int64(i+1), Reordered)
		})
	}
}

// TestConsistentRewriteIsCaughtOnlyWithTheKey rewrites one event and
// recomputes the chain after it, as someone without the key would: the chain
// alone cannot tell, the signed checkpoints can, at the rewritten line.
func TestConsistentRewriteIsCaughtOnlyWithTheKey(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	for i := range lines {
		t.Run(fmt.Sprintf("from line %d", i+1), func(t *testing.T) {
			mutated := cloneLines(lines)
			prev := Genesis
			if i > 0 {
				prev = mustUnseal(t, mutated[i-1]).hash
			}
			for j := i; j < len(mutated); j++ {
				mutated[j] = reseal(t, mutated[j], prev, func(ev *Event) {
					if j == i {
						ev.User = "mallory"
					}
				})
				prev = mustUnseal(t, mutated[j]).hash
			}
			writeLines(t, dir, mutated)

			assert.Nil(t, verifyDir(t, dir, "").Problem, "a consistent rewrite passes the chain alone")
			assertProblem(t, verifyDir(t, dir, key), int64(i+1), Modified)
		})
	}
}

func TestTruncationAfterACheckpointIsCaught(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)

	writeLines(t, dir, lines[:6])

	assert.Nil(t, verifyDir(t, dir, "").Problem)
	assertProblem(t, verifyDir(t, dir, key), 7, Truncated)
}

func TestForgedCheckpointIsCaught(t *testing.T) {
	dir, key := realLog(t)
	path := filepath.Join(dir, CheckpointsFile)
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(path, bytes.Replace(data, []byte(`"from":3`), []byte(`"from":2`), 1), 0o600))

	r := verifyDir(t, dir, key)

	require.NotNil(t, r.Problem)
	assert.Equal(t, CheckpointsFile, r.Problem.File)
	assert.Equal(t, int64(2), r.Problem.Line)
	assert.Contains(t, r.Problem.Detail, "signature does not verify")
}

func TestReplacedLogIsCaughtWithTheKey(t *testing.T) {
	dir, key := realLog(t)
	lines := readLines(t, dir)
	mutated := cloneLines(lines)
	prev := Genesis
	for j := range mutated {
		mutated[j] = reseal(t, mutated[j], prev, func(ev *Event) { ev.Chain = "01a00000-0000-7000-8000-000000000000" })
		prev = mustUnseal(t, mutated[j]).hash
	}
	writeLines(t, dir, mutated)

	r := verifyDir(t, dir, key)

	assertProblem(t, r, 1, Modified)
	assert.Contains(t, r.Problem.Detail, "the log was replaced")
}

func cloneLines(lines [][]byte) [][]byte {
	out := make([][]byte, len(lines))
	for i, l := range lines {
		out[i] = append([]byte(nil), l...)
	}
	return out
}

func mustUnseal(t *testing.T, line []byte) sealed {
	t.Helper()
	s, err := unseal(bytes.TrimSuffix(line, []byte("\n")))
	require.NoError(t, err)
	return s
}

// reseal decodes a line, edits it, links it to prev and hashes it again: what
// anyone can do without the signing key.
func reseal(t *testing.T, line []byte, prev string, edit func(*Event)) []byte {
	t.Helper()
	var ev Event
	require.NoError(t, json.Unmarshal(line, &ev))
	edit(&ev)
	ev.PrevHash = prev
	out, err := encodeLine(&ev)
	require.NoError(t, err)
	return out
}

// forge makes a new event that follows after, with a valid hash of its own.
func forge(t *testing.T, after []byte, edit func(*Event)) []byte {
	t.Helper()
	var ev Event
	require.NoError(t, json.Unmarshal(after, &ev))
	ev.Seq++
	return reseal(t, after, mustUnseal(t, after).hash, func(e *Event) {
		e.Seq = ev.Seq
		edit(e)
	})
}
