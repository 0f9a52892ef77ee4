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

// symbol is the change mark of a node: the mark of its leaf, or the one its
// children share, else ~.
func (n *node) symbol(action planparse.Action) string {
	if n.leaf != nil {
		return leafSymbol(*n.leaf, action)
	}
	common := ""
	for _, c := range n.children {
		s := c.symbol(action)
		if common != "" && s != common {
			return "~"
		}
		common = s
	}
	return common
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

// attributes writes the children of n as lines of a block at the given indent.
func (t Text) attributes(b *strings.Builder, n *node, action planparse.Action, indent int) {
	width := 0
	if !n.isList() {
		for _, c := range n.children {
			width = max(width, len(Key(c.step)))
		}
	}
	for _, c := range n.children {
		t.attribute(b, c, action, indent, width, n.isList())
	}
}

func (t Text) attribute(b *strings.Builder, n *node, action planparse.Action, indent, width int, inList bool) {
	pad := strings.Repeat(" ", indent)
	symbol := n.symbol(action)
	lhs := pad + colorSymbol(t.Colors, symbolAction(symbol), symbol) + " "
	if !inList {
		lhs += fmt.Sprintf("%-*s = ", width, Key(n.step))
	}
	suffix := ""
	if inList {
		suffix = ","
	}
	if n.forcesReplacement() {
		suffix += t.Colors.Red(" # forces replacement")
	}
	if n.leaf != nil {
		b.WriteString(lhs + leafText(*n.leaf, action, indent+2) + suffix + "\n")
		return
	}
	open, closing := "{", "}"
	if n.isList() {
		open, closing = "[", "]"
	}
	b.WriteString(lhs + open + "\n")
	t.attributes(b, n, action, indent+4)
	b.WriteString(pad + "  " + closing + suffix + "\n")
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
		return Value(a.Before, indent) + " -> " + known
	case leafSymbol(a, action) == "+":
		return Value(a.After, indent)
	case leafSymbol(a, action) == "-":
		return Value(a.Before, indent) + " -> null"
	}
	return Value(a.Before, indent) + " -> " + Value(a.After, indent)
}
