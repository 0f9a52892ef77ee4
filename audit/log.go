package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/gofrs/flock"
	"github.com/google/uuid"
	"github.com/tidwall/gjson"
)

// File names inside a log directory.
const (
	EventsFile = "events.jsonl"
	lockFile   = "events.lock"
)

// ErrBadTail is returned when the log's last line is not an event karma wrote
// and is not a torn write it can repair: appending after it would hide it.
var ErrBadTail = errors.New("the log's last line is not a valid event")

// Log is the append-only event log in one directory. Any number of processes
// may append to one log: each append holds an exclusive file lock.
type Log struct {
	dir     string
	objects *Objects
	// OnRepair, when set, is told of every torn tail the log repairs.
	OnRepair func(Repair)
	// Actor names who is running karma, for the events the log writes on its
	// own behalf (log_repaired).
	Actor Actor
	// unlocked turns the file lock off; only tests that prove the lock is
	// needed set it.
	unlocked bool
}

// New returns the log in dir. It touches nothing on disk.
func New(dir string) *Log {
	return &Log{dir: dir, objects: &Objects{dir: filepath.Join(dir, "objects")}}
}

// Dir is the log directory.
func (l *Log) Dir() string { return l.dir }

// Path is the path of the events file.
func (l *Log) Path() string { return filepath.Join(l.dir, EventsFile) }

// Objects is the log's store of redacted documents.
func (l *Log) Objects() *Objects { return l.objects }

// Prepare makes the log ready to write: it creates the directory, checks the
// events file can be opened for appending and repairs a torn tail. Runs call it
// before terraform starts, so an unwritable log stops them before any change.
func (l *Log) Prepare() error {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return fmt.Errorf("cannot write audit log %s: %w", l.Path(), unwrapPath(err))
	}
	return l.withTail(func(*os.File, tail) error { return nil })
}

// Append writes ev as the next line of the log and fsyncs it. It fills in the
// chain fields: Chain, Seq, PrevHash and Hash.
func (l *Log) Append(ev *Event) error {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return fmt.Errorf("cannot write audit log %s: %w", l.Path(), unwrapPath(err))
	}
	return l.withTail(func(f *os.File, t tail) error { return l.write(f, t, ev) })
}

// AppendAll writes events as the next lines of the log under one lock, with
// one write and one fsync: for importing or generating many events at once.
func (l *Log) AppendAll(events []*Event) error {
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return fmt.Errorf("cannot write audit log %s: %w", l.Path(), unwrapPath(err))
	}
	return l.withTail(func(f *os.File, t tail) error {
		var buf []byte
		for _, ev := range events {
			line, err := l.seal(ev, t)
			if err != nil {
				return err
			}
			buf = append(buf, line...)
			t = tail{chain: ev.Chain, seq: ev.Seq, hash: ev.Hash, time: ev.Timestamp}
		}
		return l.flush(f, buf)
	})
}

// seal fills in an event's chain fields to follow t and encodes it. Its
// timestamp is never earlier than the one before it in the chain: processes
// stamp events before they take the lock, and a mirror sorts them by time.
func (l *Log) seal(ev *Event, t tail) ([]byte, error) {
	ev.Schema = Schema
	ev.Chain, ev.Seq, ev.PrevHash = t.chain, t.seq+1, t.hash
	if ev.ID == "" {
		ev.ID = NewID()
	}
	if ev.Timestamp.IsZero() {
		ev.Timestamp = Now()
	}
	if ev.Timestamp.Before(t.time.Time) {
		ev.Timestamp = t.time
	}
	return encodeLine(ev)
}

// flush writes lines in one write and fsyncs the file.
func (l *Log) flush(f *os.File, lines []byte) error {
	if _, err := f.Write(lines); err != nil {
		return fmt.Errorf("cannot write audit log %s: %w", l.Path(), unwrapPath(err))
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("cannot write audit log %s: fsync: %w", l.Path(), unwrapPath(err))
	}
	return nil
}

