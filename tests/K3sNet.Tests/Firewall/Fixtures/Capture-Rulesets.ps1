#Requires -Version 7.4
<#
.SYNOPSIS
    Loads each ruleset source here into a throwaway network namespace and captures what a node's tools print of it:
    `nft -j list ruleset` (<name>.json), `nft -a list ruleset` (<name>.listing) and, for the iptables sources,
    `iptables-legacy-save` (<name>.legacy). The xunit tests judge these captures.
.DESCRIPTION
    Needs root, iproute2, nftables and iptables (iptables-nft and iptables-legacy). Sources: *.rules are
    iptables-restore input (loaded with iptables-nft-restore, as ufw, Docker and Oracle's images do on current
    distributions), *.nft are nft -f input. Nothing leaves the namespace; it is deleted even on failure.
#>
[CmdletBinding()]
param([string] $Directory = $PSScriptRoot)

$ErrorActionPreference = 'Stop'
foreach ($source in Get-ChildItem $Directory -File | Where-Object Extension -In '.rules', '.nft') {
    $name = $source.BaseName
    $namespace = "k3lfw-$PID"
    ip netns add $namespace
    try {
        if ($source.Extension -eq '.rules') {
            Get-Content -Raw $source.FullName | ip netns exec $namespace iptables-nft-restore
        }
        else {
            ip netns exec $namespace nft -f $source.FullName
        }

        if ($LASTEXITCODE) { throw "Loading $($source.Name) failed." }
        ip netns exec $namespace nft -j list ruleset | Set-Content -NoNewline (Join-Path $Directory "$name.json")
        ip netns exec $namespace nft -a list ruleset | Set-Content (Join-Path $Directory "$name.listing")
        if ($source.Extension -eq '.rules') {
            ip netns exec $namespace iptables-nft -F
            Get-Content -Raw $source.FullName | ip netns exec $namespace iptables-legacy-restore
            ip netns exec $namespace iptables-legacy-save | Where-Object { $_ -notmatch '^#' } | Set-Content (Join-Path $Directory "$name.legacy")
        }
    }
    finally {
        ip netns delete $namespace
    }
}
