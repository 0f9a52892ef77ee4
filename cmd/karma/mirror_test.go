package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/creack/pty"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/usekarma/karma/audit"
	"github.com/usekarma/karma/internal/testenv"
)

// mirrored is a workspace whose log is mirrored to a real S3 server.
type mirrored struct {
	*workspace
	s3     *testenv.S3
	bucket string
	url    string
}

func newMirrored(t *testing.T, fixture string) *mirrored {
	t.Helper()
	s := testenv.StartS3(t)
	m := &mirrored{workspace: newWorkspace(t, fixture), s3: s, bucket: s.Bucket("karma")}
	m.url = s.URL(m.bucket, "team-a")
	m.env = append(s.Env(), "KARMA_MIRROR="+m.url)
	return m
}

// mirrorObjects returns the mirror's objects under events/ and objects/.
func (m *mirrored) mirrorObjects() (events, objects map[string][]byte) {
	all := m.s3.Objects(m.bucket, "team-a/")
	events, objects = map[string][]byte{}, map[string][]byte{}
	for k, v := range all {
		switch {
		case strings.HasPrefix(k, "team-a/events/"):
			events[k] = v
		case strings.HasPrefix(k, "team-a/objects/"):
			objects[k] = v
		}
	}
	return events, objects
}

// localLines returns the log's lines, each with its newline.
func (m *mirrored) localLines() []string {
	data, err := os.ReadFile(filepath.Join(m.logDir, audit.EventsFile))
	require.NoError(m.t, err)
	lines := strings.SplitAfter(string(data), "\n")
	return lines[:len(lines)-1]
}

// assertMirrorMatchesLocal checks every event and document of the local log
// is in the mirror byte for byte, once.
func (m *mirrored) assertMirrorMatchesLocal() {
	m.t.Helper()
	events, objects := m.mirrorObjects()
	var mirrored []string
	for _, body := range events {
		mirrored = append(mirrored, string(body))
	}
	local := m.localLines()
	sort.Strings(mirrored)
	sort.Strings(local)
	assert.Equal(m.t, local, mirrored, "every event once, byte for byte")
	localObjects := 0
	require.NoError(m.t, filepath.Walk(filepath.Join(m.logDir, "objects"), func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || !strings.HasSuffix(path, ".json.zst") {
			return err
		}
		localObjects++
		rel, _ := filepath.Rel(m.logDir, path)
		body, ok := objects["team-a/"+filepath.ToSlash(rel)]
		if assert.True(m.t, ok, "%s is in the mirror", rel) {
			want, _ := os.ReadFile(path)
			assert.Equal(m.t, want, body, "%s byte for byte", rel)
		}
		return nil
	}))
	assert.Equal(m.t, localObjects, len(objects))
}

func (m *mirrored) localObjectCount() int {
	n := 0
	require.NoError(m.t, filepath.Walk(filepath.Join(m.logDir, "objects"), func(path string, info os.FileInfo, err error) error {
		if err == nil && strings.HasSuffix(path, ".json.zst") {
			n++
		}
		return err
	}))
	return n
}

func TestMirrorHoldsEveryEventAndDocument(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")

	res := m.karma("apply", "-auto-approve")

	require.Equal(t, 0, res.Code, res.Output())
	assert.NotContains(t, res.Stderr, "warning")
	events, _ := m.mirrorObjects()
	require.Len(t, events, 2)
	for key := range events {
		assert.Regexp(t, `^team-a/events/dt=\d{4}-\d{2}-\d{2}/\d{8}T\d{6}\.\d{3}Z_\d{12}_[0-9a-f-]{36}\.json$`, key)
	}
	m.assertMirrorMatchesLocal()
}

