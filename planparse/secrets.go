package planparse

import (
	"sort"
	"strings"
)

// minSecretLen is the shortest sensitive string that is also matched by value.
// Shorter strings ("1", "eu") would wipe ordinary words out of documents while
// protecting nothing a guess could not find. Masks redact every sensitive value
// whatever its length; matching by value is the second net.
const minSecretLen = 4

// Secrets collects the sensitive strings met while redacting. Terraform does
// not mark every value derived from a secret (terraform_data's output copies a
// sensitive input unmarked), so karma also redacts any string that contains a
// known secret, and scrubs free text (diagnostics, captured errors) of them.
// The zero value is ready to use; a nil *Secrets ignores additions.
type Secrets struct {
	set     map[string]struct{}
	raw     *strings.Replacer
	escaped *strings.Replacer
}

// Add records secret.
func (s *Secrets) Add(secret string) {
	if s == nil || len(secret) < minSecretLen || secret == Redacted {
		return
	}
	if s.set == nil {
		s.set = map[string]struct{}{}
	}
	if _, ok := s.set[secret]; !ok {
		s.set[secret] = struct{}{}
		s.raw, s.escaped = nil, nil
	}
}

// add records every string inside a decoded JSON value.
func (s *Secrets) add(v any) {
	if s == nil {
		return
	}
	switch x := v.(type) {
	case string:
		s.Add(x)
	case map[string]any:
		for _, sub := range x {
			s.add(sub)
		}
	case []any:
		for _, sub := range x {
			s.add(sub)
		}
	}
}

// Merge adds every secret of other to s.
func (s *Secrets) Merge(other *Secrets) {
	if s == nil || other == nil {
		return
	}
	for secret := range other.set {
		s.Add(secret)
	}
}

// Len is the number of distinct secrets collected.
func (s *Secrets) Len() int {
	if s == nil {
		return 0
	}
	return len(s.set)
}

// Scrub returns text with every collected secret replaced by Redacted.
func (s *Secrets) Scrub(text string) string {
	if s.Len() == 0 || text == "" {
		return text
	}
	if s.raw == nil {
		s.raw = s.replacer(func(secret string) string { return secret })
	}
	return s.raw.Replace(text)
}

// containsEscaped reports whether the body of a JSON string literal, as karma
// encodes it, contains a secret.
func (s *Secrets) containsEscaped(literal string) bool {
	if s.escaped == nil {
		s.escaped = s.replacer(escapeJSON)
	}
	return s.escaped.Replace(literal) != literal
}

// contains reports whether a decoded value holds a string containing a secret.
func (s *Secrets) contains(v any) bool {
	switch x := v.(type) {
	case string:
		return s.Len() > 0 && s.Scrub(x) != x
	case map[string]any:
		for _, sub := range x {
			if s.contains(sub) {
				return true
			}
		}
	case []any:
		for _, sub := range x {
			if s.contains(sub) {
				return true
			}
		}
	}
	return false
}

// replacer orders the secrets longest first, so a secret that contains another
// is replaced whole.
func (s *Secrets) replacer(form func(string) string) *strings.Replacer {
	secrets := make([]string, 0, len(s.set))
	for secret := range s.set {
		secrets = append(secrets, secret)
	}
	sort.Slice(secrets, func(i, j int) bool {
		if len(secrets[i]) != len(secrets[j]) {
			return len(secrets[i]) > len(secrets[j])
		}
		return secrets[i] < secrets[j]
	})
	pairs := make([]string, 0, 2*len(secrets))
	for _, secret := range secrets {
		pairs = append(pairs, form(secret), Redacted)
	}
	return strings.NewReplacer(pairs...)
}

func escapeJSON(s string) string {
	doc, err := marshal(s)
	if err != nil {
		return s
	}
	return string(doc[1 : len(doc)-1])
}
