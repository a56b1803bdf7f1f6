// Package replay runs the learning loop of package learn on real declarations
// in date order: the Korean replay of issue 13, and any file a backtest
// mapping reads.
//
// The history files are the administration's past; but only what an earlier
// policy inspected is known: per day, the rules' top share plus a random share
// (HistoryLabels). The replayed file is then run day by day: each policy
// chooses a budget share of the day's declarations, and only those reveal
// their outcome, Delay days later. Every figure is counted twice, over all
// rows and over rows whose novelty key (the goods tuple) is new: the Korean
// synthetic data copy labelled goods across files, so most test rows repeat a
// tuple already labelled and an exact look-up scores near 1 on them.
//
// The rules' scores come from package backtest (its reader and risk engine);
// the learner's keys are hashed from the raw values of the mapped columns.
// Load reads each file twice for that, so files are held in memory: a replay
// is a study of a bounded past, not a stream.
package replay
