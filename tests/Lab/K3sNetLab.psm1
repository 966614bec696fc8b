# The network-namespace lab: N k3s nodes wired the way flannel's vxlan backend wires them, on real kernel VXLAN.
#
# One lab = one unique prefix. Its namespaces:
#   <prefix>-br      the "VPC subnet": a bridge br0 with one veth port v<i> per node, and nftables playing every node's
#                    security group on the bridged traffic (outside the nodes, as EC2's are). It lives in its own
#                    namespace, so nothing in the root namespace has a route to lab addresses and no lab packet leaves
#                    the lab.
#   <prefix>-<node>  one per node: eth0 (the underlay, 10.0.1.(10+i)/24), flannel.1 exactly as flannel creates it
#                    (VNI 1, dstport 8472, local = eth0's address, nolearning, MTU = eth0 MTU - 50, 10.42.i.0/32),
#                    per peer the neighbour, fdb and route entries flannel programs, and a TCP listener on 10250
#                    standing in for the kubelet. Its nftables hold only what the node itself would hold.
# Everything is created with batched `ip -batch`/`bridge -batch`/`nft -f`, so 50 nodes take seconds, not minutes.
#
# Description files in the lab folder: nodes.json (a Kubernetes NodeList of real k3s Node objects), pods.json (the
# CoreDNS PodList, on the server), lab.json (namespaces and each node's security group, what the faults changed).
Set-StrictMode -Version Latest

$script:UnderlayPrefix = '10.0.1.'
$script:FirstHost = 10
$script:VxlanPort = 8472
$script:Vni = 1
$script:KubeletPort = 10250
$script:ApiPort = 6443
# Kubelet stand-ins, by lab prefix: the listening sockets this process holds in the lab's namespaces.
$script:Listeners = @{}

# The emulators (Start-/Stop-KubeApiEmulator, Start-/Stop-Ec2Emulator) and the lab's cloud built from them.
Import-Module (Join-Path $PSScriptRoot '../Pester/TestSupport.psm1')
Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1')
. (Join-Path $PSScriptRoot 'K3sNetLabCloud.ps1')
# The pod network, the node inits, CoreDNS and the outside (New-K3sNetLabPod and friends).
. (Join-Path $PSScriptRoot 'K3sNetLabPods.ps1')
# The node's own firewall and kernel faults (Set-K3sNetLabFault's host kinds).
. (Join-Path $PSScriptRoot 'K3sNetLabHostFirewall.ps1')
# k3s's own tool directory in every node's mount namespace.
. (Join-Path $PSScriptRoot 'K3sNetLabK3sTools.ps1')

function Test-K3sNetLabSupport {
    <# Why the lab cannot run here, or $null when it can (root, ip, bridge, nft and network namespaces). #>
    [OutputType([string])]
    param()

    if (-not $IsLinux) { return 'the lab needs Linux network namespaces' }
    if ((& id -u) -ne '0') { return 'the lab needs root (network namespaces, veth, VXLAN devices, nftables)' }
    foreach ($tool in 'ip', 'bridge', 'nft') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) {
            return "the lab needs '$tool' (apt-get install iproute2 nftables)"
        }
    }
    # The pods: nsenter and unshare (util-linux) for the nodes' PID namespaces, dnsmasq for CoreDNS and the outside
    # resolver, busybox for what runs in a pod (nslookup).
    foreach ($tool in 'nsenter', 'unshare', 'busybox') {
        if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) {
            return "the lab needs '$tool' (apt-get install util-linux busybox)"
        }
    }
    if (-not (Test-Path -LiteralPath /usr/sbin/dnsmasq)) { return "the lab needs /usr/sbin/dnsmasq (apt-get install dnsmasq-base)" }
    $probe = "k3lprobe$PID"
    & ip netns add $probe 2>$null
    if ($LASTEXITCODE -ne 0) { return "'ip netns add' does not work here" }
    & ip netns delete $probe 2>$null
    return $null
}

function Test-K3sNetLabRequired {
    <#
    True where a lab that cannot be built must fail the lab tests instead of skipping them: in CI (CI=true, as CI
    services set it and .ci/run does) as root on Linux. There the lab can run (.ci/run installs iproute2 and
    nftables), so a missing tool or a kernel without network namespaces means the core (kernel VXLAN, the nftables
    security groups, the demo) went untested, and a run that skipped it all must not pass. Elsewhere (a laptop, a
    non-root run, another OS) the lab tests skip and say why. The parameters default to this process's state; a test
    passes its own.
    #>
    [OutputType([bool])]
    param(
        [AllowEmptyString()]
        [string] $CI = $env:CI,

        [bool] $IsLinuxRoot = ($IsLinux -and (& id -u) -eq '0')
    )

    # -in compares without case: CI=True and CI=TRUE are CI too.
    return $IsLinuxRoot -and $CI -in 'true', '1'
}

function Skip-K3sNetLabTest {
    <#
    Called first in an It block that needs the lab: when the lab cannot run here ($Reason, from Test-K3sNetLabSupport),
    skips the test and says why, or, where the lab is required (Test-K3sNetLabRequired), fails it with the reason.
    #>
    param(
        [AllowEmptyString()]
        [string] $Reason,

        [string] $Because = 'the network-namespace lab cannot run here'
    )

    if (-not $Reason) { return }
    if (Test-K3sNetLabRequired) {
        throw "CI=true as root, so the lab tests must run, but ${Because}: $Reason. Install what it names (.ci/run " +
            'installs iproute2, nftables, iputils-ping, busybox and dnsmasq-base) or run where network namespaces work.'
    }
    Set-ItResult -Skipped -Because "${Because}: $Reason"
}

