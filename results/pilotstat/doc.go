// Package pilotstat is the statistics of pilot designs: the estimators that
// judge a pilot from weekly aggregates (before/after interrupted time series,
// a random control stratum, cluster-randomised sites, a stepped wedge across
// sites), their standard errors, the minimum detectable effect, the weeks a
// pilot needs, and a group-sequential rule for weekly looks.
//
// It depends on nothing in the engine: its inputs are plain series of weekly
// values (one per site and week, NaN where a week has no data), so the same
// code judges pilots that pilotsim simulated (plan) and pilots a Member ran
// (evaluate, from event records). It lives under results because it turns
// measurements into answers with intervals, as results does for replications;
// it is a package of its own because it must not see sim's types.
//
// # The unit of analysis and the error method
//
// Release times in one queue are correlated: a busy morning delays every
// consignment behind it, and traffic and staffing follow the day of the week.
// Consignments are therefore not independent units, and a t-test over
// consignments overstates precision many times. pilotsim analyses whole weeks
// (or site-weeks): a week's figure is computed from all its consignments, so
// the weekday pattern is the same in every week and drops out, and the
// correlation within a queue, which lasts hours to days (the queues clear
// over a weekend or within a shift pattern), stays inside the week. What is
// left is a short series of nearly independent weekly values per site:
//
//   - one site (before/after, random stratum): ordinary least squares on the
//     weekly values, the weeks as independent units, and a Student t
//     reference with n−k degrees of freedom. Newey–West (HAC) errors were
//     tried and rejected: with 8–26 weekly values the HAC variance is itself
//     so noisy and biased low that a 5% test rejected a true null 8–13% of the
//     time on toy pilots with a weekday pattern and autocorrelated days. WeekAutocorr measures
//     the lag-one autocorrelation left between weeks, which evaluate reports,
//     and plan's A/A false-positive rate shows on the simulated queue itself
//     whether weeks are independent enough;
//   - several sites (cluster-randomised, stepped wedge): the site is the
//     independent unit, because sites differ in everything the scenario's
//     between-site spread describes and weeks of one site are correlated:
//     a two-sample t on site summaries (G−2 degrees of freedom), or
//     cluster-robust CR1 errors by site with G−1 degrees of freedom.
//
// A bootstrap was not chosen: with 8–26 weekly values a block bootstrap has
// too few blocks to be trusted, and it would cost a thousand refits per
// simulated pilot. The package's tests check the calibration: on simulated
// A/A pilots (no effect) the false-positive rate lies in 4–6%.
//
// # Sequential monitoring
//
// GroupSequential gives O'Brien–Fleming-shaped boundaries for a pilot looked
// at every week: boundary b_k = c / sqrt(t_k) on the z scale at information
// fraction t_k, with c calibrated so that the chance of ever crossing under
// no effect is exactly α (two-sided). A mixture SPRT would also be valid, but
// with a few dozen weekly looks it spends far less than α (it guards against
// continuous monitoring) and so loses power; group-sequential boundaries
// spend exactly α over the planned looks.
package pilotstat
