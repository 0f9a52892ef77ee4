// Command genlog writes a benchmark audit log: genlog EVENTS DIR.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/usekarma/karma/internal/loggen"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genlog EVENTS DIR")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err == nil {
		err = loggen.Write(os.Args[2], n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}
