package audit

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tidwall/gjson"
)

// Classes of damage verify reports.
const (
	Modified   = "modified"
	Deleted    = "deleted"
	Inserted   = "inserted"
	Duplicated = "duplicated"
	Reordered  = "reordered"
	Truncated  = "truncated"
	Torn       = "torn"
)

// Problem is the first bad line verify found.
type Problem struct {
	// File is the file the line is in: events.jsonl, or checkpoints.jsonl.
	File string `json:"file"`
	// Line is the 1-based line the problem is at.
	Line int64 `json:"line"`
	// Class is one of Modified, Deleted, Inserted, Duplicated, Reordered,
	// Truncated or Torn.
	Class string `json:"class"`
	// Detail says what verify saw, in a sentence.
	Detail string `json:"detail"`
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%s line %d: %s: %s", p.File, p.Line, p.Class, p.Detail)
}

// Report is what verify found.
type Report struct {
	Events      int64    `json:"events"`
	Chain       string   `json:"chain,omitempty"`
	FirstSeq    int64    `json:"first_seq,omitempty"`
	LastSeq     int64    `json:"last_seq,omitempty"`
	Head        string   `json:"head,omitempty"`
	Checkpoints int      `json:"checkpoints"`
	Problem     *Problem `json:"problem,omitempty"`
}

// link is what the chain needs to remember of a line.
type link struct {
	line int64
	seq  int64
	hash string
	prev string
}

// recentWindow is how many recent line hashes verify remembers, to tell a
// duplicated line from a reordered one without holding the whole log.
const recentWindow = 4096

// verifier walks a log line by line, holding a bounded window of recent lines.
type verifier struct {
	lines       *LineReader
	checkpoints *checkpointCursor
	report      Report
	lineNo      int64
	// last and before are the last two lines accepted into the chain.
	last, before *link
	recent       map[string]int64
	order        []string
	next         *pending // one line of lookahead
}

// pending is a line read, or read ahead (a copy, which outlives the reader's buffer).
type pending struct {
	no   int64
	data []byte
	err  error
}

// Verify walks the log at path and checks every line: its hash against its
// bytes, its link to the line before, its sequence number, and, when
// checkpoints are given, its hash against the signed checkpoints. It stops at
// the first problem. It reads the log once and holds a bounded window of it.
func Verify(path string, checkpoints *Checkpoints) (*Report, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Report{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	return VerifyReader(f, checkpoints)
}

// VerifyReader is Verify over any reader of JSONL events.
func VerifyReader(r io.Reader, checkpoints *Checkpoints) (*Report, error) {
	v := &verifier{lines: NewLineReader(r), recent: map[string]int64{}, checkpoints: checkpoints.cursor()}
	defer v.checkpoints.close()
	v.report.Problem = v.walk()
	if v.report.Problem != nil && v.report.Problem.File == "" {
		v.report.Problem.File = EventsFile
	}
	if v.checkpoints != nil {
		v.report.Checkpoints = v.checkpoints.verified
	}
	return &v.report, nil
}

// walk checks every line, then the end of the log, and returns the first problem.
func (v *verifier) walk() *Problem {
	for {
		cur, err := v.read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return &Problem{Line: v.lineNo + 1, Class: Modified, Detail: fmt.Sprintf("cannot be read: %v", err)}
		}
		if p := v.check(cur); p != nil {
			return p
		}
	}
	if torn := v.lines.Torn(); torn > 0 {
		return &Problem{Line: v.lineNo + 1, Class: Torn,
			Detail: fmt.Sprintf("the log ends with %d bytes of an unfinished write (a crash); the next karma run that writes repairs it, as does karma log verify --repair", torn)}
	}
	return v.checkpoints.truncation(v.report.LastSeq, v.lineNo)
}

// read returns the next line, taking the lookahead line first. The line's
// bytes are only valid until the next read or peek: check reads what it needs
// of them first.
func (v *verifier) read() (*pending, error) {
	if v.next != nil {
		p := v.next
		v.next = nil
		return p, p.err
	}
	data, err := v.lines.Next()
	if err != nil {
		return nil, err
	}
	v.lineNo++
	return &pending{no: v.lineNo, data: data}, nil
}

