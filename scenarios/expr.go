package scenarios

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"
)

// ExprEnv is what an expr rule sees: the consignment's fields under the names
// below. Example: `origin in ["CO", "EC"] && chapter == 8 && value_per_kg < 1`.
//
// It is part of the scenario format (the variables a rule may use and their
// types), so it lives here: validation type-checks every expression against
// it, and the engine (sim) fills one per consignment and runs the program
// CompileExpr returns.
//
// Expression rules are compiled once, but evaluating one costs far more than
// a criteria rule (the expr virtual machine boxes values and reads the
// environment by reflection, and the HS code is formatted as a string): use
// criteria where they can say it, expressions where they cannot.
type ExprEnv struct {
	Origin             string  `expr:"origin"`   // ISO 3166-1 alpha-2
	Dispatch           string  `expr:"dispatch"` // country of dispatch
	Hub                string  `expr:"hub"`      // routing hub, "" when not routed
	Routed             bool    `expr:"routed"`
	HS                 string  `expr:"hs"`      // 6 digits, e.g. "080390"
	Chapter            int     `expr:"chapter"` // 1-97
	Heading            int     `expr:"heading"` // 4 digits as a number, e.g. 803
	ValuePerKg         float64 `expr:"value_per_kg"`
	GrossWeight        float64 `expr:"gross_weight"` // kg
	Value              float64 `expr:"value"`
	AEO                bool    `expr:"aeo"`
	NewTrader          bool    `expr:"new_trader"`
	Trader             string  `expr:"trader"` // trader id, e.g. T000001
	Mode               string  `expr:"mode"`   // sea, air, road, rail, postal
	LodgedAfterArrival bool    `expr:"lodged_after_arrival"`
	LeadHours          float64 `expr:"lead_hours"`      // arrival − lodgement in hours (negative: lodged after)
	ArrivalHour        int     `expr:"arrival_hour"`    // hour of day of arrival, 0-23
	ArrivalWeekday     int     `expr:"arrival_weekday"` // day of week of arrival, 0 = Monday
}

// MaxExprBytes bounds the text of one expression: a rule a person writes is
// a line or two, and the compiler's work grows with the text.
const MaxExprBytes = 10_000

// CompileExpr parses and type-checks an expression rule against ExprEnv: it
// must use only ExprEnv's variables, with their types, and give a boolean.
// The error is in words, on one line, with the place in the expression
// ("unknown name nosuch (character 1 of the expression)").
func CompileExpr(src string) (*vm.Program, error) {
	if strings.TrimSpace(src) == "" {
		return nil, fmt.Errorf("empty expression")
	}
	if len(src) > MaxExprBytes {
		return nil, fmt.Errorf("expression of %d bytes: at most %d", len(src), MaxExprBytes)
	}
	prog, err := expr.Compile(src, expr.Env(ExprEnv{}), expr.AsBool())
	if err != nil {
		return nil, exprError(src, err)
	}
	return prog, nil
}

// exprPlaceRE is the place expr-lang puts at the end of its first line:
// "(line:column)" within the expression.
var exprPlaceRE = regexp.MustCompile(` \((\d+):(\d+)\)$`)

// exprError rewrites expr-lang's error: its first line (the rest is the
// expression again with a caret under the column), the place in words.
func exprError(src string, err error) error {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	if rest, ok := strings.CutPrefix(msg, "expected bool, but got "); ok {
		// expr.AsBool: the result is not a condition.
		kind := strings.TrimSpace(rest)
		switch kind {
		case "int":
			kind = "a whole number"
		case "float64", "float":
			kind = "a number"
		case "string":
			kind = "text"
		}
		return fmt.Errorf("it gives %s, not true or false: a rule needs a condition, e.g. chapter == 8", kind)
	}
	if m := exprPlaceRE.FindStringSubmatch(msg); m != nil {
		msg = msg[:len(msg)-len(m[0])]
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if strings.Contains(strings.TrimRight(src, "\n"), "\n") {
			msg += fmt.Sprintf(" (line %d, character %d of the expression)", line, col)
		} else {
			msg += fmt.Sprintf(" (character %d of the expression)", col)
		}
	}
	return fmt.Errorf("%s", msg)
}
