# What k3s puts on every lab node: its images, as node.status.images lists them (Get-LabNodeImage), and its own tool
# directory, which a real k3s node carries under <data-dir>/data/<hash>/bin with `current` a symlink to <hash>
# (reference kubernetes-probes.md §2). Dot-sourced by K3sNetLab.psm1.
#
# Each node gets the tree in its own mount namespace (its init's), never in the machine's: a tmpfs at /var/lib/rancher
# there. Where the machine has no /var/lib/rancher to mount on, the node's /var/lib becomes an overlay of the machine's
# (its upper layer on a tmpfs of the node's own), so the mount point exists in the node only. The tools are symlinks to
# the machine's (ip, nft, ethtool, iptables, nsenter, and conntrack and ipset where installed) and a busybox that
# refuses the applets k3s's busybox lacks (nc); like k3s's, there is no `bridge` and no tcpdump. A hostPID pod's
# `nsenter -t 1 -m` lands in the node's mount namespace and sees it; the tree goes with that namespace when the lab's
# inits end (Remove-K3sNetLab), so nothing is left to remove on the machine.

$script:K3sDataDir = '/var/lib/rancher/k3s'
$script:K3sToolDirectory = "$script:K3sDataDir/data/current/bin"
# k3s's busybox applets the probes and the node agent use (k3s-root's busybox: ash, ping, nslookup, wget, tar,
# traceroute, arping, the shell's helpers), each a symlink to busybox as k3s installs them; only those the machine's
# busybox has are linked.
$script:K3sBusyboxApplets = @(
    'ash', 'sh', 'ping', 'ping6', 'nslookup', 'wget', 'tar', 'traceroute', 'arping',
    'cat', 'head', 'tail', 'wc', 'rm', 'mkdir', 'mkfifo', 'sleep', 'ls', 'ln', 'cp', 'mv', 'grep', 'sed', 'awk',
    'cut', 'tr', 'sort', 'uniq', 'seq', 'ps', 'kill', 'env', 'echo', 'printf', 'test', '[', 'true', 'false',
    'timeout', 'hostname', 'id', 'date', 'chmod', 'mktemp', 'readlink', 'basename', 'dirname', 'stat', 'tee', 'xargs',
    'sysctl', 'mount', 'umount', 'uname'
)
# What k3s's busybox is built without, though Debian's has it: the lab's busybox refuses these as k3s's would.
$script:K3sBusyboxMissing = @('nc', 'netcat', 'telnet')
# The other static binaries in k3s's bin, by the machine's command that stands in for each.
$script:K3sToolBinaries = @('ip', 'ethtool', 'nft', 'iptables', 'ip6tables', 'conntrack', 'ipset', 'nsenter')

function Get-LabK3sToolTree {
    <#
    What the lab puts in every node's k3s data directory: the <hash> directory name (like k3s's, a SHA-256 of its
    content: here of the tool list), busybox's path on the machine, the applets to link and the tools (name and the
    machine's path) that exist here.
    #>
    $busybox = (Get-Command busybox -CommandType Application -ErrorAction Stop | Select-Object -First 1).Source
    $available = @(& $busybox --list)
    $applets = @($script:K3sBusyboxApplets | Where-Object { $_ -in $available })
    $tools = foreach ($name in $script:K3sToolBinaries) {
        $command = Get-Command $name -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if ($command) { [pscustomobject]@{ Name = $name; Path = $command.Source } }
    }
    $content = ($applets + @($tools | ForEach-Object { "$($_.Name)=$($_.Path)" })) -join "`n"
    [pscustomobject]@{
        Hash    = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($content))).ToLowerInvariant()
        Busybox = $busybox
        Applets = $applets
        Tools   = @($tools)
    }
}

