#Requires -Version 7.4
<#
.SYNOPSIS
    Captures, from a lab node, what the node's tools print with each of the lab's host faults on it: the firewall judge's
    fixtures lab-<case>.json (`nft -j list ruleset`), lab-<case>.listing (`nft -a list ruleset`) and lab-<case>.node.json
    (the node's sysctls, links, addresses and routes, as `sysctl -n` and `ip -j` print them).
.DESCRIPTION
    Builds a 3-node lab (tests/Lab, with its pod network where the lab has one), sets each fault on node-c with
    Set-K3sNetLabFault exactly as the lab tests do, captures node-c, clears, and removes the lab, also on failure.
    Cases: healthy (the node as built), and each host fault: forward-policy-drop (Docker after k3s, flannel's FORWARD
    jump gone), forward-policy-drop-flannel-kept (the same with FLANNEL-FWD still jumped to: Docker's policy is then
    harmless), ufw-routed-deny, ip-forward-off, oci-reject-vxlan, rp-filter-strict (the route to node-a, 10.0.1.10, via
    eth1), cni0-down (where the lab has cni0). Needs root, iproute2, nftables and iptables.
#>
[CmdletBinding()]
param([string] $Directory = $PSScriptRoot)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../../../Lab/K3sNetLab.psm1') -Force

$cases = [ordered]@{
    'healthy'                         = $null
    'forward-policy-drop'             = @{ Fault = 'ForwardPolicyDrop' }
    'forward-policy-drop-flannel-kept' = @{ Fault = 'ForwardPolicyDrop'; KeepFlannelForward = $true }
    'ufw-routed-deny'                 = @{ Fault = 'UfwRoutedDeny' }
    'ip-forward-off'                  = @{ Fault = 'IpForwardOff' }
    'oci-reject-vxlan'                = @{ Fault = 'OciRejectVxlan' }
    'rp-filter-strict'                = @{ Fault = 'RpFilterStrict'; Peer = 'node-a' }
    'cni0-down'                       = @{ Fault = 'Cni0Down' }
}
$sysctls = 'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.eth0.rp_filter',
    'net.ipv4.conf.flannel.1.rp_filter'

$lab = New-K3sNetLab -NodeCount 3
try {
    $node = $lab.Nodes | Where-Object Name -EQ node-c
    $hasCni0 = [bool](& ip -n $node.Namespace -j link show | ConvertFrom-Json | Where-Object ifname -EQ cni0)
    foreach ($case in $cases.GetEnumerator()) {
        if ($case.Key -eq 'cni0-down' -and -not $hasCni0) { Write-Warning 'The lab has no cni0 here: cni0-down not captured.'; continue }
        if ($case.Value) {
            $fault = $case.Value
            Set-K3sNetLabFault -Lab $lab -Node node-c @fault
        }
        try {
            $ns = $node.Namespace
            $present = @($sysctls + @(if ($hasCni0) { 'net.ipv4.conf.cni0.rp_filter' }) + @(if ($case.Key -eq 'rp-filter-strict') { 'net.ipv4.conf.eth1.rp_filter' }))
            # From /proc/sys one by one: sysctl's dotted names cannot spell flannel.1 (it takes the dot for a separator).
            $values = @(foreach ($key in $present) { & ip netns exec $ns cat "/proc/sys/$($key -replace '^net\.ipv4\.conf\.(.+)\.rp_filter$', 'net/ipv4/conf/$1/rp_filter' -replace '^net\.ipv4\.ip_forward$', 'net/ipv4/ip_forward')" })
            $state = [ordered]@{
                node    = 'node-c'
                sysctls = [ordered]@{}
                links   = & ip -n $ns -j -d link show | ConvertFrom-Json
                addrs   = & ip -n $ns -j -4 addr show | ConvertFrom-Json
                routes  = & ip -n $ns -j -4 route show | ConvertFrom-Json
            }
            for ($i = 0; $i -lt $present.Count; $i++) { $state.sysctls[$present[$i]] = "$($values[$i])".Trim() }
            & ip netns exec $ns nft -j list ruleset | Set-Content -NoNewline (Join-Path $Directory "lab-$($case.Key).json")
            & ip netns exec $ns nft -a list ruleset | Set-Content (Join-Path $Directory "lab-$($case.Key).listing")
            $state | ConvertTo-Json -Depth 12 | Set-Content (Join-Path $Directory "lab-$($case.Key).node.json")
            "captured lab-$($case.Key)"
        }
        finally {
            Clear-K3sNetLabFault -Lab $lab
        }
    }
}
finally {
    Remove-K3sNetLab -Lab $lab
}
