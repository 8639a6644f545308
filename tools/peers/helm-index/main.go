// helm-index loads a chart repository index the way Flux's source-controller does before it
// stores one (JSON or strict YAML into Helm's repo.IndexFile, each chart version defaulted and
// validated, versions sorted newest first), then writes it as the indented JSON Flux stores.
// It is the Go reference of crates/source-controller's index benchmark. Usage:
//
//	helm-index INDEX_FILE OUT_FILE
//
// It prints the load-and-store time in seconds and the number of chart versions kept.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	chart "helm.sh/helm/v4/pkg/chart/v2"
	repo "helm.sh/helm/v4/pkg/repo/v1"
	"sigs.k8s.io/yaml"
)

func load(b []byte) (*repo.IndexFile, error) {
	index := &repo.IndexFile{}
	var err error
	if json.Valid(b) {
		err = json.Unmarshal(b, index)
	} else {
		err = yaml.UnmarshalStrict(b, index)
	}
	if err != nil {
		return nil, err
	}
	kept := 0
	for name, versions := range index.Entries {
		valid := versions[:0]
		for _, v := range versions {
			if v == nil {
				continue
			}
			if v.Metadata == nil {
				v.Metadata = &chart.Metadata{}
			}
			if v.APIVersion == "" {
				v.APIVersion = chart.APIVersionV1
			}
			if v.Validate() == nil {
				valid = append(valid, v)
			}
		}
		index.Entries[name] = valid
		kept += len(valid)
	}
	index.SortEntries()
	return index, nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: helm-index INDEX_FILE OUT_FILE")
		os.Exit(2)
	}
	start := time.Now()
	b, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	index, err := load(b)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, err := json.MarshalIndent(index, "", "  ")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[2], out, 0o600); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	n := 0
	for _, v := range index.Entries {
		n += len(v)
	}
	fmt.Printf("%f %d\n", time.Since(start).Seconds(), n)
}
