package render

import "github.com/usekarma/karma/planparse"

// Symbol is the mark terraform puts before a change of this kind.
func Symbol(c planparse.Change) string {
	switch c.Action {
	case planparse.ActionCreate:
		return "+"
	case planparse.ActionUpdate:
		return "~"
	case planparse.ActionDelete:
		return "-"
	case planparse.ActionReplace:
		if c.ReplaceOrder == planparse.DestroyBeforeCreate {
			return "-/+"
		}
		return "+/-"
	case planparse.ActionRead:
		return "<="
	}
	return " "
}

// colorSymbol colours a symbol as terraform does: green adds, yellow updates,
// red destroys, cyan reads.
func colorSymbol(c Colors, action planparse.Action, symbol string) string {
	switch action {
	case planparse.ActionCreate:
		return c.Green(symbol)
	case planparse.ActionUpdate:
		return c.Yellow(symbol)
	case planparse.ActionDelete, planparse.ActionReplace:
		return c.Red(symbol)
	case planparse.ActionRead:
		return c.Cyan(symbol)
	}
	return symbol
}
