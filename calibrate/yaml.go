package calibrate

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAML writes the fitted scenario as a scenario file: the header, then the
// scenario with each fitted or assumed part's comments above it. Absent
// values are left out, so scenarios.Load reads it back with the same
// defaults.
func (f *Fit) YAML() ([]byte, error) {
	var root yaml.Node
	if err := root.Encode(f.Scenario); err != nil {
		return nil, fmt.Errorf("fitted scenario: %w", err)
	}
	prune(&root)
	annotate(&root, "", f.Comments)
	root.HeadComment = strings.Join(f.Header, "\n")
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&root); err != nil {
		return nil, fmt.Errorf("fitted scenario: %w", err)
	}
	enc.Close()
	return b.Bytes(), nil
}

// prune removes null values, empty strings, empty lists and empty maps
// (absent in the scenario format) and writes floats with at most the digits
// they need.
func prune(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.MappingNode:
		var keep []*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if prune(n.Content[i+1]) {
				keep = append(keep, n.Content[i], n.Content[i+1])
			}
		}
		n.Content = keep
		return len(keep) > 0
	case yaml.SequenceNode:
		var keep []*yaml.Node
		for _, c := range n.Content {
			if prune(c) {
				keep = append(keep, c)
			}
		}
		n.Content = keep
		if len(keep) > 0 && keep[0].Kind == yaml.ScalarNode {
			n.Style = yaml.FlowStyle
		}
		return len(keep) > 0
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return false
		}
		if n.Tag == "!!str" && n.Value == "" {
			return false
		}
		if n.Tag == "!!float" {
			if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
				n.Value = strconv.FormatFloat(v, 'g', -1, 64)
				if !strings.ContainsAny(n.Value, ".eE") && !strings.Contains(n.Value, "Inf") && !strings.Contains(n.Value, "NaN") {
					n.Tag = "!!int"
				}
			}
		}
		return true
	case yaml.DocumentNode:
		for _, c := range n.Content {
			prune(c)
		}
		return true
	}
	return true
}

// annotate puts the comments of each path on the key of that field.
func annotate(n *yaml.Node, path string, comments map[string][]string) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			annotate(c, path, comments)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			p := n.Content[i].Value
			if path != "" {
				p = path + "." + p
			}
			if c, ok := comments[p]; ok {
				n.Content[i].HeadComment = strings.Join(c, "\n")
			}
			annotate(n.Content[i+1], p, comments)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := path + "[" + strconv.Itoa(i) + "]"
			if cm, ok := comments[p]; ok {
				c.HeadComment = strings.Join(cm, "\n")
			}
			annotate(c, p, comments)
		}
	}
}
