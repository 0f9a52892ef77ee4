package audit

import "time"

// timeLayout writes event times in UTC with exactly three fractional digits,
// so timestamps sort as text as well as by time.
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

// Time is an event time. It reads any RFC 3339 time and writes timeLayout.
type Time struct{ time.Time }

// MarshalJSON writes the time in UTC with millisecond precision.
func (t Time) MarshalJSON() ([]byte, error) {
	return []byte(`"` + t.UTC().Format(timeLayout) + `"`), nil
}

// Now is the time events are stamped with.
func Now() Time {
	return Time{time.Now().UTC().Truncate(time.Millisecond)}
}
