package audit

import "bytes"

// horspool finds a needle with the Boyer-Moore-Horspool skip table, as grep
// does: it compares the byte under the needle's end and jumps up to the
// needle's length at a time. bytes.Index anchors on the needle's first byte,
// and every needle karma searches a log for begins with a quote, the most
// common byte in JSON.
type horspool struct {
	needle []byte
	skip   [256]int
}

func newHorspool(needle []byte) *horspool {
	h := &horspool{needle: needle}
	for i := range h.skip {
		h.skip[i] = len(needle)
	}
	for i := 0; i < len(needle)-1; i++ {
		h.skip[needle[i]] = len(needle) - 1 - i
	}
	return h
}

// index returns the first index of the needle in s, or -1.
func (h *horspool) index(s []byte) int {
	n := len(h.needle)
	if n == 0 {
		return 0
	}
	last, lastByte := n-1, h.needle[n-1]
	for i := 0; i+n <= len(s); i += h.skip[s[i+last]] {
		if s[i+last] == lastByte && bytes.Equal(s[i:i+last], h.needle[:last]) {
			return i
		}
	}
	return -1
}