function New-LabPrefix {
    # k3l and 6 random hex digits; New-K3sNetLab draws again while one is in use.
    'k3l' + [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(3)).ToLowerInvariant()
}

function Get-NamespaceName {
    # The names `ip netns list` shows (it adds " (id: N)" to some).
    @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] })
}

function Get-NodeName([int] $Index, [int] $Count) {
    # node-a, node-b, node-c as the issue's scenarios name them; numbered once the alphabet runs out.
    if ($Count -le 26) { return 'node-' + [char]([int][char]'a' + $Index) }
    return 'node-{0:d2}' -f $Index
}

function New-VtepMac {
    # Locally administered unicast, random like the MAC the kernel gives a new flannel.1.
    $bytes = [byte[]]::new(6)
    [Security.Cryptography.RandomNumberGenerator]::Fill($bytes)
    $bytes[0] = ($bytes[0] -band 0xFC) -bor 0x02
    return ($bytes | ForEach-Object { $_.ToString('x2') }) -join ':'
}

function Invoke-Native {
    # Runs a native command; a failure throws with its output, so a half-built lab is torn down by the caller.
    param([Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @(), [string] $InputText)

    $output = if ($PSBoundParameters.ContainsKey('InputText')) {
        $InputText | & $FilePath @ArgumentList 2>&1
    }
    else {
        & $FilePath @ArgumentList 2>&1
    }
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath $($ArgumentList -join ' ') failed (exit code $LASTEXITCODE): $($output -join "`n")"
    }
    $output
}

function Invoke-Batch([string] $Tool, [string] $Namespace, [string[]] $Lines) {
    if ($Lines.Count -eq 0) { return }
    $arguments = @(if ($Namespace) { '-n', $Namespace }) + @('-batch', '-')
    $null = Invoke-Native -FilePath $Tool -ArgumentList $arguments -InputText ($Lines -join "`n")
}

function Invoke-InNamespace([string] $Namespace, [string] $FilePath, [string[]] $ArgumentList, [string] $InputText) {
    $arguments = @('netns', 'exec', $Namespace, $FilePath) + $ArgumentList
    if ($PSBoundParameters.ContainsKey('InputText')) {
        Invoke-Native -FilePath ip -ArgumentList $arguments -InputText $InputText
    }
    else {
        Invoke-Native -FilePath ip -ArgumentList $arguments
    }
}

function Get-FlannelEntryLines($Node, $Peer) {
    # What flannel programs on $Node for $Peer (reference §2), as `ip -batch` and `bridge -batch` lines.
    [pscustomobject]@{
        Ip     = @(
            "neigh replace $($Peer.VtepAddress) lladdr $($Peer.VtepMac) dev flannel.1 nud permanent"
            "route replace $($Peer.PodCidr) via $($Peer.VtepAddress) dev flannel.1 onlink"
        )
        Bridge = @("fdb replace $($Peer.VtepMac) dev flannel.1 dst $($Peer.UnderlayAddress) self permanent")
    }
}

function Get-SecurityGroupRuleset {
    <#
    The subnet's security groups as nftables, for the bridge namespace <prefix>-br, where a security group really is:
    outside the instances, so a node's own ruleset holds only what the node itself holds (what a check of the node's
    firewall must judge). One object per node in -Group: Name, UnderlayAddress, TcpPorts (the TCP ports it admits, from
    anywhere on the subnet) and VxlanSources (the addresses it admits UDP 8472 from). Bridged IPv4 reaches the inet
    forward hook through br_netfilter (net.bridge.bridge-nf-call-iptables=1 in that namespace), and conntrack there
    makes the groups stateful as EC2's are: a reply to an admitted flow passes. A packet to a node's underlay address
    jumps to the node's chain sg-<node>; UDP 8472 is admitted from the set sg-<node>-vxlan only, so a fault can block
    it into a node, or from one peer, by changing the set. The lab's probe ports (Start-K3sVxlanResponder's, where
    flannel.1 already owns 8472) are admitted exactly like 8472, so every fault breaks them the same way. Both the
    lab's own groups (Get-LabSecurityGroup) and the EC2 emulator's (Sync-K3sNetLabSecurityGroup) come here.
    #>
    param([object[]] $Group = @(), [int[]] $ProbePorts = @())

    $udpPorts = (@($script:VxlanPort) + @($ProbePorts)) -join ', '
    $sets = foreach ($node in $Group) {
        $elements = if (@($node.VxlanSources).Count) { "elements = { $(@($node.VxlanSources) -join ', ') }" } else { '' }
        "    set sg-$($node.Name)-vxlan { type ipv4_addr; $elements }"
    }
    $chains = foreach ($node in $Group) {
        $tcp = if (@($node.TcpPorts).Count) { "tcp dport { $(@($node.TcpPorts) -join ', ') } accept" } else { '# no TCP port admitted' }
        @"
    chain sg-$($node.Name) {
        ip protocol icmp accept
        $tcp
        udp dport { $udpPorts } ip saddr @sg-$($node.Name)-vxlan accept
        drop
    }
"@
    }
    $jumps = foreach ($node in $Group) { "        ip daddr $($node.UnderlayAddress) jump sg-$($node.Name)" }
