// Package evaluate judges a pilot that was run, from its consignment-level
// event records: the Time Release Study records of a real pilot, or the
// trace CSV that `pilotsim run --trace` writes. The records are reduced to
// the same weekly key figures that plan simulates (sim/pilot's Weeks), and
// the same estimators (results/pilotstat) give the effect of the measure per
// key figure with its interval, so that evaluate and plan agree: the
// interval evaluate gives on a simulated pilot with a known effect covers
// that effect at the nominal rate (the package's coverage test).
//
// Beside the effects it gives the checks a reviewer asks for: the trend
// before the switch (before/after, stepped wedge), the difference between
// the arms before the measure started (a placebo: random stratum with a
// switch date, cluster), the autocorrelation left between weeks, and for a
// random stratum the tests that the assignment was random: the treated share
// against the designed share, a runs test in order of arrival, and
// chi-square tests of independence of the assignment from origin, HS
// chapter, AEO status, trader and weekday. Chalendard, Fernandes, Raballand
// and Rijkers ("Corruption in Customs", Quarterly Journal of Economics
// 138(1), 2023, 575–636, doi:10.1093/qje/qjac032) detected the manipulation
// of the rule-mandated random assignment of import declarations to
// inspectors in Madagascar's main port by measuring deviations from random
// assignment, and found the deviant declarations more at risk of tax evasion
// yet cleared faster and less often found fraudulent. A random stratum that
// is not random measures the manipulation, not the measure.
package evaluate
