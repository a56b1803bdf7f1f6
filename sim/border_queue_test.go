package sim

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// TestErlangC checks the reference formula itself on textbook values.
func TestErlangC(t *testing.T) {
	// M/M/1: Wq = rho/(mu-lambda).
	if got, want := borderErlangC(1, 0.7, 1), 0.7/0.3; math.Abs(got-want) > 1e-12 {
		t.Errorf("M/M/1 Wq = %v, want %v", got, want)
	}
	// M/M/2, a = 1: P(wait) = 1/3, Wq = (1/3)/(2-1).
	if got, want := borderErlangC(2, 1, 1), 1.0/3; math.Abs(got-want) > 1e-12 {
		t.Errorf("M/M/2 Wq = %v, want %v", got, want)
	}
}

// TestBorderMMc runs one pool with Poisson arrivals and exponential service
// and compares the mean wait in queue with M/M/1 and M/M/c (Erlang C) theory.
// Tolerance: replications are independent, so (mean − truth)/SE follows a
// Student t with R−1 degrees of freedom; the check allows its two-sided 0.1%
// quantile (about 4.4 standard errors for R = 12, 3.9 for R = 20). The warm-up
// removes the empty-start bias. The test also requires the standard error to
// be below 3% of the truth, so that it cannot pass by noise.
func TestBorderMMc(t *testing.T) {
	reps, arrivals := 20, 150000.0 // per replication
	if testing.Short() {
		reps, arrivals = 12, 60000.0
	}
	for _, tc := range []struct {
		name    string
		servers int
		lambda  float64 // per minute
		mean    float64 // mean service, minutes
	}{
		{"M/M/1 rho=0.7", 1, 0.7, 1},
		{"M/M/3 rho=0.8", 3, 0.24, 10},
		{"M/M/10 rho=0.9", 10, 0.9, 10},
	} {
		t.Run(tc.name, func(t *testing.T) {
			horizon := arrivals / tc.lambda
			sc := borderTestScenario(horizon, horizon/20, borderTestPool("document", tc.servers, tc.mean))
			cfg := borderTestCompile(t, sc)
			b := newBorder(cfg)
			wq := borderErlangC(tc.servers, tc.lambda, 1/tc.mean)
			lq := tc.lambda * wq
			var waits, trsWaits, queues, utils []float64
			for rep := range reps {
				borderTestFeed(b, rep, tc.lambda, func(c *Consignment, _ *rand.Rand) { c.Lane = Yellow })
				waits = append(waits, 60*borderMetric(t, b, "pool.document.mean_wait"))
				trsWaits = append(trsWaits, 60*borderMetric(t, b, "trs.document.wait.mean"))
				queues = append(queues, borderMetric(t, b, "pool.document.mean_queue"))
				utils = append(utils, borderMetric(t, b, "pool.document.utilization"))
			}
			tq := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(reps - 1)}.Quantile(1 - 0.001/2)
			for _, chk := range []struct {
				what  string
				xs    []float64
				truth float64
			}{
				{"pool mean wait (min)", waits, wq},
				{"TRS wait per visit (min)", trsWaits, wq},
				{"mean queue length", queues, lq},
				{"utilization", utils, tc.lambda * tc.mean / float64(tc.servers)},
			} {
				m, se := borderMeanSE(chk.xs)
				t.Logf("%s: %.4f ± %.4f (theory %.4f)", chk.what, m, se, chk.truth)
				if math.Abs(m-chk.truth) > tq*se {
					t.Errorf("%s = %.4f ± %.4f, theory %.4f: more than %.2f standard errors off", chk.what, m, se, chk.truth, tq)
				}
				if se > 0.03*chk.truth {
					t.Errorf("%s: standard error %.4f is over 3%% of %.4f; the check is too weak", chk.what, se, chk.truth)
				}
			}
		})
	}
}

// TestBorderLittle checks Little's law L = λW at every pool of a network:
// yellow consignments visit document; red ones nii then, on alarm, physical.
// L is the time-average queue length, λ the queue entries per minute in the
// window and W the mean wait of services started in the window; the two sides
// differ only by edge effects (work waiting at warm-up and at the horizon),
// far below 2% over this horizon.
func TestBorderLittle(t *testing.T) {
	horizon := 200000.0
	if testing.Short() {
		horizon = 60000
	}
	sc := borderTestScenario(horizon, 2000,
		borderTestPool("document", 2, 20),
		borderTestPool("nii", 1, 6),
		borderTestPool("physical", 6, 120))
	sc.Resources.Pools[1].FalseAlarm = 0.3
	cfg := borderTestCompile(t, sc)
	b := newBorder(cfg)
	lambda := 1.0 // per minute
	borderTestFeed(b, 1, lambda, func(c *Consignment, r *rand.Rand) {
		switch u := r.Float64(); {
		case u < 0.08:
			c.Lane = Yellow
		case u < 0.2:
			c.Lane = Red
		}
	})
	window := horizon - cfg.warmup
	for i, pc := range cfg.pools {
		ps := &b.pools[i]
		l := ps.qArea / window
		lam := float64(ps.entries) / window
		w := ps.waitSum / float64(ps.starts)
		t.Logf("%s: L=%.4f λ=%.4f W=%.4f λW=%.4f util=%.3f", pc.name, l, lam, w, lam*w, borderMetric(t, b, "pool."+pc.name+".utilization"))
		if l < 0.05 {
			t.Errorf("%s: mean queue %.4f too small for a meaningful check", pc.name, l)
		}
		if math.Abs(l-lam*w) > 0.02*l {
			t.Errorf("%s: L = %.4f but λW = %.4f (more than 2%% apart)", pc.name, l, lam*w)
		}
		// Little's law for the servers: busy servers = λ × mean service, with
		// the mean of the services performed (edge effects only), and within
		// 4 standard errors of the exponential's mean.
		busy := ps.busyArea / window
		if s := b.st.service[i] / window; math.Abs(busy-s) > 0.02*busy {
			t.Errorf("%s: mean busy servers %.4f but λS = %.4f", pc.name, busy, s)
		}
		if s, n := pc.service.Mean(), float64(ps.entries); math.Abs(busy-lam*s) > 4*lam*s/math.Sqrt(n) {
			t.Errorf("%s: mean busy servers %.4f, but λE[S] = %.4f", pc.name, busy, lam*s)
		}
	}
	// Routing: NII entries equal red arrivals; physical entries are the NII
	// alarms, 30% of scans (binomial bound, 4 sigma).
	nii, phys := float64(b.pools[1].entries), float64(b.pools[2].entries)
	if sd := math.Sqrt(nii * 0.3 * 0.7); math.Abs(phys-0.3*nii) > 4*sd {
		t.Errorf("physical entries %v, want 0.3 × %v ± %v", phys, nii, 4*sd)
	}
}