@"
table inet k3snetlab {
$($sets -join "`n")
$($chains -join "`n")
    chain forward {
        type filter hook forward priority filter; policy accept;
        ct state established,related accept
$($jumps -join "`n")
    }
}
"@
}

function Get-LabSecurityGroup($Lab) {
    # The lab's own description of its groups (node names) in the shape Get-SecurityGroupRuleset takes.
    foreach ($node in $Lab.Nodes) {
        $group = $Lab.SecurityGroups.($node.Name)
        [pscustomobject]@{
            Name            = $node.Name
            UnderlayAddress = $node.UnderlayAddress
            TcpPorts        = @($group.TcpPorts)
            VxlanSources    = @($group.VxlanFrom | ForEach-Object { ($Lab.Nodes | Where-Object Name -EQ $_).UnderlayAddress })
        }
    }
}

function Get-LabSecurityGroupRuleset($Lab) {
    # The whole subnet's groups, replacing the table in one transaction (declaring it first makes the delete valid).
    "table inet k3snetlab {}`ndelete table inet k3snetlab`n" + (Get-SecurityGroupRuleset -Group @(Get-LabSecurityGroup $Lab) -ProbePorts @($Lab.ProbePorts))
}

function Get-K3sNetLabVxlanSource {
    <# The addresses -Node's security group admits UDP 8472 from, as the subnet's nftables hold them now. #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Node)

    $target = Get-LabNode $Lab $Node
    $listing = & ip netns exec $Lab.BridgeNamespace nft -j list set inet k3snetlab "sg-$($target.Name)-vxlan" | ConvertFrom-Json
    $set = $listing.nftables | Where-Object { $_.PSObject.Properties['set'] }
    @(if ($set.set.PSObject.Properties['elem']) { $set.set.elem })
}

