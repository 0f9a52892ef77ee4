// Command karma replaces terraform plan and apply in pipelines and records
// every run in a tamper-evident audit log.
package main

import "os"

func main() {
	os.Exit(Main(os.Args, os.Stdin, os.Stdout, os.Stderr))
}
