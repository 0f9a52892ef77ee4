package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/gofrs/flock"
	"github.com/tidwall/gjson"
)

// ErrConflict is returned by a mirror that holds other bytes at a key karma
// writes: it never overwrites them.
var ErrConflict = errors.New("another object is already at this key")

// Mirror is a second home for the log. Put stores body at key only when
// nothing is there; it reports existed when the same bytes already are (a
// retry after a lost response), and ErrConflict when other bytes are.
type Mirror interface {
	Put(ctx context.Context, key string, body []byte) (existed bool, err error)
	// String names the mirror, as s3://bucket/prefix.
	String() string
}

// EventKey is where an event lives in a mirror:
// events/dt=2025-04-18/20250418T204100.123Z_000000000042_<chain>.json. The
// dt= partition lets Athena, Trino or DuckDB prune by day; keys sort by time,
// then by the event's place in its chain, and never collide.
func EventKey(ts time.Time, seq int64, chain string) string {
	ts = ts.UTC()
	return fmt.Sprintf("events/dt=%s/%s_%012d_%s.json", ts.Format(time.DateOnly), ts.Format("20060102T150405.000Z"), seq, chain)
}

// ParseEventKey reads the time, seq and chain back from an event key.
func ParseEventKey(key string) (ts time.Time, seq int64, chain string, ok bool) {
	name := key[strings.LastIndexByte(key, '/')+1:]
	name, found := strings.CutSuffix(name, ".json")
	parts := strings.SplitN(name, "_", 3)
	if !found || len(parts) != 3 {
		return ts, 0, "", false
	}
	ts, err := time.Parse("20060102T150405.000Z", parts[0])
	if err != nil {
		return ts, 0, "", false
	}
	if _, err := fmt.Sscanf(parts[1], "%d", &seq); err != nil {
		return ts, 0, "", false
	}
	return ts, seq, parts[2], true
}

// ObjectKey is where a stored document lives in a mirror.
func ObjectKey(digest string) (string, error) {
	name, err := ObjectName(digest)
	return "objects/" + name, err
}

// CheckpointKey is where a signed checkpoint lives in a mirror.
func CheckpointKey(chain string, to int64) string {
	return fmt.Sprintf("checkpoints/%s/%012d.json", chain, to)
}

// SyncResult counts what a sync did.
type SyncResult struct {
	// Uploaded counts events and documents written to the mirror.
	Uploaded int
	// Present counts those already there, with the same bytes.
	Present int
	// Delivered counts the events now in the mirror, uploaded or present.
	Delivered int
	// Pending counts the events still to deliver.
	Pending int
	// Conflicts lists keys where the mirror holds other bytes.
	Conflicts []string
	// Err is why delivery stopped: the mirror unreachable, access denied.
	Err error
}

// SyncOptions tune a sync.
type SyncOptions struct {
	// Concurrency is how many uploads run at once (default 32).
	Concurrency int
	// Progress, when set, is told how many of how many events are done.
	Progress func(done, total int)
}

// syncState is what a log dir remembers of a mirror: how far into the
// events and checkpoints files everything has been delivered.
type syncState struct {
	Mirror      string `json:"mirror"`
	Events      int64  `json:"events_offset"`
	Checkpoints int64  `json:"checkpoints_offset"`
}

const syncStateFile = "mirror-state.json"

// syncBatch is how many events a sync reads and uploads at a time.
const syncBatch = 2000

// Sync delivers to m every event (and the documents it references, first)
// and every checkpoint not yet delivered. What fails stays pending, for the
// next sync; a retry finds what already arrived and counts it as present, so
// nothing is uploaded twice. One sync of a log runs at a time.
func (l *Log) Sync(ctx context.Context, m Mirror, opts SyncOptions) (*SyncResult, error) {
	if opts.Concurrency <= 0 {
		opts.Concurrency = 32
	}
	lk := flock.New(filepath.Join(l.dir, "mirror.lock"), flock.SetPermissions(0o600))
	if ok, err := lk.TryLockContext(ctx, 50*time.Millisecond); !ok || err != nil {
		return nil, fmt.Errorf("wait for another karma syncing %s: %w", l.dir, firstErr(err, ctx.Err()))
	}
	defer lk.Unlock()
	state := l.loadSyncState(m)
	res := &SyncResult{}
	s := &syncer{log: l, mirror: m, opts: opts, res: res, sent: map[string]*upload{}}
	var err error
	if state.Events, err = s.events(ctx, state.Events); err != nil {
		return res, err
	}
	if res.Err == nil {
		state.Checkpoints = s.checkpoints(ctx, state.Checkpoints)
	}
	return res, l.saveSyncState(state)
}

// Pending counts the events not yet delivered to m.
func (l *Log) Pending(m Mirror) (int, error) {
	state := l.loadSyncState(m)
	f, err := os.Open(l.Path())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if _, err := f.Seek(state.Events, io.SeekStart); err != nil {
		return 0, err
	}
	stats, err := ScanReader(f, Filter{}, func(Header) error { return nil })
	return int(stats.Lines), err
}

func (l *Log) loadSyncState(m Mirror) syncState {
	var st syncState
	data, err := os.ReadFile(filepath.Join(l.dir, syncStateFile))
	if err != nil || json.Unmarshal(data, &st) != nil || st.Mirror != m.String() {
		return syncState{Mirror: m.String()}
	}
	if info, err := os.Stat(l.Path()); err != nil || st.Events > info.Size() {
		st.Events = 0 // the log was replaced or cut back: check everything again
	}
	return st
}

func (l *Log) saveSyncState(st syncState) error {
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(l.dir, syncStateFile), data)
}