func TestMirrorDownDuringApplyThenSync(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	m.s3.Stop()

	apply := m.karma("apply", "-auto-approve")
	m.s3.Start()
	sync := m.karma("log", "sync")
	again := m.karma("log", "sync")

	require.Equal(t, 0, apply.Code, "a mirror that is down never fails an apply: %s", apply.Output())
	assert.Contains(t, m.stateFile(), "terraform_data", "the apply happened")
	assert.Contains(t, apply.Stderr, "karma: warning: 2 event(s) not yet in "+m.url)
	assert.Contains(t, apply.Stderr, "is unreachable")
	assert.Contains(t, apply.Stderr, "they go up with the next karma run or karma log sync")
	require.Equal(t, 0, sync.Code, sync.Output())
	documents := m.localObjectCount()
	assert.Equal(t, 3, documents, "the plan, its diff, and the post-state (a first plan has no prior state)")
	assert.Contains(t, sync.Stderr, fmt.Sprintf("%d uploaded, 0 already there, 0 conflict(s), 0 event(s) pending", 2+documents))
	m.assertMirrorMatchesLocal()
	require.Equal(t, 0, again.Code)
	assert.Contains(t, again.Stderr, "0 uploaded, 0 already there, 0 conflict(s), 0 event(s) pending", "a second sync uploads nothing")
}

func TestNextRunUploadsWhatWasPending(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	m.s3.Stop()
	require.Equal(t, 0, m.karma("plan").Code)
	m.s3.Start()

	res := m.karma("plan")

	require.Equal(t, 0, res.Code, res.Output())
	assert.NotContains(t, res.Stderr, "warning")
	m.assertMirrorMatchesLocal()
}

func TestMirrorRequiredStopsApplyWhenTheMirrorIsDown(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	m.s3.Stop()

	res := m.karma("--mirror-required", "apply", "-auto-approve")

	assert.Equal(t, 1, res.Code)
	assert.Contains(t, res.Stderr, "karma: the mirror is required (--mirror-required), but "+m.url+" did not take the plan's event")
	assert.Contains(t, res.Stderr, "apply not started")
	assert.NotContains(t, res.Stdout, "Creating...")
	assert.Empty(t, m.stateFile(), "terraform apply never started")
	evs := m.events()
	require.Len(t, evs, 2, "the reason is recorded locally")
	assert.Equal(t, audit.StatusRejected, evs[1].Status)
	assert.Contains(t, evs[1].Error, "--mirror-required")
}

func TestWrongCredentialsNameTheBucket(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	m.env = append(m.env, "AWS_SECRET_ACCESS_KEY=wrong-secret")

	plain := m.karma("apply", "-auto-approve")
	required := m.karma("--mirror-required", "apply", "-auto-approve", "-var=greeting=again")

	require.Equal(t, 0, plain.Code, "the apply still runs: %s", plain.Output())
	assert.Contains(t, plain.Stderr, "access to bucket karma denied")
	assert.Contains(t, plain.Stderr, "check the AWS credentials karma runs with")
	assert.Equal(t, 1, required.Code)
	assert.Contains(t, required.Stderr, "access to bucket karma denied")
	assert.NotContains(t, m.stateFile(), `"again"`, "with --mirror-required the apply never started")
}

func TestReadingTheMirrorBack(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	require.Equal(t, 0, m.karma("apply", "-auto-approve").Code)
	require.Equal(t, 0, m.karma("apply", "-auto-approve", "-var=greeting=bonjour").Code)
	local := m.events()
	// Another machine: an empty log dir, only the mirror.
	elsewhere := &workspace{t: t, dir: t.TempDir(), logDir: filepath.Join(t.TempDir(), "log"), env: m.s3.Env()}

	list := elsewhere.karma("log", "list", "--from", m.url, "--json")
	show := elsewhere.karma("log", "show", "--from", m.url, local[3].ID)
	state := elsewhere.karma("log", "state", "--from", m.url, "--component", "basic")
	grep := elsewhere.karma("log", "grep", "--from", m.url, "--since", "1h", "bonjour")
	verify := elsewhere.karma("log", "verify", "--from", m.url)

	require.Equal(t, 0, list.Code, list.Output())
	assert.Equal(t, m.localLines(), strings.SplitAfter(list.Stdout, "\n")[:4], "the same events, in order, as stored")
	require.Equal(t, 0, show.Code, show.Output())
	assert.Contains(t, show.Stdout, `~ input  = "hello" -> "bonjour"`, "the diff is read from the mirror's objects")
	require.Equal(t, 0, state.Code, state.Output())
	assert.Contains(t, state.Stdout, `"bonjour"`)
	assert.Len(t, lines(grep.Stdout), 3)
	require.Equal(t, 0, verify.Code, verify.Output())
	assert.Contains(t, verify.Stdout, "chain "+local[0].Chain+": intact: 4 events, seq 1-4")
}