func (l *Log) write(f *os.File, t tail, ev *Event) error {
	line, err := l.seal(ev, t)
	if err != nil {
		return err
	}
	return l.flush(f, line)
}

// withTail locks the log, opens the events file, repairs a torn tail, and calls
// fn with the chain's current head.
func (l *Log) withTail(fn func(*os.File, tail) error) error {
	unlock, err := l.lock()
	if err != nil {
		return err
	}
	defer unlock()
	created := !exists(l.Path())
	f, err := os.OpenFile(l.Path(), os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("cannot write audit log %s: %w", l.Path(), unwrapPath(err))
	}
	defer f.Close()
	if created {
		if err := syncDir(l.dir); err != nil {
			return fmt.Errorf("cannot write audit log %s: %w", l.Path(), err)
		}
	}
	t, err := l.readTail(f)
	if err != nil {
		return err
	}
	return fn(f, t)
}

func (l *Log) lock() (func(), error) {
	if l.unlocked {
		return func() {}, nil
	}
	lk := flock.New(filepath.Join(l.dir, lockFile), flock.SetPermissions(0o600))
	if err := lk.Lock(); err != nil {
		return nil, fmt.Errorf("cannot lock audit log %s: %w", l.Path(), unwrapPath(err))
	}
	return func() { _ = lk.Unlock() }, nil
}

// Actor is who runs karma and from where.
type Actor struct {
	User, Source, Host string
}

// tail is the head of the chain: what the next event links to.
type tail struct {
	chain string
	seq   int64
	hash  string
	time  Time
}

// readTail reads the last event of the log, repairing a torn tail first.
func (l *Log) readTail(f *os.File) (tail, error) {
	data, start, err := lastBytes(f)
	if err != nil {
		return tail{}, fmt.Errorf("read audit log %s: %w", l.Path(), err)
	}
	if len(data) == 0 {
		return tail{chain: NewID(), hash: Genesis}, nil
	}
	if data[len(data)-1] != '\n' || bytes.IndexByte(lastLineOf(data), 0) >= 0 {
		if err := l.repair(f, data, start); err != nil {
			return tail{}, err
		}
		return l.readTail(f)
	}
	line := lastLineOf(data)
	s, err := unseal(line)
	if err != nil || s.hash != s.computed {
		return tail{}, fmt.Errorf("%w: %s ends with a line that does not verify; run karma log verify and keep a copy of the file before anything else writes to it", ErrBadTail, l.Path())
	}
	r := gjson.GetManyBytes(line, "chain", "seq", "timestamp")
	ts, _ := time.Parse(time.RFC3339Nano, r[2].String())
	return tail{chain: r[0].String(), seq: r[1].Int(), hash: s.hash, time: Time{ts}}, nil
}

// lastLineOf returns the last line of data, without its newline.
func lastLineOf(data []byte) []byte {
	data = bytes.TrimSuffix(data, []byte("\n"))
	return data[bytes.LastIndexByte(data, '\n')+1:]
}

// lastBytes returns the end of f holding at least its last two lines, and the
// offset it starts at. It reads backwards in chunks, so a large log costs no
// more than a small one.
func lastBytes(f *os.File) ([]byte, int64, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, 0, err
	}
	size := info.Size()
	chunk := int64(64 << 10)
	for {
		start := max(size-chunk, 0)
		data := make([]byte, size-start)
		if _, err := f.ReadAt(data, start); err != nil && !errors.Is(err, io.EOF) {
			return nil, 0, err
		}
		body := bytes.TrimSuffix(data, []byte("\n"))
		if start == 0 || bytes.Count(body, []byte("\n")) >= 1 {
			return data, start, nil
		}
		chunk *= 4
	}
}

// NewID returns a new unique, time-ordered id (a UUIDv7).
func NewID() string {
	return uuid.Must(uuid.NewV7()).String()
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// unwrapPath drops the path and operation from an *os.PathError, which the
// messages built here already name.
func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
