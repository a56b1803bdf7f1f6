package scenarios

import (
	"fmt"
	"strconv"

	"pilotsim/internal/safefile"
)

// BacktestTraders is the trader population a rules file without traders is
// checked against (backtest scores declarations of real traders, whose ids
// the rules name as T and a rank): ids up to T1048576.
const BacktestTraders = 1 << 20

// TraderID returns the identifier of the trader with index i (rank i+1 by
// volume): "T" and the rank in at least six digits, T000001 for the largest.
// Rules name traders by these ids.
func TraderID(i int) string {
	s := strconv.Itoa(i + 1)
	if len(s) < 6 {
		s = "000000"[len(s):] + s
	}
	return "T" + s
}

// ParseTraderID reads an id made by TraderID and returns the trader index;
// the trader must be in a population of count.
func ParseTraderID(id string, count int) (int, error) {
	bad := func() error {
		return fmt.Errorf("%s is not a trader id (want T and the trader's rank, e.g. T000001)", safefile.Clip(strconv.Quote(id), maxEcho))
	}
	if len(id) < 2 || id[0] != 'T' || id[1] == '+' || id[1] == '-' {
		return 0, bad()
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil || n < 1 {
		if len(id) > 1 && allDigits(id[1:]) {
			return 0, fmt.Errorf("trader %s is not in the population of %d traders (T000001 to %s)", safefile.Clip(strconv.Quote(id), maxEcho), count, TraderID(count-1))
		}
		return 0, bad()
	}
	if n > count {
		return 0, fmt.Errorf("trader %q is not in the population of %d traders (T000001 to %s)", id, count, TraderID(count-1))
	}
	return n - 1, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
