package render

// Colors wraps text in ANSI colours, or leaves it plain. The zero value is plain.
type Colors struct {
	// On turns colour on; callers decide once (a terminal, no NO_COLOR, no -no-color).
	On bool
}

func (c Colors) wrap(code, s string) string {
	if !c.On || s == "" {
		return s
	}
	return "\x1b[" + code + "m" + s + "\x1b[0m"
}

// Bold makes s bold.
func (c Colors) Bold(s string) string { return c.wrap("1", s) }

// Red colours s red.
func (c Colors) Red(s string) string { return c.wrap("31", s) }

// Green colours s green.
func (c Colors) Green(s string) string { return c.wrap("32", s) }

// Yellow colours s yellow.
func (c Colors) Yellow(s string) string { return c.wrap("33", s) }

// Cyan colours s cyan.
func (c Colors) Cyan(s string) string { return c.wrap("36", s) }

// Dim greys s out.
func (c Colors) Dim(s string) string { return c.wrap("2", s) }
