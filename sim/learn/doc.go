// Package learn is risk targeting that learns from its own inspections. It is
// arena-agnostic: the simulator's border and the replay of real declarations
// (package replay below it) both drive it, and it imports nothing of package
// sim.
//
// # The loop
//
// Each day (or as each declaration arrives) a Selector scores declarations and
// chooses which to inspect within a budget. Only inspected declarations get an
// outcome, and only later: a Label waits in a Pending queue until the exam has
// ended plus any audit delay, and only then does the Model learn it. A policy
// therefore never sees an outcome before its time, and never sees the outcome
// of a declaration it did not inspect.
//
// # The model, and why
//
// In customs data most of the signal is in categorical crosses: HS code at 2,
// 4 and 6 digits, crossed with origin, departure and tax type; the trader and
// the declarant. Many cells are small or new. The model is therefore a
// hierarchy of Beta–Binomial cell rates with empirical-Bayes shrinkage: a
// cell's rate is its revealed irregular count k out of n, shrunk towards its
// parent's rate μ with a prior strength m, (k + m·μ) / (n + m), where HS6's
// parent is HS4, HS4's HS2, HS6 × origin's HS6, and the top families' parent is
// the global rate. An unseen HS6 takes its HS4's rate whole; a cell with a few
// outcomes moves part of the way. Refit estimates each family's m by the
// method of moments from how far its cells stray from their parents beyond
// binomial noise (nightly, in simulated time). The families are combined as a
// sum of log-odds lifts, logit p = logit(global) + Σ w_f·(logit p_f − logit
// p_parent(f)): along one chain the lifts telescope (HS2 → HS4 → HS6 gives the
// HS6 estimate), and sibling crosses (HS6 × origin, HS6 × tax type) add what
// each knows beyond HS6, naive-Bayes style. The weights w_f start at 1 and
// follow an online logistic fit on the revealed outcomes, which damps
// correlated families.
//
// Why not FTRL-proximal logistic regression on hashed crosses, or boosted
// trees: with a few thousand revealed labels, most of them from the targeted
// top of the ranking, a per-key weight learned by gradient steps needs many
// outcomes per key before it means anything, while shrinkage uses the
// hierarchy the tariff already gives; the Beta posterior per cell is exactly
// what Thompson sampling draws from; scoring is a handful of hash look-ups
// (no per-observation allocation, no string map); and every figure is
// explainable to an analyst as "this HS6 from this origin: 7 of 9 found
// irregular, its heading 30%". Trees would need a batch refit over stored
// rows and a Go implementation the project does not have.
//
// # Policies
//
// Kind names the policies: rules only, rules + ε random, learned (exploit),
// learned + ε random, Thompson sampling (rank by one draw from each cell's
// Beta posterior), and adaptive (learned + a random share that a Drift
// detector on the random stratum's hit rate opens when fraud appears where
// the targeting does not look). Every Decision carries its propensity, the
// probability that the policy inspects the declaration given the day's
// scores: 1 for a targeted declaration, the random stratum's sampling share
// for the others.
//
// # Honest estimates
//
// An Estimator weights each revealed irregular outcome by 1/propensity
// (inverse-propensity weighting): an unbiased estimate of the total number of
// irregular declarations, hence of the detection rate and of the duty not
// found, with a bootstrap interval over days. It needs a random stratum
// (ε > 0): an exploit-only policy cannot estimate what it misses.
//
// # Randomness
//
// Every draw comes from a stream of (seed, replication, purpose) (Stream,
// derived as the simulator's), one per purpose, so the same inputs give the
// same outputs for any number of workers.
package learn
