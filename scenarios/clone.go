package scenarios

import (
	"encoding/json"
	"fmt"
)

// Clone returns a deep copy of sc: no map, slice or pointer is shared, so a
// change to one (a --reps applied after compiling, a seed changed for an
// independent run) never reaches the other. The engine keeps a clone, not
// the caller's scenario. A scenario holding NaN or an infinity (which Load
// never returns) cannot be cloned.
func (sc *Scenario) Clone() (*Scenario, error) {
	data, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	var out Scenario
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("scenario %s: %w", sc.Name, err)
	}
	return &out, nil
}