// peek returns the line after the current one without consuming it.
func (v *verifier) peek() *link {
	if v.next == nil {
		data, err := v.lines.Next()
		if err != nil {
			return nil
		}
		v.lineNo++
		v.next = &pending{no: v.lineNo, data: append([]byte(nil), data...)}
	}
	l, err := linkOf(v.next)
	if err != nil {
		return nil
	}
	return l
}

func linkOf(p *pending) (*link, error) {
	s, err := unseal(p.data)
	if err != nil {
		return nil, err
	}
	if s.hash != s.computed {
		return nil, fmt.Errorf("its hash does not match its content")
	}
	return &link{line: p.no, seq: gjson.GetBytes(p.data, "seq").Int(), hash: s.hash, prev: s.prevHash}, nil
}

// check accepts the line into the chain or says what is wrong with it.
func (v *verifier) check(p *pending) *Problem {
	cur, err := linkOf(p)
	if err != nil {
		return &Problem{Line: p.no, Class: Modified, Detail: err.Error()}
	}
	if v.last == nil {
		if cur.prev != Genesis {
			return &Problem{Line: p.no, Class: Deleted, Detail: fmt.Sprintf("the first line (seq %d) links to an earlier event, which is missing", cur.seq)}
		}
		v.report.Chain = strings.Clone(gjson.GetBytes(p.data, "chain").String())
		v.report.FirstSeq = cur.seq
	} else if cur.prev != v.last.hash || cur.seq != v.last.seq+1 {
		return v.classify(cur)
	}
	if prob := v.checkpoints.check(cur, v.report.Chain); prob != nil {
		if next := v.peek(); next != nil && v.last != nil && next.prev == v.last.hash && next.seq == cur.seq {
			return &Problem{Line: cur.line, Class: Inserted, Detail: fmt.Sprintf(
				"line %d is the signed event with seq %d, so line %d does not belong before it", next.line, cur.seq, cur.line)}
		}
		return prob
	}
	v.accept(cur)
	return nil
}

// classify names the damage at a line that does not follow the last one.
func (v *verifier) classify(cur *link) *Problem {
	last := v.last
	if cur.hash == last.hash {
		return &Problem{Line: cur.line, Class: Duplicated, Detail: fmt.Sprintf("it repeats line %d", last.line)}
	}
	if line, ok := v.recent[cur.hash]; ok {
		return &Problem{Line: cur.line, Class: Duplicated, Detail: fmt.Sprintf("it repeats line %d", line)}
	}
	if v.before != nil && cur.prev == v.before.hash && cur.seq == v.before.seq+1 {
		return &Problem{Line: last.line, Class: Inserted, Detail: fmt.Sprintf("line %d follows line %d, so line %d does not belong between them", cur.line, v.before.line, last.line)}
	}
	if next := v.peek(); next != nil && next.prev == last.hash && next.seq == last.seq+1 {
		if cur.prev == next.hash {
			return &Problem{Line: cur.line, Class: Reordered, Detail: fmt.Sprintf("it (seq %d) belongs after line %d (seq %d)", cur.seq, next.line, next.seq)}
		}
		return &Problem{Line: cur.line, Class: Inserted, Detail: fmt.Sprintf("line %d follows line %d, so line %d does not belong between them", next.line, last.line, cur.line)}
	}
	switch {
	case cur.seq > last.seq+1:
		return &Problem{Line: cur.line, Class: Deleted, Detail: fmt.Sprintf("seq jumps from %d to %d: %d event(s) before this line are missing", last.seq, cur.seq, cur.seq-last.seq-1)}
	case cur.seq <= last.seq:
		return &Problem{Line: cur.line, Class: Reordered, Detail: fmt.Sprintf("seq %d comes after seq %d", cur.seq, last.seq)}
	}
	return &Problem{Line: cur.line, Class: Modified, Detail: fmt.Sprintf("its prev_hash does not match line %d: this line, or line %d with its hash recomputed, was altered", last.line, last.line)}
}

func (v *verifier) accept(cur *link) {
	v.before, v.last = v.last, cur
	v.recent[cur.hash] = cur.line
	v.order = append(v.order, cur.hash)
	if len(v.order) > recentWindow {
		delete(v.recent, v.order[0])
		v.order = v.order[1:]
	}
	v.report.Events++
	v.report.LastSeq = cur.seq
	v.report.Head = cur.hash
}
