// Package backtest scores real declarations with the risk engine the simulator
// uses, and counts what the rules would have caught. A Member holds years of
// declarations with the results of the controls made on them; before a pilot
// it wants to know how a rule set would have done on them.
//
// A Mapping says how a file in a foreign layout maps onto the datamodel fields
// the engine reads and onto the outcome (irregular or not, revenue at stake),
// with value conversions. A Reader streams the file one declaration at a time
// in flat memory; a History answers, for each declaration, what was known of
// its trader (or HS code, origin, any mapped column) from declarations dated
// strictly before it — never later ones. Run scores every declaration with
// the simulator's own risk engine (package sim/risk) and adds it to a Tally:
// lanes, per-rule hits, and a histogram of scores with exact counts per
// distinct score, from which package results draws the targeting curve.
//
// Like sim, the package does no file I/O of its own: it reads from the
// io.Readers it is given.
package backtest
