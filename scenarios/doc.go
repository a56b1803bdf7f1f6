// Package scenarios holds the scenario file format of pilotsim: a YAML file that
// describes a border crossing point in a pilot project (traffic, traders, trade
// profile, threats, risk rules, selectivity and control resources), its strict
// loading with line-numbered errors, defaults, validation, command-line overrides
// (--set path=value), and the probability distributions written in it.
//
// It turns a file into validated values; it does not simulate. The example
// scenarios shipped with the tool live in scenarios/examples.
package scenarios
