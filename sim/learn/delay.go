package learn

// Label is the outcome of one inspection, waiting to be revealed: the
// declaration's features, what the control found, and how it was selected.
type Label struct {
	// At is when the outcome becomes known (in the caller's time unit:
	// days in the replay, minutes in the simulator): the end of the exam
	// plus any audit delay.
	At float64
	// Day is the day (or period) of the decision, for the estimates.
	Day int
	F   Features
	// Irregular is what the control found; Value the duty (or any revenue)
	// found with it, 0 when regular.
	Irregular bool
	Value     float64
	Decision  Decision
	// Seq orders labels revealed at the same instant (the order they were
	// pushed), so that release order never depends on the heap's layout.
	Seq uint64
}

// Pending holds the outcomes of inspections not yet revealed, as a min-heap
// by reveal time. Its storage is reused: once it has held as many labels as
// are ever pending at once, Push and Release allocate nothing.
type Pending struct {
	h   []Label
	seq uint64
	top Label // the label being revealed (a local would escape to the heap through reveal)
}

// NewPending returns an empty queue with room for capacity labels.
func NewPending(capacity int) *Pending { return &Pending{h: make([]Label, 0, capacity)} }

// Len returns the number of labels not yet revealed.
func (q *Pending) Len() int { return len(q.h) }

// Push adds a label; it is revealed by the first Release at or after l.At.
func (q *Pending) Push(l *Label) {
	q.h = append(q.h, *l)
	i := len(q.h) - 1
	q.h[i].Seq = q.seq
	q.seq++
	for i > 0 {
		p := (i - 1) / 2
		if !q.less(i, p) {
			break
		}
		q.h[i], q.h[p] = q.h[p], q.h[i]
		i = p
	}
}

func (q *Pending) less(i, j int) bool {
	a, b := &q.h[i], &q.h[j]
	return a.At < b.At || a.At == b.At && a.Seq < b.Seq
}

// Release reveals, in order of reveal time, every label due at or before
// now, passing each to reveal; it returns how many. A label is never passed
// before its time. The *Label is valid only during the call (copy it to keep
// it).
func (q *Pending) Release(now float64, reveal func(*Label)) int {
	n := 0
	for len(q.h) > 0 && q.h[0].At <= now {
		q.top = q.h[0]
		last := len(q.h) - 1
		q.h[0] = q.h[last]
		q.h = q.h[:last]
		q.down(0)
		reveal(&q.top)
		n++
	}
	return n
}

func (q *Pending) down(i int) {
	n := len(q.h)
	for {
		l := 2*i + 1
		if l >= n {
			return
		}
		j := l
		if r := l + 1; r < n && q.less(r, l) {
			j = r
		}
		if !q.less(j, i) {
			return
		}
		q.h[i], q.h[j] = q.h[j], q.h[i]
		i = j
	}
}
