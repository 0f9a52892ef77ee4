// Command genlog writes a benchmark audit log: genlog [-bare] EVENTS DIR.
// With -bare the events reference no documents, for syncing.
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/usekarma/karma/internal/loggen"
)

func main() {
	bare := flag.Bool("bare", false, "events that reference no documents")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: genlog [-bare] EVENTS DIR")
		os.Exit(2)
	}
	n, err := strconv.Atoi(flag.Arg(0))
	write := loggen.Write
	if *bare {
		write = loggen.WriteBare
	}
	if err == nil {
		err = write(flag.Arg(1), n)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "genlog:", err)
		os.Exit(1)
	}
}
