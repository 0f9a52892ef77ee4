package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads a time as karma's filters accept it: RFC 3339
// (2025-04-18T20:41:00Z), a date (2025-04-18, midnight UTC), or a duration
// back from now (90m, 36h, 7d). dateOnly reports a date, which as an upper
// bound means the whole day.
func ParseTime(s string, now time.Time) (t time.Time, dateOnly bool, err error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), false, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true, nil
	}
	if d, ok := parseAgo(s); ok {
		return now.Add(-d).UTC(), false, nil
	}
	return time.Time{}, false, fmt.Errorf("%q is not a time: use RFC 3339 (2025-04-18T20:41:00Z), a date (2025-04-18) or a duration back from now (36h, 7d)", s)
}

// ParseSince reads a lower time bound.
func ParseSince(s string, now time.Time) (time.Time, error) {
	t, _, err := ParseTime(s, now)
	return t, err
}

// ParseUntil reads an upper time bound; a date includes the whole day.
func ParseUntil(s string, now time.Time) (time.Time, error) {
	t, dateOnly, err := ParseTime(s, now)
	if dateOnly {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, err
}

func parseAgo(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n < 0 {
			return 0, false
		}
		return time.Duration(n * float64(24*time.Hour)), true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil && d >= 0
}

// jsonString returns s as a JSON string literal, as the log writes it (without
// HTML escaping).
func jsonString(s string) (string, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(s)
	return strings.TrimSuffix(buf.String(), "\n"), err
}
