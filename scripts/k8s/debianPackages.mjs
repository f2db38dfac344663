// What the test cluster needs from Debian, each package with a file it
// installs (how we tell it is there). scripts/setup.mjs installs the missing
// ones when the k8s suite is going to run; start.mjs refuses to start without
// them. Kubernetes itself, kube-router and pause are built from source
// (build.mjs): Debian has no Kubernetes new enough.
export const clusterPackages = [
  ['etcd-server', '/usr/bin/etcd'],
  ['containerd', '/usr/bin/containerd'], // and ctr, which imports the images
  ['runc', '/usr/sbin/runc'],
  ['containernetworking-plugins', '/usr/lib/cni/bridge'], // bridge, host-local, firewall
  ['iptables', '/usr/sbin/iptables'], // the CNI firewall plugin, kube-router's policy chains
  ['ipset', '/usr/sbin/ipset'], // kube-router's policy sets
  ['conntrack', '/usr/sbin/conntrack'], // kube-router lists it among its host tools
  ['iproute2', '/sbin/ip'], // the node address, the bridge and netns teardown
  ['openssl', '/usr/bin/openssl'], // the cluster's certificates
  ['gcc', '/usr/bin/gcc'], // the pause binary, from the kubernetes module's pause.c
  ['libc6-dev', '/usr/include/stdio.h'], // and its static libc
];