function Get-KubeletListenerType {
    # A kubelet stand-in needs a TCP socket in each node namespace. A socket belongs to the namespace its creating
    # thread was in, so a short-lived thread enters each namespace (setns), opens a listener, and leaves; the sockets
    # stay in this process and close at Remove-K3sNetLab or when the process exits (no background process to leak).
    if (-not ('K3sNetLab.KubeletListeners' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNetLab
{
    public static class KubeletListeners
    {
        private const int CLONE_NEWNET = 0x40000000;

        [DllImport("libc", SetLastError = true)]
        private static extern int setns(int fd, int nstype);

        public static Socket[] Open(string[] namespaceNames, int port)
        {
            var sockets = new List<Socket>();
            Exception failure = null;
            var thread = new Thread(() =>
            {
                try
                {
                    foreach (string name in namespaceNames)
                    {
                        using (var ns = File.OpenHandle("/run/netns/" + name))
                        {
                            if (setns((int)ns.DangerousGetHandle(), CLONE_NEWNET) != 0)
                            {
                                throw new IOException("setns into " + name + " failed: errno " + Marshal.GetLastWin32Error());
                            }
                        }
                        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                        socket.Bind(new IPEndPoint(IPAddress.Any, port));
                        socket.Listen(1024);
                        sockets.Add(socket);
                        // Accept and close, so the backlog never fills however many checks connect.
                        Task.Run(async () =>
                        {
                            try { while (true) { (await socket.AcceptAsync()).Dispose(); } }
                            catch (ObjectDisposedException) { }
                            catch (SocketException) { }
                        });
                    }
                }
                catch (Exception e) { failure = e; }
            });
            thread.Start();
            thread.Join();
            if (failure != null)
            {
                foreach (var socket in sockets) { socket.Dispose(); }
                throw failure;
            }
            return sockets.ToArray();
        }
    }
}
'@
    }
}

function Save-LabState($Lab) {
    # The pod network's fields (ClusterCidr .. Pods) are the contract with the Kubernetes API emulator's kubelet.
    $Lab | Select-Object Prefix, Path, OwnsFolder, OwnerPid, OwnerStartedTicks, BridgeNamespace, UnderlayMtu, ProbePorts, Nodes, SecurityGroups, Faults,
        ClusterCidr, ServiceCidr, ClusterDns, ClusterDomain, CniPlugin, OutsideNamespace, OutsideInitPid, K3sDataDir, K3sToolDirectory, Pods |
        ConvertTo-Json -Depth 8 | Set-Content -LiteralPath (Join-Path $Lab.Path 'lab.json') -Encoding utf8
}

function Write-LabDescription($Lab) {
    <# nodes.json and pods.json: what the Kubernetes API emulator serves for this lab, as k3s writes it. #>
    $server = $Lab.Nodes | Where-Object IsServer | Select-Object -First 1
    $items = foreach ($node in $Lab.Nodes) {
        # A wrong-VtepMAC fault changes the description only: the device keeps its real MAC.
        $mac = if ($Lab.Faults.WrongVtepMac.PSObject.Properties[$node.Name]) { $Lab.Faults.WrongVtepMac.($node.Name) } else { $node.VtepMac }
        $labels = [ordered]@{
            'beta.kubernetes.io/arch'          = 'amd64'
            'beta.kubernetes.io/os'            = 'linux'
            'kubernetes.io/arch'               = 'amd64'
            'kubernetes.io/hostname'           = $node.Name
            'kubernetes.io/os'                 = 'linux'
            'node.kubernetes.io/instance-type' = 'k3s'
        }
        if ($node.IsServer) {
            $labels['node-role.kubernetes.io/control-plane'] = 'true'
            $labels['node-role.kubernetes.io/master'] = 'true'
        }
        [ordered]@{
            apiVersion = 'v1'
            kind       = 'Node'
            metadata   = [ordered]@{
                name            = $node.Name
                uid             = $node.Uid
                resourceVersion = '1'
                annotations     = [ordered]@{
                    'alpha.kubernetes.io/provided-node-ip'              = $node.UnderlayAddress
                    'flannel.alpha.coreos.com/backend-data'             = (@{ VNI = $script:Vni; VtepMAC = $mac } | ConvertTo-Json -Compress)
                    'flannel.alpha.coreos.com/backend-type'             = 'vxlan'
                    'flannel.alpha.coreos.com/kube-subnet-manager'      = 'true'
                    'flannel.alpha.coreos.com/public-ip'                = $node.UnderlayAddress
                    'k3s.io/hostname'                                   = $node.Name
                    'k3s.io/internal-ip'                                = $node.UnderlayAddress
                    'k3s.io/node-args'                                  = (ConvertTo-Json -Compress -InputObject @(if ($node.IsServer) { 'server' } else { 'agent' }))
                    'k3s.io/node-config-hash'                           = 'MLFMUCBMRVINLJJKSG32TOUFWB4CN55GMSNY25AZPESQXZCYRN2A===='
                    'k3s.io/node-env'                                   = '{}'
                    'node.alpha.kubernetes.io/ttl'                      = '0'
                    'volumes.kubernetes.io/controller-managed-attach-detach' = 'true'
                }
                labels          = $labels
            }
            spec       = [ordered]@{
                podCIDR    = $node.PodCidr
                podCIDRs   = @($node.PodCidr)
                providerID = "k3s://$($node.Name)"
            }
            status     = [ordered]@{
                addresses       = @(
                    [ordered]@{ address = $node.UnderlayAddress; type = 'InternalIP' }
                    [ordered]@{ address = $node.Name; type = 'Hostname' }
                )
                conditions      = @([ordered]@{ type = 'Ready'; status = 'True'; reason = 'KubeletReady'; message = 'kubelet is posting ready status' })
                daemonEndpoints = [ordered]@{ kubeletEndpoint = [ordered]@{ Port = $script:KubeletPort } }
                images          = @(Get-LabNodeImage $node)
                nodeInfo        = [ordered]@{
                    architecture            = 'amd64'
                    containerRuntimeVersion = 'containerd://1.7.23-k3s2'
                    kernelVersion           = $Lab.KernelVersion
                    kubeProxyVersion        = 'v1.31.5+k3s1'
                    kubeletVersion          = 'v1.31.5+k3s1'
                    operatingSystem         = 'linux'
                    osImage                 = 'Ubuntu 24.04.2 LTS'
                }
            }
        }
    }
    $nodeList = [ordered]@{ kind = 'NodeList'; apiVersion = 'v1'; metadata = [ordered]@{ resourceVersion = '1' }; items = @($items) }
    $nodeList | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath (Join-Path $Lab.Path 'nodes.json') -Encoding utf8

    $coreDns = [ordered]@{
        apiVersion = 'v1'
        kind       = 'Pod'
        metadata   = [ordered]@{
            name      = 'coredns-ccb96694c-x7k2p'
            namespace = 'kube-system'
            uid       = [guid]::NewGuid().ToString()
            labels    = [ordered]@{ 'k8s-app' = 'kube-dns'; 'pod-template-hash' = 'ccb96694c' }
        }
        spec       = [ordered]@{ nodeName = $server.Name; containers = @([ordered]@{ name = 'coredns'; image = 'rancher/mirrored-coredns-coredns:1.12.0' }) }
        status     = [ordered]@{
            phase  = 'Running'
            hostIP = $server.UnderlayAddress
            podIP  = ($server.PodCidr -replace '0/24$', '2')
            podIPs = @([ordered]@{ ip = ($server.PodCidr -replace '0/24$', '2') })
        }
    }
    $podList = [ordered]@{ kind = 'PodList'; apiVersion = 'v1'; metadata = [ordered]@{ resourceVersion = '1' }; items = @($coreDns) + @(Get-LabPodItem $Lab) }
    $podList | ConvertTo-Json -Depth 10 | Set-Content -LiteralPath (Join-Path $Lab.Path 'pods.json') -Encoding utf8
    Write-LabServiceList $Lab
    Save-LabState $Lab
}

function Grant-NeighbourTableRoom {
    <#
    All the lab's nodes share this machine's kernel, and its neighbour table is one for every network namespace, capped by
    net.ipv4.neigh.default.gc_thresh3 (1024 by default, settable only here in the machine's own namespace). Each node
    holds flannel's permanent entry for every peer and, once it probes them all (Test-K3sVxlan -AllNodes), an ARP entry
    for every peer's underlay: 2·N·(N−1), 4,900 on 50 nodes. Past the cap the kernel refuses new entries and sends fail
    with ENOBUFS ("ping: sendmsg: No buffer space available"), which real nodes, each with its own kernel, never see.
    So a lab raises the caps to what its nodes need, with room for the pods; it never lowers them.
    #>
    param([int] $Nodes)
    $needed = 2 * $Nodes * [math]::Max(0, $Nodes - 1) + 64 * $Nodes
    $thresh3 = '/proc/sys/net/ipv4/neigh/default/gc_thresh3'
    $thresh2 = '/proc/sys/net/ipv4/neigh/default/gc_thresh2'
    if (-not (Test-Path -LiteralPath $thresh3)) { return }
    # sysctl, not Set-Content: PowerShell's write to these /proc files is silently ignored.
    if ([int](Get-Content -LiteralPath $thresh3) -lt $needed) {
        & sysctl -q -w "net.ipv4.neigh.default.gc_thresh3=$needed"
    }
    if ([int](Get-Content -LiteralPath $thresh2) -lt [int]($needed / 2)) {
        & sysctl -q -w "net.ipv4.neigh.default.gc_thresh2=$([int]($needed / 2))"
    }
}

function New-K3sNetLab {
    <#
    .SYNOPSIS
    Creates an N-node flannel-vxlan lab in network namespaces and returns it; Remove-K3sNetLab destroys it.
    .DESCRIPTION
    Node 0 is the server (and hosts CoreDNS); the others are agents. -NoVxlanInto lists nodes whose security group
    does not admit UDP 8472 at all (the field failure). A failure while building removes everything built so far.
    #>
    [CmdletBinding()]
    param(
        [ValidateRange(2, 240)]
        [int] $NodeCount = 3,

        [ValidateRange(1280, 9001)]
        [int] $UnderlayMtu = 1500,

        [string[]] $NoVxlanInto = @(),

        # UDP ports the security groups treat exactly like 8472: for Start-K3sVxlanResponder in node namespaces, where
        # flannel.1 already owns 8472.
        [ValidateRange(1, 65535)]
        [int[]] $ProbePort = @(),

        # Where the description files go; a new temporary folder by default.
        [string] $Path,

        # The nodes' names, server first (default node-a, node-b, ...); as many as -NodeCount.
        [ValidatePattern('^[a-z0-9]([-a-z0-9]{0,30}[a-z0-9])?$')]
        [string[]] $NodeName,

        # Workload pods (lab-<node>-<k>, namespace default, a sleeping process each) per node, besides CoreDNS.
        [ValidateRange(0, 7)]
        [int] $PodsPerNode = 1
    )

    $reason = Test-K3sNetLabSupport
    if ($reason) { throw "Cannot build the lab: $reason." }
    if ($NodeName -and $NodeName.Count -ne $NodeCount) { throw "-NodeName gives $($NodeName.Count) names for $NodeCount nodes." }
    # <prefix>-br and <prefix>-out are the subnet's and the outside's namespaces.
    if ($NodeName | Where-Object { $_ -in 'br', 'out' }) { throw "-NodeName: 'br' and 'out' name the lab's own namespaces; choose other node names." }

    # A prefix no namespace on this host uses yet: the lab creates every name under it and removes exactly those, so
    # a name that already existed (another run's lab, by chance) must never become one of them.
    $inUse = Get-NamespaceName
    do { $prefix = New-LabPrefix } while ($inUse | Where-Object { $_.StartsWith("$prefix-") })
    # A folder the lab makes is the lab's, whatever tests put in it; in a folder it is given, it owns only its files.
    $ownsFolder = -not $Path
    if ($ownsFolder) { $Path = Join-Path ([IO.Path]::GetTempPath()) $prefix }
    $null = New-Item -ItemType Directory -Force -Path $Path

    $nodes = for ($i = 0; $i -lt $NodeCount; $i++) {
        $name = if ($NodeName) { $NodeName[$i] } else { Get-NodeName $i $NodeCount }
        [pscustomobject]@{
            Name            = $name
            Index           = $i
            IsServer        = $i -eq 0
            Namespace       = "$prefix-$name"
            BridgePort      = "v$i"
            UnderlayAddress = "$script:UnderlayPrefix$($script:FirstHost + $i)"
            VtepAddress     = "10.42.$i.0"
            PodCidr         = "10.42.$i.0/24"
            VtepMac         = New-VtepMac
            Uid             = [guid]::NewGuid().ToString()
        }
    }
    $groups = [ordered]@{}
    foreach ($node in $nodes) {
        # Every lab node is "the cluster's nodes"; a node missing UDP 8472 admits it from nobody.
        $vxlanFrom = @(if ($node.Name -notin $NoVxlanInto) { $nodes.Name })
        $groups[$node.Name] = [pscustomobject]@{
            VxlanFrom      = $vxlanFrom
            # What the lab was built with, which Clear-K3sNetLabFault restores.
            BuiltVxlanFrom = $vxlanFrom
            TcpPorts       = @(if ($node.IsServer) { $script:ApiPort }) + $script:KubeletPort
        }
    }
    $lab = [pscustomobject]@{
        PSTypeName      = 'K3sNetLab'
        Prefix          = $prefix
        Path            = (Resolve-Path -LiteralPath $Path).ProviderPath
        BridgeNamespace = "$prefix-br"
        UnderlayMtu     = $UnderlayMtu
        ProbePorts      = @($ProbePort)
        OwnsFolder      = $ownsFolder
        # Who holds the lab, so Remove-StaleK3sNetLab can tell a lab whose process was killed from one in use.
        OwnerPid          = $PID
        OwnerStartedTicks = (Get-Process -Id $PID).StartTime.ToUniversalTime().Ticks
        KernelVersion   = (& uname -r)
        Nodes           = @($nodes)
        SecurityGroups  = [pscustomobject]$groups
        Faults          = [pscustomobject]@{ WrongVtepMac = [pscustomobject]@{} }
        NodesPath       = Join-Path $Path 'nodes.json'
        PodsPath        = Join-Path $Path 'pods.json'
    }
    Add-LabPodNetworkField $lab

    try {
        # The state first: a run killed from here on leaves a lab.json that names every namespace it may have made.
        Save-LabState $lab
        # Namespaces next (one ip process), so everything after can name them.
        Invoke-Batch ip $null (@("netns add $($lab.BridgeNamespace)") + @($nodes | ForEach-Object { "netns add $($_.Namespace)" }))

        Invoke-Batch ip $lab.BridgeNamespace (@(
                'link set lo up'
                "link add br0 mtu $UnderlayMtu type bridge"
                'link set br0 up'
            ) + @($nodes | ForEach-Object {
                    "link add $($_.BridgePort) mtu $UnderlayMtu type veth peer name eth0 mtu $UnderlayMtu netns $($_.Namespace)"
                    "link set $($_.BridgePort) master br0 up"
                }))

        Grant-NeighbourTableRoom -Nodes $nodes.Count

        foreach ($node in $nodes) {
            $ipLines = [Collections.Generic.List[string]]::new()
            $bridgeLines = [Collections.Generic.List[string]]::new()
            $ipLines.Add('link set lo up')
            $ipLines.Add("addr add $($node.UnderlayAddress)/24 dev eth0")
            $ipLines.Add('link set eth0 up')
            $ipLines.Add("link add flannel.1 address $($node.VtepMac) mtu $($UnderlayMtu - 50) type vxlan id $script:Vni dstport $script:VxlanPort local $($node.UnderlayAddress) dev eth0 nolearning")
            $ipLines.Add("addr add $($node.VtepAddress)/32 dev flannel.1")
            $ipLines.Add('link set flannel.1 up')
            foreach ($peer in $nodes | Where-Object Name -NE $node.Name) {
                $entries = Get-FlannelEntryLines $node $peer
                $ipLines.AddRange([string[]]$entries.Ip)
                $bridgeLines.AddRange([string[]]$entries.Bridge)
            }
            Invoke-Batch ip $node.Namespace $ipLines
            Invoke-Batch bridge $node.Namespace $bridgeLines
        }
        # The security groups, on the subnet: bridged IPv4 through the inet hooks of the bridge's namespace.
        $null = Invoke-InNamespace $lab.BridgeNamespace sysctl @('-q', '-w', 'net.bridge.bridge-nf-call-iptables=1')
        $null = Invoke-InNamespace $lab.BridgeNamespace nft @('-f', '-') -InputText (Get-LabSecurityGroupRuleset $lab)

        Get-KubeletListenerType
        $script:Listeners[$prefix] = [K3sNetLab.KubeletListeners]::Open([string[]]$nodes.Namespace, $script:KubeletPort)
        Initialize-LabPodNetwork $lab -PodsPerNode $PodsPerNode

        Write-LabDescription $lab
    }
    catch {
        Remove-K3sNetLab -Lab $lab
        throw
    }
    return $lab
}

function Get-K3sNetLabNode {
    <#
    .SYNOPSIS
    The lab's nodes as objects with K3sNode's property names, read from nodes.json and pods.json.
    .DESCRIPTION
    What Get-K3sNode would emit for the lab (it reads the same files through the Kubernetes emulator); Test-K3sVxlan
    binds these the way it binds deserialized K3sNode objects.
    #>
    param([Parameter(Mandatory)] $Lab)

    $dnsNodes = @((Get-Content -Raw -LiteralPath $Lab.PodsPath | ConvertFrom-Json).items | Where-Object { $_.metadata.labels.PSObject.Properties['k8s-app'] -and $_.metadata.labels.'k8s-app' -eq 'kube-dns' } | ForEach-Object { $_.spec.nodeName })
    foreach ($item in (Get-Content -Raw -LiteralPath $Lab.NodesPath | ConvertFrom-Json).items) {
        $annotations = $item.metadata.annotations
        $backend = $annotations.'flannel.alpha.coreos.com/backend-data' | ConvertFrom-Json
        $isServer = [bool]$item.metadata.labels.PSObject.Properties['node-role.kubernetes.io/control-plane']
        [pscustomobject]@{
            Name            = $item.metadata.name
            Roles           = @(if ($isServer) { 'control-plane', 'master' })
            IsServer        = $isServer
            InternalIP      = ($item.status.addresses | Where-Object type -EQ InternalIP).address
            FlannelBackend  = 'Vxlan'
            FlannelPublicIP = $annotations.'flannel.alpha.coreos.com/public-ip'
            VtepMac         = $backend.VtepMAC
            Vni             = $backend.VNI
            PodCidr         = $item.spec.podCIDR
            VtepAddress     = $item.spec.podCIDR -replace '/\d+$', ''
            ProviderId      = $item.spec.providerID
            Ready           = $true
            HostsClusterDns = $item.metadata.name -in $dnsNodes
        }
    }
}

function Invoke-K3sNetLabCommand {
    <# Runs a native command inside a node's namespace and returns its output (for tests and tools). #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Node, [Parameter(Mandatory)] [string] $FilePath, [string[]] $ArgumentList = @())
    $target = Get-LabNode $Lab $Node
    & ip netns exec $target.Namespace $FilePath @ArgumentList
}

function Get-LabNode($Lab, [string] $Name) {
    $node = $Lab.Nodes | Where-Object Name -EQ $Name
    if (-not $node) { throw "The lab has no node '$Name' (it has $($Lab.Nodes.Name -join ', '))." }
    return $node
}

function Set-K3sNetLabFault {
    <#
    .SYNOPSIS
    Breaks the lab the way the field breaks: VxlanBlocked, UnderlayDown, PathMtu, StaleFdb, WrongVtepMac, and the node's
    own firewall and kernel: ForwardPolicyDrop, UfwRoutedDeny, IpForwardOff, OciRejectVxlan, RpFilterStrict, Cni0Down.
    .DESCRIPTION
    VxlanBlocked   -Node's security group stops admitting UDP 8472 (from every node, or only from -Peer).
    UnderlayDown   -Node's port on the subnet goes down: nothing reaches its underlay address.
    PathMtu        the subnet's port to -Node carries IPv4 packets of at most -Mtu bytes, both ways, whatever they carry;
                   bigger ones vanish without an ICMP error.
    StaleFdb       -Node's fdb entry for -Peer's VtepMAC points at -Address (default 10.0.1.250, where nobody is).
    WrongVtepMac   nodes.json gives -Node a VtepMAC its flannel.1 does not have.
    The host kinds change -Node itself, as Docker, ufw, an Oracle Cloud image, sysctl or a second NIC would
    (K3sNetLabHostFirewall.ps1 says how each is built); RpFilterStrict takes -Peer (default: every peer), and
    ForwardPolicyDrop and UfwRoutedDeny take -KeepFlannelForward.
    Clear-K3sNetLabFault puts everything back.
    #>
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)]
        [ValidateSet('VxlanBlocked', 'UnderlayDown', 'PathMtu', 'StaleFdb', 'WrongVtepMac',
            'ForwardPolicyDrop', 'UfwRoutedDeny', 'IpForwardOff', 'OciRejectVxlan', 'RpFilterStrict', 'Cni0Down')]
        [string] $Fault,
        [Parameter(Mandatory)] [string] $Node,
        [string] $Peer,
        [int] $Mtu = 1400,
        [string] $Address = '10.0.1.250',
        [switch] $KeepFlannelForward
    )

    $target = Get-LabNode $Lab $Node
    switch ($Fault) {
        'VxlanBlocked' {
            $group = $Lab.SecurityGroups.($target.Name)
            $blocked = if ($Peer) { @((Get-LabNode $Lab $Peer).Name) } else { @($group.VxlanFrom) }
            $group.VxlanFrom = @($group.VxlanFrom | Where-Object { $_ -notin $blocked })
            $addresses = @($blocked | ForEach-Object { (Get-LabNode $Lab $_).UnderlayAddress })
            if ($addresses.Count) {
                $null = Invoke-InNamespace $Lab.BridgeNamespace nft @('delete', 'element', 'inet', 'k3snetlab', "sg-$($target.Name)-vxlan", "{ $($addresses -join ', ') }")
            }
        }
        'UnderlayDown' {
            Invoke-Batch ip $Lab.BridgeNamespace @("link set $($target.BridgePort) down")
        }
        'PathMtu' {
            # An nftables rule on the subnet's bridge, not a lower port MTU: a bridge and a veth let frames of MTU + 4
            # bytes through (room for a VLAN tag), and not alike for every kind of packet (the kernel's VXLAN frames
            # passed 4 bytes more than plain UDP). The rule drops every IPv4 packet over $Mtu bytes to and from the
            # port, whatever it carries, silently, like a link that never sends "fragmentation needed".
            $port = $target.BridgePort
            $null = Invoke-InNamespace $Lab.BridgeNamespace nft @('-f', '-') -InputText @"
table bridge k3snetlab {
    chain forward { type filter hook forward priority filter; policy accept; }
}
add rule bridge k3snetlab forward oifname "$port" ip length > $Mtu drop
add rule bridge k3snetlab forward iifname "$port" ip length > $Mtu drop
"@
        }
        'StaleFdb' {
            $peerNode = Get-LabNode $Lab $Peer
            Invoke-Batch bridge $target.Namespace @("fdb replace $($peerNode.VtepMac) dev flannel.1 dst $Address self permanent")
        }
        'WrongVtepMac' {
            $Lab.Faults.WrongVtepMac | Add-Member -NotePropertyName $target.Name -NotePropertyValue (New-VtepMac) -Force
        }
        default {
            Set-LabHostFault -Lab $Lab -Node $target -Fault $Fault -Peer $Peer -KeepFlannelForward:$KeepFlannelForward
        }
    }
    Write-LabDescription $Lab
}

