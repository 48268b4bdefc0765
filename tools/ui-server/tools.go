//go:build tools

// Package tools pins the Temporal UI server v2.58.1 for `go build`: its own go.mod requires
// go.temporal.io/api v1.64.0, which the module proxy does not serve, so `go install …@v2.58.1`
// refuses it. This module requires the same UI server with the api's patch release v1.64.3, and
// src/provisioning/cluster-binaries.ts builds `github.com/temporalio/ui-server/v2/cmd/server` here.
package tools

import _ "github.com/temporalio/ui-server/v2/cmd/server"