// syncer is one sync in progress.
type syncer struct {
	log    *Log
	mirror Mirror
	opts   SyncOptions
	res    *SyncResult
	mu     sync.Mutex
	sent   map[string]*upload // documents delivered, or being delivered, in this sync
	done   int
	total  int
}

// upload is one document's delivery, shared by every event that references it.
type upload struct {
	done chan struct{}
	err  error
}

// job is one event to deliver: its line and where the line ends in the file.
type job struct {
	line []byte
	end  int64
	ok   bool
}

// events delivers the events from offset on, a batch at a time, and returns
// the offset up to which everything is delivered.
func (s *syncer) events(ctx context.Context, offset int64) (int64, error) {
	f, err := os.Open(s.log.Path())
	if errors.Is(err, os.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return offset, fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	if s.total, err = countLines(f, offset); err != nil {
		return offset, err
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset, err
	}
	lines := NewLineReader(f)
	pos := offset
	for {
		batch, err := readBatch(lines, &pos)
		if len(batch) == 0 || err != nil {
			s.res.Pending = s.total - s.res.Delivered
			return offset, err
		}
		s.deliver(ctx, batch)
		for _, j := range batch {
			if !j.ok {
				s.res.Pending = s.total - s.res.Delivered
				return offset, nil
			}
			offset = j.end
		}
	}
}

func countLines(f *os.File, offset int64) (int, error) {
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return 0, err
	}
	n := 0
	buf := make([]byte, 1<<20)
	for {
		k, err := f.Read(buf)
		n += bytes.Count(buf[:k], []byte("\n"))
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

func readBatch(lines *LineReader, pos *int64) ([]*job, error) {
	var batch []*job
	for len(batch) < syncBatch {
		line, err := lines.Next()
		if errors.Is(err, io.EOF) {
			return batch, nil
		}
		if err != nil {
			return batch, err
		}
		*pos += int64(len(line)) + 1
		batch = append(batch, &job{line: append(append([]byte(nil), line...), '\n'), end: *pos})
	}
	return batch, nil
}

// deliver uploads a batch with Concurrency workers. The first failure that is
// not a conflict stops the batch: the mirror is down or refusing.
func (s *syncer) deliver(ctx context.Context, batch []*job) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	jobs := make(chan *job)
	var wg sync.WaitGroup
	for range s.opts.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if err := s.deliverEvent(ctx, j); err != nil && !errors.Is(err, ErrConflict) {
					s.fail(err)
					cancel()
				}
			}
		}()
	}
	for _, j := range batch {
		if ctx.Err() != nil {
			break
		}
		jobs <- j
	}
	close(jobs)
	wg.Wait()
}

// deliverEvent uploads an event's documents, then the event.
func (s *syncer) deliverEvent(ctx context.Context, j *job) error {
	r := gjson.GetManyBytes(j.line, "timestamp", "seq", "chain", "plan", "diff", "pre_state", "post_state")
	for _, d := range r[3:] {
		if d.Str != "" {
			if err := s.deliverObject(ctx, d.Str); err != nil {
				return err
			}
		}
	}
	ts, err := time.Parse(time.RFC3339Nano, r[0].Str)
	if err != nil {
		return fmt.Errorf("event at seq %d has no readable timestamp: %w", r[1].Int(), err)
	}
	if err := s.put(ctx, EventKey(ts, r[1].Int(), r[2].Str), j.line); err != nil {
		return err
	}
	j.ok = true
	s.mu.Lock()
	s.res.Delivered++
	s.done++
	done := s.done
	s.mu.Unlock()
	if s.opts.Progress != nil {
		s.opts.Progress(done, s.total)
	}
	return nil
}

// deliverObject uploads a document once per sync: an event that needs one
// another event is uploading waits for that upload.
func (s *syncer) deliverObject(ctx context.Context, digest string) error {
	s.mu.Lock()
	u, started := s.sent[digest]
	if !started {
		u = &upload{done: make(chan struct{})}
		s.sent[digest] = u
	}
	s.mu.Unlock()
	if started {
		select {
		case <-u.done:
			return u.err
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	defer close(u.done)
	key, err := ObjectKey(digest)
	if err != nil {
		u.err = err
		return err
	}
	path, _ := s.log.objects.Path(digest)
	body, err := os.ReadFile(path)
	if err != nil {
		u.err = fmt.Errorf("read object %s: %w", digest, unwrapPath(err))
		return u.err
	}
	u.err = s.put(ctx, key, body)
	return u.err
}

// put writes one object and counts what happened.
func (s *syncer) put(ctx context.Context, key string, body []byte) error {
	existed, err := s.mirror.Put(ctx, key, body)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case errors.Is(err, ErrConflict):
		s.res.Conflicts = append(s.res.Conflicts, key)
		return err
	case err != nil:
		return err
	case existed:
		s.res.Present++
	default:
		s.res.Uploaded++
	}
	return nil
}

func (s *syncer) fail(err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.res.Err == nil {
		s.res.Err = err
	}
}

// checkpoints delivers the signed checkpoints from offset on and returns the
// offset up to which they are delivered.
func (s *syncer) checkpoints(ctx context.Context, offset int64) int64 {
	f, err := os.Open(filepath.Join(s.log.dir, CheckpointsFile))
	if err != nil {
		return offset
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil || offset > info.Size() {
		offset = 0
	}
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return offset
	}
	lines := NewLineReader(f)
	for {
		line, err := lines.Next()
		if err != nil {
			return offset
		}
		r := gjson.GetManyBytes(line, "chain", "to")
		if err := s.put(ctx, CheckpointKey(r[0].Str, r[1].Int()), append(append([]byte(nil), line...), '\n')); err != nil {
			if !errors.Is(err, ErrConflict) {
				s.fail(err)
			}
			return offset
		}
		offset += int64(len(line)) + 1
	}
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return errors.New("timed out")
}
