package datamodel

// The code lists come from Debian's iso-codes; the example declarations file
// from a seeded generator, so it can be remade byte for byte.

//go:generate python3 internal/gen/isocodes.py
//go:generate go run ./internal/gen/declarations -n 48 -seed 1 -o ../scenarios/examples/declarations.csv
