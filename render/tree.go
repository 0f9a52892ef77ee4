package render

import (
	"fmt"
	"strings"

	"github.com/usekarma/karma/planparse"
)

// node is one step of the attribute tree a resource block is drawn from: the
// diff holds changed leaves as flat paths, the block nests them again.
type node struct {
	step     string
	leaf     *planparse.Attribute
	children []*node
}

func (n *node) child(step string) *node {
	for _, c := range n.children {
		if c.step == step {
			return c
		}
	}
	c := &node{step: step}
	n.children = append(n.children, c)
	return c
}

func buildTree(attrs []planparse.Attribute) *node {
	root := &node{}
	for i := range attrs {
		n := root
		for _, step := range planparse.SplitPath(attrs[i].Path) {
			n = n.child(step)
		}
		n.leaf = &attrs[i]
	}
	return root
}

func (n *node) isList() bool {
	return len(n.children) > 0 && strings.HasPrefix(n.children[0].step, "[")
}

// symbol is the change mark of a node: its leaf's mark, or for a nested
// value the resource's own (+ for a create, - for a destroy); inside an
// update a nested value that changes is marked ~.
func (n *node) symbol(action planparse.Action) string {
	if n.leaf != nil {
		return leafSymbol(*n.leaf, action)
	}
	switch action {
	case planparse.ActionCreate, planparse.ActionRead:
		return "+"
	case planparse.ActionDelete:
		return "-"
	}
	return "~"
}

func (n *node) forcesReplacement() bool {
	if n.leaf != nil {
		return n.leaf.ForcesReplacement
	}
	for _, c := range n.children {
		if !c.forcesReplacement() {
			return false
		}
	}
	return len(n.children) > 0
}

// attributes writes the children of n as lines of a block at the given
// indent. forced says an enclosing value already carries "# forces
// replacement", which terraform writes once.
func (t Text) attributes(b *strings.Builder, n *node, action planparse.Action, indent int, forced bool) {
	width := 0
	if !n.isList() {
		for _, c := range n.children {
			width = max(width, len(Key(c.step)))
		}
	}
	for _, c := range n.children {
		t.attribute(b, c, action, indent, width, n.isList(), forced)
	}
}

func (t Text) attribute(b *strings.Builder, n *node, action planparse.Action, indent, width int, inList, forced bool) {
	pad := strings.Repeat(" ", indent)
	symbol := n.symbol(action)
	lhs := pad + colorSymbol(t.Colors, symbolAction(symbol), symbol) + " "
	if !inList {
		lhs += fmt.Sprintf("%-*s = ", width, Key(n.step))
	}
	comma, note := "", ""
	if inList {
		comma = ","
	}
	forces := !forced && n.forcesReplacement()
	if forces {
		note = t.Colors.Red(" # forces replacement")
	}
	if n.leaf != nil {
		b.WriteString(lhs + leafText(*n.leaf, action, indent+2) + comma + note + "\n")
		return
	}
	open, closing := "{", "}"
	if n.isList() {
		open, closing = "[", "]"
	}
	b.WriteString(lhs + open + note + "\n")
	t.attributes(b, n, action, indent+4, forced || forces)
	b.WriteString(pad + "  " + closing + comma + "\n")
}

// leafSymbol marks one leaf: + where it gains a value, - where it loses one,
// ~ where it changes. A sensitive leaf takes its resource's mark.
func leafSymbol(a planparse.Attribute, action planparse.Action) string {
	switch {
	case action == planparse.ActionCreate || action == planparse.ActionRead:
		return "+"
	case action == planparse.ActionDelete:
		return "-"
	case a.Sensitive:
		return "~"
	case a.Before == nil && (a.After != nil || a.Unknown):
		return "+"
	case a.After == nil && !a.Unknown:
		return "-"
	}
	return "~"
}

func symbolAction(symbol string) planparse.Action {
	switch symbol {
	case "+":
		return planparse.ActionCreate
	case "-":
		return planparse.ActionDelete
	}
	return planparse.ActionUpdate
}

// leafText is the value part of a leaf's line, as terraform writes it.
func leafText(a planparse.Attribute, action planparse.Action, indent int) string {
	const known, sensitive = "(known after apply)", "(sensitive value)"
	switch {
	case a.Sensitive:
		return sensitive
	case a.Unknown && a.Before == nil:
		return known
	case a.Unknown:
		return markedValue(a.Before, indent, "-") + " -> " + known
	case leafSymbol(a, action) == "+":
		return markedValue(a.After, indent, "+")
	case leafSymbol(a, action) == "-":
		return markedValue(a.Before, indent, "-") + " -> null"
	}
	return Value(a.Before, indent) + " -> " + Value(a.After, indent)
}
