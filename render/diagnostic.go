package render

import (
	"fmt"
	"io"
	"strings"
)

// Diagnostic is one of terraform's errors or warnings, with the source snippet
// terraform's JSON stream gives.
type Diagnostic struct {
	Severity string
	Summary  string
	Detail   string
	Address  string
	// Filename and Line locate the snippet; Context names the enclosing block
	// (resource "terraform_data" "x"); Code is the source line.
	Filename string
	Line     int
	Context  string
	Code     string
}

// WriteDiagnostic lays a diagnostic out in the box terraform draws:
//
//	╷
//	│ Error: summary
//	│
//	│   with terraform_data.c,
//	│   on main.tf line 11, in resource "terraform_data" "c":
//	│   11:   provisioner "local-exec" {
//	│
//	│ detail
//	╵
func WriteDiagnostic(w io.Writer, d Diagnostic, c Colors) {
	paint := c.Yellow
	title := "Warning: "
	if d.Severity == "error" {
		paint, title = c.Red, "Error: "
	}
	bar := paint("│")
	var b strings.Builder
	fmt.Fprintln(&b, paint("╷"))
	fmt.Fprintf(&b, "%s %s%s\n", bar, c.Bold(paint(title)), c.Bold(d.Summary))
	fmt.Fprintln(&b, bar)
	if d.Address != "" {
		fmt.Fprintf(&b, "%s   with %s,\n", bar, d.Address)
	}
	if d.Filename != "" {
		where := fmt.Sprintf("on %s line %d", d.Filename, d.Line)
		if d.Context != "" {
			where += ", in " + d.Context
		}
		fmt.Fprintf(&b, "%s   %s:\n", bar, where)
		if d.Code != "" {
			fmt.Fprintf(&b, "%s   %d: %s\n", bar, d.Line, d.Code)
		}
		fmt.Fprintln(&b, bar)
	}
	if d.Detail != "" {
		for _, line := range strings.Split(strings.TrimRight(d.Detail, "\n"), "\n") {
			fmt.Fprintf(&b, "%s %s\n", bar, line)
		}
	}
	fmt.Fprintln(&b, paint("╵"))
	io.WriteString(w, b.String())
}
