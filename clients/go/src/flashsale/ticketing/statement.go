package ticketing

import (
	"fmt"
	"strings"
)

// arg is one argument of a call in named notation. An omitted argument is left out
// of the statement, so the function's own default applies.
type arg struct {
	name    string
	sqlType string
	value   interface{}
	omitted bool
}

func named(name, sqlType string, value interface{}) arg {
	return arg{name: name, sqlType: sqlType, value: value}
}

// optionalText is a text argument that is left out when empty.
func optionalText(name, value string) arg {
	return arg{name: name, sqlType: "text", value: value, omitted: value == ""}
}

// statement builds "SELECT <columns> FROM ticketing.<fn>(name => $1::type, ...)"
// and its argument list.
func statement(fn, columns string, args ...arg) (string, []interface{}) {
	var list []string
	var values []interface{}
	for _, a := range args {
		if a.omitted {
			continue
		}
		values = append(values, a.value)
		list = append(list, fmt.Sprintf("%s => $%d::%s", a.name, len(values), a.sqlType))
	}
	return fmt.Sprintf("SELECT %s FROM ticketing.%s(%s)", columns, fn, strings.Join(list, ", ")), values
}
