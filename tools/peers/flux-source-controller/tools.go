//go:build tools

// Package tools pins Flux's source-controller (v1.9.1, the one of Flux 2.9) so that
// `go build github.com/fluxcd/source-controller` builds the released controller, the reference
// of source-controller's side-by-side benchmarks.
package tools

import _ "github.com/fluxcd/source-controller"
