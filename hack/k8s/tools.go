//go:build tools

// Package tools pins the Kubernetes commands this module builds, so `go mod tidy` keeps their
// dependencies. Built with `go build k8s.io/kubernetes/cmd/...` by hack/k8s/build.sh.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
