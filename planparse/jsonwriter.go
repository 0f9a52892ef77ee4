package planparse

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// jsonWriter builds a JSON document piece by piece as the reader streams. Every
// method is a no-op on a nil writer, so the reader can call them unconditionally.
type jsonWriter struct {
	bytes.Buffer
	// needComma[i] is true once the container at depth i holds an element.
	needComma []bool
}

func (w *jsonWriter) open(delim byte) {
	if w == nil {
		return
	}
	w.WriteByte(delim)
	w.needComma = append(w.needComma, false)
}

func (w *jsonWriter) close(delim byte) {
	if w == nil {
		return
	}
	w.WriteByte(delim)
	w.needComma = w.needComma[:len(w.needComma)-1]
}

func (w *jsonWriter) separate() {
	top := len(w.needComma) - 1
	if w.needComma[top] {
		w.WriteByte(',')
	}
	w.needComma[top] = true
}

// beginField writes an object key; the value must follow.
func (w *jsonWriter) beginField(key string) {
	if w == nil {
		return
	}
	w.separate()
	w.WriteString(strconv.Quote(key))
	w.WriteByte(':')
}

func (w *jsonWriter) field(key string, v any) error {
	if w == nil {
		return nil
	}
	w.beginField(key)
	return w.value(v)
}

func (w *jsonWriter) elem(v any) error {
	if w == nil {
		return nil
	}
	w.separate()
	return w.value(v)
}

func (w *jsonWriter) value(v any) error {
	doc, err := marshal(v)
	if err != nil {
		return err
	}
	w.Write(doc)
	return nil
}

// marshal encodes v compactly without escaping <, > and &, as terraform does.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