function Get-LabK3sToolLines($Lab, $Node, $Tree) {
    <#
    The bash lines that build k3s's data directory in $Node's mount namespace (nsenter -t InitPid -m). Run before any
    pod starts: the staging tmpfs covers the lab's folder in that namespace for a moment.
    #>
    $bin = "$script:K3sDataDir/data/$($Tree.Hash)/bin"
    $refused = ($script:K3sBusyboxMissing | ForEach-Object { $_ }) -join '|'
    $links = @($Tree.Applets | ForEach-Object { "ln -s busybox '$bin/$_'" }) + @($Tree.Tools | ForEach-Object { "ln -s '$($_.Path)' '$bin/$($_.Name)'" })
    @(
        "nsenter -t $($Node.InitPid) -m -- sh -s -- '$($Lab.Path)' <<'K3SNETLAB_K3S'"
        'set -eu'
        'if [ ! -d /var/lib/rancher ]; then'
        # The overlay's layers on a tmpfs mounted for a moment on the lab's folder (a directory that exists): relative
        # paths keep the folder's name out of the mount options, and the overlay keeps its layers once unmounted.
        '    mount -t tmpfs -o mode=0700,size=1m k3snetlab-stage "$1"'
        '    cd "$1"'
        '    mkdir upper work'
        '    mount -t overlay k3snetlab-varlib -o lowerdir=/var/lib,upperdir=upper,workdir=work /var/lib'
        '    cd /'
        '    umount "$1"'
        '    mkdir /var/lib/rancher'
        'fi'
        'mount -t tmpfs -o mode=0755,size=1m k3snetlab-k3s /var/lib/rancher'
        "mkdir -p '$bin'"
        "cat > '$bin/busybox' <<'K3SNETLAB_BUSYBOX'"
        '#!/bin/sh'
        "# k3s's busybox (k3s-root) as the lab stands it in: the machine's, without the applets k3s's is built without."
        'applet=${0##*/}'
        'if [ "$applet" != busybox ]; then set -- "$applet" "$@"; fi'
        'case "${1-}" in'
        "    $refused) echo `"`$1: applet not found`" >&2; exit 127 ;;"
        'esac'
        "exec '$($Tree.Busybox)' `"`$@`""
        'K3SNETLAB_BUSYBOX'
        "chmod 0755 '$bin/busybox'"
    ) + $links + @(
        "ln -s '$($Tree.Hash)' '$script:K3sDataDir/data/current'"
        'K3SNETLAB_K3S'
    )
}

function Get-LabNodeImage($Node) {
    <#
    node.status.images as the kubelet reports a k3s v1.31 node's cache (biggest first): the pause image on every node
    (every pod sandbox uses it) and klipper-lb (ServiceLB's pod for Traefik runs on every node); the server also holds
    what k3s's packaged components run (CoreDNS, local-path-provisioner, metrics-server, Traefik and its Helm job). Each
    entry has its `repo@sha256:` and `repo:tag` names as containerd lists them; the digests are the lab's own (the
    SHA-256 of the name), shaped like a registry's.
    #>
    $images = @(
        @{ Name = 'docker.io/rancher/klipper-helm:v0.9.3-build20241008'; Size = 70497152; ServerOnly = $true }
        @{ Name = 'docker.io/rancher/mirrored-library-traefik:2.11.18'; Size = 48512345; ServerOnly = $true }
        @{ Name = 'docker.io/rancher/mirrored-metrics-server:v0.7.2'; Size = 19494617; ServerOnly = $true }
        @{ Name = 'docker.io/rancher/local-path-provisioner:v0.0.30'; Size = 18736237; ServerOnly = $true }
        @{ Name = 'docker.io/rancher/mirrored-coredns-coredns:1.12.0'; Size = 18562039; ServerOnly = $true }
        @{ Name = 'docker.io/rancher/klipper-lb:v0.4.9'; Size = 4939041; ServerOnly = $false }
        @{ Name = 'docker.io/rancher/mirrored-pause:3.6'; Size = 301463; ServerOnly = $false }
    )
    foreach ($image in $images | Where-Object { $Node.IsServer -or -not $_.ServerOnly }) {
        $repository = $image.Name.Substring(0, $image.Name.LastIndexOf(':'))
        $digest = [Convert]::ToHexString([Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($image.Name))).ToLowerInvariant()
        [ordered]@{ names = @("$repository@sha256:$digest", $image.Name); sizeBytes = $image.Size }
    }
}