function Clear-K3sNetLabFault {
    <#
    Puts every node back the way New-K3sNetLab built it (idempotent): security groups, ports, path MTUs, fdb, description,
    and each node a host fault changed: its ruleset, sysctls and links as they were before that fault.
    #>
    param([Parameter(Mandatory)] $Lab)

    Invoke-Batch ip $Lab.BridgeNamespace @($Lab.Nodes | ForEach-Object { "link set $($_.BridgePort) up" })
    foreach ($node in $Lab.Nodes) {
        $group = $Lab.SecurityGroups.($node.Name)
        $group.VxlanFrom = @($group.BuiltVxlanFrom)
        $fdb = foreach ($peer in $Lab.Nodes | Where-Object Name -NE $node.Name) { (Get-FlannelEntryLines $node $peer).Bridge }
        Invoke-Batch bridge $node.Namespace @($fdb)
    }
    # The subnet: the PathMtu faults' table goes, the security groups are rendered as built, in one transaction.
    $null = Invoke-InNamespace $Lab.BridgeNamespace nft @('-f', '-') -InputText ("table bridge k3snetlab {}`ndelete table bridge k3snetlab`n" + (Get-LabSecurityGroupRuleset $Lab))
    Clear-LabHostFault $Lab
    $Lab.Faults.WrongVtepMac = [pscustomobject]@{}
    # The pod network's tables (flannel's, kube-proxy's) as built, whatever a fault or a test did to them.
    Set-LabPodNetworkRuleset -Lab $Lab
    Write-LabDescription $Lab
}

