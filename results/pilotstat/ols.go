package pilotstat

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// fit is an ordinary least-squares fit.
type fit struct {
	n, k  int
	beta  []float64
	resid []float64
	xtxi  *mat.SymDense // (X'X)⁻¹
	x     *mat.Dense
}

// ols fits y = X·β by least squares. X must have full column rank.
func ols(x *mat.Dense, y []float64) (*fit, error) {
	n, k := x.Dims()
	if n <= k {
		return nil, ErrTooFew
	}
	var xtx mat.SymDense
	xtx.SymOuterK(1, x.T())
	var ch mat.Cholesky
	if ok := ch.Factorize(&xtx); !ok {
		return nil, fmt.Errorf("design matrix is singular (a site or week without contrast)")
	}
	xtxi := new(mat.SymDense)
	if err := ch.InverseTo(xtxi); err != nil {
		return nil, fmt.Errorf("design matrix is singular: %w", err)
	}
	yv := mat.NewVecDense(n, y)
	var xty mat.VecDense
	xty.MulVec(x.T(), yv)
	var b mat.VecDense
	b.MulVec(xtxi, &xty)
	f := &fit{n: n, k: k, beta: make([]float64, k), resid: make([]float64, n), xtxi: xtxi, x: x}
	for j := range k {
		f.beta[j] = b.AtVec(j)
	}
	for i := range n {
		r := y[i]
		for j := range k {
			r -= x.At(i, j) * f.beta[j]
		}
		f.resid[i] = r
	}
	return f, nil
}

// classicalVar returns the usual OLS variance of coefficient j: s²·(X'X)⁻¹_jj.
func (f *fit) classicalVar(j int) float64 {
	ss := 0.0
	for _, r := range f.resid {
		ss += r * r
	}
	return ss / float64(f.n-f.k) * f.xtxi.At(j, j)
}

// sandwich returns the variance of coefficient j from the "meat" built by
// addMeat: (X'X)⁻¹ M (X'X)⁻¹, row j only.
func (f *fit) sandwichVar(j int, meat *mat.SymDense) float64 {
	a := make([]float64, f.k)
	for i := range f.k {
		a[i] = f.xtxi.At(j, i)
	}
	av := mat.NewVecDense(f.k, a)
	return mat.Inner(av, meat, av)
}

// clusterVar returns the cluster-robust (CR1) variance of coefficient j for
// rows grouped by cluster[i] in 0…g−1: the meat sums each cluster's score,
// times g/(g−1)·(n−1)/(n−k).
func (f *fit) clusterVar(j int, cluster []int, g int) float64 {
	sums := make([][]float64, g)
	for i := range sums {
		sums[i] = make([]float64, f.k)
	}
	for t := range f.n {
		for c := range f.k {
			sums[cluster[t]][c] += f.x.At(t, c) * f.resid[t]
		}
	}
	meat := mat.NewSymDense(f.k, nil)
	for a := range f.k {
		for b := a; b < f.k; b++ {
			v := 0.0
			for _, s := range sums {
				v += s[a] * s[b]
			}
			meat.SetSym(a, b, v)
		}
	}
	adj := float64(g) / float64(g-1) * float64(f.n-1) / float64(f.n-f.k)
	return f.sandwichVar(j, meat) * adj
}

// finite reports whether x is neither NaN nor infinite.
func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }
