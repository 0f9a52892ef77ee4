package audit

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/tidwall/gjson"
	"github.com/usekarma/karma/planparse"
)

// Filter selects events. Empty fields match every event.
type Filter struct {
	Component, Action, Status, User, Source, Run string
	// Since and Until bound the event time, inclusive; zero means unbounded.
	Since, Until time.Time
}

// Header is what lists and filters need of an event, read from its line
// without decoding the rest, which may hold thousands of changes.
type Header struct {
	Seq       int64
	ID        string
	Timestamp time.Time
	RunID     string
	Action    string
	Status    string
	Component string
	User      string
	Source    string
	Summary   *planparse.Summary
	// Line is the event exactly as stored, without its newline. It is only
	// valid until the scan moves on.
	Line []byte
}

var headerPaths = []string{"seq", "id", "timestamp", "run_id", "action", "status", "component", "user", "source", "summary"}

// ReadHeader reads an event's header fields from its line.
func ReadHeader(line []byte) Header {
	r := gjson.GetManyBytes(line, headerPaths...)
	h := Header{
		Seq: r[0].Int(), ID: r[1].String(), RunID: r[3].String(), Action: r[4].String(), Status: r[5].String(),
		Component: r[6].String(), User: r[7].String(), Source: r[8].String(), Line: line,
	}
	h.Timestamp, _ = time.Parse(time.RFC3339Nano, r[2].String())
	if s := r[9]; s.IsObject() {
		h.Summary = &planparse.Summary{
			Add: int(s.Get("add").Int()), Change: int(s.Get("change").Int()), Destroy: int(s.Get("destroy").Int()),
			Replace: int(s.Get("replace").Int()), Import: int(s.Get("import").Int()), Move: int(s.Get("move").Int()),
			Forget: int(s.Get("forget").Int()), Read: int(s.Get("read").Int()),
		}
	}
	return h
}

// Match reports whether the header passes the filter.
func (f Filter) Match(h Header) bool {
	return matches(f.Component, h.Component) && matches(f.Action, h.Action) && matches(f.Status, h.Status) &&
		matches(f.User, h.User) && matches(f.Source, h.Source) && matches(f.Run, h.RunID) &&
		(f.Since.IsZero() || !h.Timestamp.Before(f.Since)) && (f.Until.IsZero() || !h.Timestamp.After(f.Until))
}

func matches(want, got string) bool { return want == "" || want == got }

// needles are byte strings every matching line must contain: `"component":"X"`
// for each exact filter. They let a scan skip most lines with one bytes.Index,
// before reading any field.
func (f Filter) needles() [][]byte {
	var out [][]byte
	for _, kv := range [][2]string{{"component", f.Component}, {"action", f.Action}, {"status", f.Status},
		{"user", f.User}, {"source", f.Source}, {"run_id", f.Run}} {
		if kv[1] != "" {
			value, _ := jsonString(kv[1])
			out = append(out, []byte(`"`+kv[0]+`":`+value))
		}
	}
	return out
}

// ScanStats says what a scan met besides events.
type ScanStats struct {
	// Lines is the number of whole lines read.
	Lines int64
	// TornBytes counts bytes after the last newline: a write cut short, which
	// the next karma run that writes to the log repairs.
	TornBytes int
}

// Scan streams the events of the log at path that match f through fn, in the
// order they were written. It holds one line in memory at a time. A missing
// log holds no events.
func Scan(path string, f Filter, fn func(Header) error) (ScanStats, error) {
	file, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return ScanStats{}, nil
	}
	if err != nil {
		return ScanStats{}, fmt.Errorf("read audit log: %w", err)
	}
	defer file.Close()
	return ScanReader(file, f, fn)
}

// ScanReader is Scan over any reader of JSONL events.
func ScanReader(r io.Reader, f Filter, fn func(Header) error) (ScanStats, error) {
	needles := f.needles()
	lines := NewLineReader(r)
	var stats ScanStats
	for {
		line, err := lines.Next()
		if errors.Is(err, io.EOF) {
			stats.TornBytes = lines.Torn()
			return stats, nil
		}
		if err != nil {
			return stats, fmt.Errorf("read audit log: %w", err)
		}
		stats.Lines++
		if !containsAll(line, needles) {
			continue
		}
		if h := ReadHeader(line); f.Match(h) {
			if err := fn(h); err != nil {
				return stats, err
			}
		}
	}
}

func containsAll(line []byte, needles [][]byte) bool {
	for _, n := range needles {
		if !bytes.Contains(line, n) {
			return false
		}
	}
	return true
}

// LineReader reads newline-terminated lines of any length, reusing its buffer
// for lines that fit in it.
type LineReader struct {
	r    *bufio.Reader
	long []byte
	torn int
}

// NewLineReader reads lines from r.
func NewLineReader(r io.Reader) *LineReader {
	return &LineReader{r: bufio.NewReaderSize(r, 1<<20)}
}

// Next returns the next whole line without its newline, valid until the next
// call. At the end it returns io.EOF; bytes after the last newline are not a
// line (see Torn).
func (lr *LineReader) Next() ([]byte, error) {
	line, err := lr.r.ReadSlice('\n')
	if err == nil {
		return line[:len(line)-1], nil
	}
	lr.long = append(lr.long[:0], line...)
	for errors.Is(err, bufio.ErrBufferFull) {
		line, err = lr.r.ReadSlice('\n')
		lr.long = append(lr.long, line...)
	}
	if err == nil {
		return lr.long[:len(lr.long)-1], nil
	}
	if errors.Is(err, io.EOF) {
		lr.torn = len(lr.long)
	}
	return nil, err
}

// Torn is the number of bytes after the last newline, once Next returned io.EOF.
func (lr *LineReader) Torn() int { return lr.torn }