function Remove-K3sNetLab {
    <#
    .SYNOPSIS
    Destroys a lab: its emulators (Start-K3sNetLabCloud), its kubelet listeners, every namespace it created (and only those), its description folder.
    .DESCRIPTION
    Idempotent: safe on a half-built lab, on one already removed, and twice. Takes the lab object or its folder.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Lab')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Lab', ValueFromPipeline, Position = 0)] $Lab,
        [Parameter(Mandatory, ParameterSetName = 'Path')] [string] $Path
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'Path') {
            $state = Join-Path $Path 'lab.json'
            if (-not (Test-Path -LiteralPath $state)) { return }
            $Lab = Get-Content -Raw -LiteralPath $state | ConvertFrom-Json
        }
        # The emulators first: a process still inside a namespace would keep it alive after its name is gone.
        Stop-K3sNetLabCloud -Lab $Lab
        if ($script:Listeners.ContainsKey($Lab.Prefix)) {
            $script:Listeners[$Lab.Prefix] | ForEach-Object Dispose
            $script:Listeners.Remove($Lab.Prefix)
        }
        # The node inits (and with them every pod process), then whatever else still runs in the lab's namespaces.
        Stop-LabPodNetwork $Lab
        # Only names this lab made: its bridge, node, outside and pod namespaces (Get-LabOwnedNamespace), all under its
        # unique prefix.
        $doomed = @(Get-LabOwnedNamespace $Lab (Get-NamespaceName))
        if ($doomed.Count) {
            Invoke-Batch ip $null @($doomed | ForEach-Object { "netns delete $_" })
        }
        if ($Lab.Path -and $Lab.OwnsFolder -and (Test-Path -LiteralPath $Lab.Path)) {
            Remove-Item -LiteralPath $Lab.Path -Recurse -Force -ErrorAction Ignore
        }
        # In a folder it was given: only the files the lab wrote, and the folder when nothing else is in it.
        if ($Lab.Path -and (Test-Path -LiteralPath $Lab.Path)) {
            foreach ($file in 'nodes.json', 'pods.json', 'services.json', 'pods.log', 'lab.json', 'kubeconfig.yaml', 'sync.log') {
                Remove-Item -LiteralPath (Join-Path $Lab.Path $file) -Force -ErrorAction Ignore
            }
            if (-not (Get-ChildItem -LiteralPath $Lab.Path -Force)) {
                Remove-Item -LiteralPath $Lab.Path -Force -ErrorAction Ignore
            }
        }
    }
}

