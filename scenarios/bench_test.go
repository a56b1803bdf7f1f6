package scenarios

import (
	"os"
	"testing"
)

func BenchmarkParseSeaport(b *testing.B) {
	data, err := os.ReadFile("examples/seaport.yaml")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("seaport.yaml", data, nil); err != nil {
			b.Fatal(err)
		}
	}
}