func TestVerifyFromNamesEventsTheMirrorLacks(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	require.Equal(t, 0, m.karma("apply", "-auto-approve").Code)
	m.s3.Stop()
	require.Equal(t, 0, m.karma("plan", "-var=greeting=offline").Code)
	m.s3.Start()

	res := m.karma("log", "verify", "--from", m.url)

	assert.Equal(t, 1, res.Code)
	assert.Contains(t, res.Stdout, "intact: 2 events, seq 1-2")
	assert.Contains(t, res.Stdout, "1 event(s) of the local log are not in the mirror: seq 3 (pending? run karma log sync)")
}

func TestMirrorHoldsNoSecret(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "secrets")
	m.env = append(m.env, "TF_VAR_license_key="+fixtureSecrets["TF_VAR_"])

	res := m.karma("apply", "-auto-approve", "-var=api_token="+fixtureSecrets["-var"])

	require.Equal(t, 0, res.Code, res.Output())
	events, objects := m.mirrorObjects()
	require.NotEmpty(t, objects)
	var all strings.Builder
	for _, body := range events {
		all.Write(body)
	}
	for key, body := range objects {
		digest := "sha256:" + strings.TrimSuffix(strings.ReplaceAll(strings.TrimPrefix(key, "team-a/objects/"), "/", ""), ".json.zst")
		doc, err := audit.DecodeObject(digest, body)
		require.NoError(t, err, key)
		all.Write(doc)
	}
	for source, secret := range fixtureSecrets {
		assert.NotContains(t, all.String(), secret, "secret from %s in the mirror", source)
	}
}

func TestServerSideEncryptionFlags(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")

	kms := m.karma("--s3-sse", "aws:kms", "--s3-kms-key-id", "alias/karma", "plan")
	bad := m.karma("--s3-sse", "rot13", "plan")

	require.Equal(t, 0, kms.Code, kms.Output())
	assert.NotContains(t, kms.Stderr, "warning", "the mirror took the event with the encryption headers")
	m.assertMirrorMatchesLocal()
	assert.Equal(t, 1, bad.Code)
	assert.Equal(t, []string{`karma: --s3-sse "rot13": use AES256 or aws:kms`}, lines(bad.Stderr))
}

func TestSyncShowsProgressOnATerminal(t *testing.T) {
	t.Parallel()
	m := newMirrored(t, "basic")
	m.s3.Stop()
	require.Equal(t, 0, m.karma("apply", "-auto-approve").Code)
	m.s3.Start()
	cmd := exec.Command(karmaBin, "log", "sync")
	cmd.Env = append(testenv.BaseEnv(), append([]string{"KARMA_LOG_DIR=" + m.logDir, "TERM=xterm"}, m.env...)...)

	tty, err := pty.Start(cmd)
	require.NoError(t, err)
	var screen bytes.Buffer
	_, _ = io.Copy(&screen, tty)
	require.NoError(t, cmd.Wait())

	assert.Contains(t, screen.String(), "syncing events", "a progress bar on a terminal")
	assert.Contains(t, screen.String(), "0 event(s) pending")
}