function Remove-StaleK3sNetLab {
    <#
    .SYNOPSIS
    Removes labs whose process is gone (a test run that was killed before its cleanup ran), and names them.
    .DESCRIPTION
    Looks only at labs that made their own folder in the temp folder (k3l*/lab.json) and removes one only when the
    process that built it has exited: a lab another process is using is never touched. -Prefix limits the sweep to
    those labs.
    #>
    [CmdletBinding()]
    param([string[]] $Prefix = @('k3l*'))

    $states = $Prefix | ForEach-Object { Get-ChildItem -LiteralPath ([IO.Path]::GetTempPath()) -Directory -Filter $_ -ErrorAction Ignore } |
        ForEach-Object { Join-Path $_.FullName 'lab.json' } | Where-Object { Test-Path -LiteralPath $_ }
    foreach ($state in $states) {
        $lab = Get-Content -Raw -LiteralPath $state | ConvertFrom-Json
        if (-not $lab.PSObject.Properties['OwnerPid'] -or -not $lab.OwnsFolder) { continue }
        $owner = Get-Process -Id $lab.OwnerPid -ErrorAction Ignore
        # The same process is one that started within a second of the recorded start: .NET derives a start time from the
        # boot time at the moment it is asked, so two processes compute the same process's start a millisecond or so
        # apart, and an exact comparison took another terminal's live lab for a stale one.
        if ($owner -and [Math]::Abs($owner.StartTime.ToUniversalTime().Ticks - $lab.OwnerStartedTicks) -lt [TimeSpan]::TicksPerSecond) { continue }
        Remove-K3sNetLab -Lab $lab
        $lab.Prefix
    }
}

Export-ModuleMember -Function Test-K3sNetLabSupport, Test-K3sNetLabRequired, Skip-K3sNetLabTest, New-K3sNetLab, Get-K3sNetLabNode, Invoke-K3sNetLabCommand,
    New-K3sNetLabPod, Invoke-K3sNetLabPodCommand, Remove-K3sNetLabPod,
    Set-K3sNetLabFault, Clear-K3sNetLabFault, Remove-K3sNetLab, Remove-StaleK3sNetLab, Get-K3sNetLabVxlanSource,
    Test-K3sNetLabHostFirewallSupport,
    Start-K3sNetLabCloud, Stop-K3sNetLabCloud, New-K3sNetLabEc2State, ConvertFrom-K3sNetLabEc2State, Sync-K3sNetLabSecurityGroup
