package learn

import "math"

// logTable[i] is ln(1 + i/256), invTable[i] 1/(1 + i/256) and baseTable[i]
// 1 + i/256 (exact): fastLog's table over the top 8 bits of the mantissa.
var logTable, invTable, baseTable [257]float64

func init() {
	for i := range logTable {
		m := 1 + float64(i)/256
		logTable[i] = math.Log(m)
		invTable[i] = 1 / m
		baseTable[i] = m
	}
}

// fastLog is ln x for a positive normal x (every log-odds the model takes:
// its probabilities are clamped to [1e-6, 1 − 1e-6]), to within 1e-7
// absolute (a test checks it against math.Log). x = m·2^e with m in [1, 2);
// m = mᵢ(1 + d) with mᵢ the table point below m, so ln m = ln mᵢ + ln(1 + d),
// 0 <= d < 1/256, and ln(1 + d) = d − d²/2 + d³/3 with an error below d⁴/4
// < 1e-10. It is the scorer's hot path: math.Log was half its time.
// It is small enough for the compiler to inline.
func fastLog(x float64) float64 {
	b := math.Float64bits(x)
	i := (b >> 44) & 0xff // the top 8 bits of the mantissa
	d := (math.Float64frombits(b&(1<<52-1)|1023<<52) - baseTable[i]) * invTable[i]
	return float64(int(b>>52&0x7ff)-1023)*math.Ln2 + logTable[i] + d*(1-d*(0.5-d*(1.0/3)))
}
