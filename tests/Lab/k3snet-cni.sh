#!/usr/bin/env bash
# The lab's CNI plugin: a pod's network as flannel's CNI (the bridge plugin behind flannel) builds it on a k3s node.
# Shared by the lab (New-K3sNetLabPod) and the Kubernetes API emulator's kubelet; the contract is
# notes/CONTRACT-LAB.md ("The CNI plugin").
#
#   k3snet-cni.sh add <node-netns> <pod-netns> <pod-ip> <k8s-namespace>
#       network namespace <pod-netns>; a veth pair, host end veth<8 hex> a port of the node's cni0, pod end eth0 with
#       <pod-ip>/24 and flannel.1's MTU; lo up; a default route via cni0's address; /etc/netns/<pod-netns>/resolv.conf
#       as the kubelet writes it for a ClusterFirst pod. Idempotent: a pod already built the same way is left alone.
#   k3snet-cni.sh del <pod-netns>
#       ends the processes still in the namespace, deletes it (the veth goes with it) and /etc/netns/<pod-netns>/.
#       Never fails on "not there".
#
# Runs in the host's mount namespace, where /run/netns is; from inside another one: nsenter -t 1 -m -- k3snet-cni.sh ...
# Exit code 0 on success; on failure one line on stderr, exit code 1, and whatever this run made is removed.
set -uo pipefail

readonly cluster_dns=10.43.0.10
readonly cluster_domain=cluster.local

fail() {
    echo "k3snet-cni: $*" >&2
    exit 1
}

valid_name() {
    # What `ip netns` and a path component accept, without surprises.
    [[ $1 =~ ^[A-Za-z0-9][-A-Za-z0-9_.]{0,200}$ ]]
}

# The veth's host end: a name derived from the pod's (FNV-1a, in bash: no process), so the same pod always gets the
# same one (the bridge plugin draws a random veth<8 hex>; a stable one keeps `add` idempotent).
veth_name() {
    local text=$1 hash=2166136261 i char
    for ((i = 0; i < ${#text}; i++)); do
        printf -v char '%d' "'${text:i:1}"
        hash=$(((hash ^ char) * 16777619 & 0xFFFFFFFF))
    done
    printf 'veth%08x' "$hash"
}

remove_pod() {
    local pod=$1
    if [ -e "/run/netns/$pod" ]; then
        # A process left in the namespace would keep it (and its veth) alive after the name is gone.
        local pids
        pids=$(ip netns pids "$pod" 2>/dev/null || true)
        if [ -n "$pids" ]; then
            # shellcheck disable=SC2086
            kill -9 $pids 2>/dev/null || true
        fi
        ip netns delete "$pod" 2>/dev/null || true
    fi
    rm -rf "/etc/netns/$pod"
}

cmd_add() {
    [ $# -eq 4 ] || fail "usage: k3snet-cni.sh add <node-netns> <pod-netns> <pod-ip> <k8s-namespace>"
    local node=$1 pod=$2 ip=$3 namespace=$4
    valid_name "$node" || fail "'$node' is not a network namespace name"
    valid_name "$pod" || fail "'$pod' is not a network namespace name"
    [[ $namespace =~ ^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$ ]] || fail "'$namespace' is not a Kubernetes namespace name"
    [[ $ip =~ ^([0-9]{1,3}\.){3}[0-9]{1,3}$ ]] || fail "'$ip' is not an IPv4 address"
    [ -e "/run/netns/$node" ] || fail "no network namespace '$node' (run in the host's mount namespace: nsenter -t 1 -m -- $0 ...)"

    # flannel.1's MTU and cni0's address from one `ip addr` of the node (a 50-node lab adds many pods at once).
    local mtu='' gateway='' link='' line
    while IFS= read -r line; do
        if [[ $line =~ ^[0-9]+:\ ([^:@]+)[:@].*\ mtu\ ([0-9]+) ]]; then
            link=${BASH_REMATCH[1]}
            [ "$link" = flannel.1 ] && mtu=${BASH_REMATCH[2]}
        elif [ "$link" = cni0 ] && [ -z "$gateway" ] && [[ $line =~ ^\ +inet\ ([0-9.]+)/ ]]; then
            gateway=${BASH_REMATCH[1]}
        fi
    done < <(ip -n "$node" -4 addr show 2>/dev/null)
    [ -n "$mtu" ] || fail "'$node' has no flannel.1"
    [ -n "$gateway" ] || fail "'$node' has no cni0 with an IPv4 address"
    [ "${ip%.*}" = "${gateway%.*}" ] && [ "$ip" != "$gateway" ] || fail "$ip is not a pod address of '$node' (cni0 is $gateway/24)"

    local veth
    veth=$(veth_name "$pod")
    if [ -e "/run/netns/$pod" ]; then
        # Idempotent: the same pod again is done; a namespace of that name built otherwise is an error, not ours to fix.
        if ip -n "$pod" -o -4 addr show dev eth0 2>/dev/null | grep -q " $ip/24 " &&
            ip -n "$node" -o link show dev "$veth" 2>/dev/null | grep -q 'master cni0' &&
            [ -f "/etc/netns/$pod/resolv.conf" ]; then
            exit 0
        fi
        fail "network namespace '$pod' exists and is not a pod with $ip on '$node'"
    fi
    trap 'ip -n "$node" link delete "$veth" 2>/dev/null; remove_pod "$pod"' EXIT
    local output
    output=$(ip netns add "$pod" 2>&1) || fail "ip netns add $pod: $output"
    # The pair is made in the pod, its host end moved to the node: two ip processes for the whole link.
    output=$(ip -n "$pod" -batch - 2>&1 <<EOF
link add eth0 mtu $mtu type veth peer name $veth mtu $mtu netns $node
link set lo up
addr add $ip/24 dev eth0
link set eth0 up
route add default via $gateway dev eth0
EOF
    ) || fail "pod side of '$pod': ${output//$'\n'/ }"
    output=$(ip -n "$node" link set "$veth" master cni0 up 2>&1) || fail "veth into '$node': $output"
    # The address may have been another pod's a moment ago: the node forgets that pod's MAC now, as the bridge plugin's
    # gratuitous ARP makes it do, instead of sending the new pod's first packets to the old one for seconds.
    ip -n "$node" neigh del "$ip" dev cni0 2>/dev/null || true
    mkdir -p "/etc/netns/$pod" || fail "cannot create /etc/netns/$pod"
    # As the kubelet writes it for dnsPolicy ClusterFirst.
    printf 'search %s.svc.%s svc.%s %s\nnameserver %s\noptions ndots:5\n' \
        "$namespace" "$cluster_domain" "$cluster_domain" "$cluster_domain" "$cluster_dns" >"/etc/netns/$pod/resolv.conf" ||
        fail "cannot write /etc/netns/$pod/resolv.conf"
    trap - EXIT
}

cmd_del() {
    [ $# -eq 1 ] || fail "usage: k3snet-cni.sh del <pod-netns>"
    valid_name "$1" || fail "'$1' is not a network namespace name"
    remove_pod "$1"
}

case "${1:-}" in
add) shift; cmd_add "$@" ;;
del) shift; cmd_del "$@" ;;
*) fail "usage: k3snet-cni.sh add <node-netns> <pod-netns> <pod-ip> <k8s-namespace> | del <pod-netns>" ;;
esac
