package planparse

import "bytes"

var redactedLiteral = []byte(`"` + Redacted + `"`)

// scrubJSON replaces every string value in doc that contains a secret with the
// Redacted marker. Object keys are left alone. doc must be JSON karma encoded.
func scrubJSON(doc []byte, secrets *Secrets) []byte {
	if secrets.Len() == 0 {
		return doc
	}
	var out []byte
	last := 0
	for i := 0; i < len(doc); {
		if doc[i] != '"' {
			i++
			continue
		}
		end := stringEnd(doc, i)
		if !isKey(doc, end) && secrets.containsEscaped(string(doc[i+1:end-1])) {
			if out == nil {
				out = make([]byte, 0, len(doc))
			}
			out = append(out, doc[last:i]...)
			out = append(out, redactedLiteral...)
			last = end
		}
		i = end
	}
	if out == nil {
		return doc
	}
	return append(out, doc[last:]...)
}

// stringEnd returns the index just past the string literal that opens at start.
func stringEnd(doc []byte, start int) int {
	for i := start + 1; i < len(doc); i++ {
		switch doc[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(doc)
}

// isKey reports whether the literal ending at end is an object key.
func isKey(doc []byte, end int) bool {
	rest := bytes.TrimLeft(doc[end:], " \t\r\n")
	return len(rest) > 0 && rest[0] == ':'
}

// scrub marks sensitive every attribute and output whose values hold a secret
// that terraform did not mark, and drops those values.
func (d *Diff) scrub(secrets *Secrets) {
	if secrets.Len() == 0 {
		return
	}
	for i := range d.Changes {
		d.Changes[i].scrub(secrets)
	}
	for i := range d.Drift {
		d.Drift[i].scrub(secrets)
	}
	for i := range d.Deferred {
		d.Deferred[i].Change.scrub(secrets)
	}
	for i := range d.Outputs {
		o := &d.Outputs[i]
		if secrets.contains(o.Before) || secrets.contains(o.After) {
			o.Before, o.After, o.Sensitive = nil, nil, true
		}
	}
}

func (c *Change) scrub(secrets *Secrets) {
	for i := range c.Attributes {
		a := &c.Attributes[i]
		if secrets.contains(a.Before) || secrets.contains(a.After) {
			a.Before, a.After, a.Sensitive = nil, nil, true
		}
	}
}

// scrubValues replaces each value that holds a secret with Redacted.
func scrubValues(values map[string]any, secrets *Secrets) {
	for k, v := range values {
		if secrets.contains(v) {
			values[k] = Redacted
		}
	}
}
