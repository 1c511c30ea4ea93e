// Command etcd is the etcd server, built from the same go.etcd.io/etcd/server/v3 version that
// k8s.io/kubernetes pins, so the tools module needs no second dependency graph.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
