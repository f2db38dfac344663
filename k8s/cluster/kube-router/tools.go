//go:build tools

// Package tools pins kube-router, which the test cluster runs as a host process
// with only its NetworkPolicy firewall on (scripts/k8s/build.mjs).
package tools

import _ "github.com/cloudnativelabs/kube-router/v2/cmd/kube-router"
