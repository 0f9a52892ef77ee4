package audit

import (
	"bytes"
	"math/rand"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestHorspoolFindsWhatBytesIndexFinds(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	alphabet := []byte(`"{}:,abc-07/`)
	for range 2000 {
		s := make([]byte, rng.Intn(200))
		for i := range s {
			s[i] = alphabet[rng.Intn(len(alphabet))]
		}
		needle := make([]byte, 1+rng.Intn(6))
		for i := range needle {
			needle[i] = alphabet[rng.Intn(len(alphabet))]
		}
		assert.Equal(t, bytes.Index(s, needle), newHorspool(needle).index(s), "%q in %q", needle, s)
	}
}
