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
	Chain     string
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

// ReadHeader reads an event's header fields from its line in one pass over
// the top-level keys, stopping once it has them all: the changes, which can
// be most of a line, are not parsed.
func ReadHeader(line []byte) Header {
	h := Header{Line: line}
	const want = 11
	found := 0
	gjson.ParseBytes(line).ForEach(func(key, v gjson.Result) bool {
		found++
		switch key.Str {
		case "chain":
			h.Chain = v.Str
		case "seq":
			h.Seq = v.Int()
		case "id":
			h.ID = v.Str
		case "timestamp":
			h.Timestamp, _ = time.Parse(time.RFC3339Nano, v.Str)
		case "run_id":
			h.RunID = v.Str
		case "action":
			h.Action = v.Str
		case "status":
			h.Status = v.Str
		case "component":
			h.Component = v.Str
		case "user":
			h.User = v.Str
		case "source":
			h.Source = v.Str
		case "summary":
			h.Summary = summaryOf(v)
		default:
			found--
		}
		return found < want
	})
	return h
}

func summaryOf(s gjson.Result) *planparse.Summary {
	if !s.IsObject() {
		return nil
	}
	var sum planparse.Summary
	s.ForEach(func(k, v gjson.Result) bool {
		n := int(v.Int())
		switch k.Str {
		case "add":
			sum.Add = n
		case "change":
			sum.Change = n
		case "destroy":
			sum.Destroy = n
		case "replace":
			sum.Replace = n
		case "import":
			sum.Import = n
		case "move":
			sum.Move = n
		case "forget":
			sum.Forget = n
		case "read":
			sum.Read = n
		}
		return true
	})
	return &sum
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
	if len(needles) > 0 {
		return scanForNeedle(r, needles, f, fn)
	}
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

// scanChunk is how much of the log scanForNeedle searches at once.
const scanChunk = 4 << 20

// scanForNeedle finds candidate lines the way grep does: it searches whole
// chunks of the log for the first needle and only then finds the line around
// each hit, so lines that cannot match are never looked at one by one.
func scanForNeedle(r io.Reader, needles [][]byte, f Filter, fn func(Header) error) (ScanStats, error) {
	var stats ScanStats
	search := newHorspool(needles[0])
	buf := make([]byte, 0, scanChunk)
	carry := 0 // bytes at the start of buf: a line begun in the previous chunk
	for {
		buf = buf[:carry]
		n, err := io.ReadFull(r, buf[carry:cap(buf)])
		buf = buf[:carry+n]
		eof := errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
		if err != nil && !eof {
			return stats, fmt.Errorf("read audit log: %w", err)
		}
		end := bytes.LastIndexByte(buf, '\n') + 1 // whole lines end here
		if end == 0 && !eof && len(buf) == cap(buf) {
			buf = append(buf, make([]byte, len(buf))...)[:len(buf)] // a line longer than the buffer
			carry = len(buf)
			continue
		}
		stats.Lines += int64(bytes.Count(buf[:end], []byte("\n")))
		if err := eachCandidate(buf[:end], search, needles, f, fn); err != nil {
			return stats, err
		}
		if eof {
			stats.TornBytes = len(buf) - end
			return stats, nil
		}
		carry = copy(buf, buf[end:])
	}
}

// eachCandidate calls fn for each whole line in data that holds every needle
// and passes the filter.
func eachCandidate(data []byte, search *horspool, needles [][]byte, f Filter, fn func(Header) error) error {
	for len(data) > 0 {
		i := search.index(data)
		if i < 0 {
			return nil
		}
		start := bytes.LastIndexByte(data[:i], '\n') + 1
		end := i + bytes.IndexByte(data[i:], '\n')
		line := data[start:end]
		if containsAll(line, needles[1:]) {
			if h := ReadHeader(line); f.Match(h) {
				if err := fn(h); err != nil {
					return err
				}
			}
		}
		data = data[end+1:]
	}
	return nil
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
