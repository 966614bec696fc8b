# The lab's pods: what k3s, flannel's CNI and kube-proxy build on every node, and the cluster services behind them.
# Dot-sourced by K3sNetLab.psm1 (one module: New-K3sNetLab and Remove-K3sNetLab call the hooks here).
#
# Per node:
#   an init process      PID 1 of the node's own PID and mount namespaces (unshare, inside the node's netns), its stdin
#                        a pipe this process holds: EOF (Remove-K3sNetLab, or this process dying) ends it, and the
#                        kernel then ends every process of that PID namespace, so no pod process outlives the lab.
#                        `nsenter -t <InitPid> -p -m -n` enters the node the way a hostPID pod's `nsenter -t 1` does.
#   cni0                 the bridge flannel's CNI makes, 10.42.<i>.1/24, MTU = flannel.1's; ip_forward=1 and
#                        bridge-nf-call-iptables=1, as k3s requires (a pod reaching a Service whose endpoint is a pod on
#                        the same bridge needs the bridged reply to pass conntrack).
#   k3s's rules          tables ip filter and ip nat shaped as iptables-nft writes flannel's rules, and table ip kube-proxy
#                        as kube-proxy's nftables mode renders the two Services (Get-LabPodNetworkRuleset).
#   a default route      via the VPC router 10.0.1.1, the outside namespace's leg on the subnet.
# Pods: a network namespace <prefix>-<node>-p<7 hex> built by k3snet-cni.sh, a process in it in the node's PID namespace.
# The server runs the CoreDNS stand-in (dnsmasq) at 10.42.0.2; the outside namespace <prefix>-out plays the internet and
# AWS (a resolver at 198.51.100.53, the endpoints' address 198.51.100.10 with a TCP listener on 443) and routes nothing.

$script:ClusterCidr = '10.42.0.0/16'
$script:ServiceCidr = '10.43.0.0/16'
$script:ClusterDns = '10.43.0.10'
$script:KubernetesServiceIp = '10.43.0.1'
$script:ClusterDomain = 'cluster.local'
$script:VpcRouter = '10.0.1.1'
$script:OutsideResolver = '198.51.100.53'
$script:OutsideEndpoint = '198.51.100.10'
$script:OutsideNames = @('ssm.us-east-1.amazonaws.com', 'ec2.us-east-1.amazonaws.com')
$script:OutsidePort = 443
$script:CniPlugin = Join-Path $PSScriptRoot 'k3snet-cni.sh'
$script:CoreDnsPodName = 'coredns-ccb96694c-x7k2p'
# The lab's own pods take 10.42.<i>.2 .. 10.42.<i>.9; the Kubernetes API emulator's kubelet takes .10 and up.
$script:FirstLabPodHost = 2
$script:LastLabPodHost = 9
# Node inits, by lab prefix: the processes that started them (whose stdin pipes keep them alive) and their PIDs.
$script:NodeInits = @{}

function Add-LabPodNetworkField($Lab) {
    # What lab.json says about the pod network (notes/CONTRACT-LAB.md), before anything is built: a run killed from here
    # on leaves a lab.json that names the outside namespace too.
    $Lab | Add-Member -NotePropertyMembers ([ordered]@{
            ClusterCidr      = $script:ClusterCidr
            ServiceCidr      = $script:ServiceCidr
            ClusterDns       = $script:ClusterDns
            ClusterDomain    = $script:ClusterDomain
            CniPlugin        = $script:CniPlugin
            OutsideNamespace = "$($Lab.Prefix)-out"
            OutsideInitPid   = 0
            # k3s's data directory and its tools on every node (K3sNetLabK3sTools.ps1), in the node's mount namespace.
            K3sDataDir       = $script:K3sDataDir
            K3sToolDirectory = $script:K3sToolDirectory
            Pods             = @()
            ServicesPath     = Join-Path $Lab.Path 'services.json'
        })
    foreach ($node in $Lab.Nodes) {
        $node | Add-Member -NotePropertyMembers ([ordered]@{
                InitPid    = 0
                PodGateway = "10.42.$($node.Index).1"
                PodMtu     = $Lab.UnderlayMtu - 50
            })
    }
}

function Start-LabInit {
    <#
    One init per namespace: `ip netns exec <ns> unshare --pid --mount ... bash -c 'read _'`, whose bash is PID 1 of a new
    PID namespace. bash, not sh: as PID 1 it inherits every orphan of the node, and bash reaps them (dash leaves
    zombies). One bash started from here starts them all (one process start from .NET instead of one per node), each
    with that bash's stdin: a pipe whose only writer is this process, so they all end on its EOF (Stop-LabInit, or this
    process dying). Returns the host PIDs of those PID 1s, in the order of -Namespace.
    #>
    param([string] $Prefix, [string[]] $Namespace)

    $info = [Diagnostics.ProcessStartInfo]::new('bash')
    $info.ArgumentList.Add('-c')
    # A background job's stdin defaults to /dev/null: <&0 keeps the pipe. Its stdout is not this bash's, whose output
    # this process reads to the end (closed once every PID is out). Then this bash waits for them: the parent that
    # reaps each unshare when its init ends.
    $info.ArgumentList.Add('for ns in "$@"; do ip netns exec "$ns" unshare --pid --mount --propagation slave --fork --kill-child --mount-proc bash -c "read _" <&0 >/dev/null 2>&1 & echo "$!"; done; exec >&-; wait')
    $info.ArgumentList.Add('k3snetlab-init')
    foreach ($name in $Namespace) { $info.ArgumentList.Add($name) }
    $info.UseShellExecute = $false
    $info.RedirectStandardInput = $true
    $info.RedirectStandardOutput = $true
    $starter = [Diagnostics.Process]::Start($info)
    if (-not $script:NodeInits.ContainsKey($Prefix)) { $script:NodeInits[$Prefix] = [pscustomobject]@{ Starters = [Collections.Generic.List[Diagnostics.Process]]::new(); Pids = [Collections.Generic.List[int]]::new() } }
    $script:NodeInits[$Prefix].Starters.Add($starter)
    $jobs = @($starter.StandardOutput.ReadToEnd() -split '\s+' | Where-Object { $_ } | ForEach-Object { [int]$_ })
    if ($jobs.Count -ne $Namespace.Count) { throw "Starting the lab nodes' inits failed: $($jobs.Count) of $($Namespace.Count) started." }
    # The init is the descendant whose PID in its own namespace is 1 (NSpid: <host pid> 1): unshare's child.
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    for ($i = 0; $i -lt $jobs.Count; $i++) {
        $initPid = 0
        while (-not $initPid) {
            $initPid = Find-PidNamespaceInit $jobs[$i]
            if ($initPid) { break }
            if (-not (Test-Path -LiteralPath "/proc/$($jobs[$i])")) { throw "The init of lab namespace '$($Namespace[$i])' exited: ip netns exec $($Namespace[$i]) unshare --pid --mount --fork --mount-proc bash failed." }
            if ([DateTime]::UtcNow -gt $deadline) { throw "The init of lab namespace '$($Namespace[$i])' started no PID namespace within 10 seconds." }
            Start-Sleep -Milliseconds 10
        }
        $script:NodeInits[$Prefix].Pids.Add($initPid)
        $initPid
    }
}

function Find-PidNamespaceInit([int] $RootPid) {
    # Breadth-first through /proc/<pid>/task/<pid>/children, a few levels down (ip may exec or fork unshare).
    $queue = [Collections.Generic.Queue[int]]::new()
    $queue.Enqueue($RootPid)
    while ($queue.Count) {
        $candidate = $queue.Dequeue()
        $status = Get-Content -LiteralPath "/proc/$candidate/status" -ErrorAction Ignore
        $nsPid = @("$($status | Where-Object { $_ -like 'NSpid:*' })" -split '\s+' | Where-Object { $_ } | Select-Object -Skip 1)
        if ($nsPid.Count -ge 2 -and $nsPid[-1] -eq '1') { return $candidate }
        $children = Get-Content -Raw -LiteralPath "/proc/$candidate/task/$candidate/children" -ErrorAction Ignore
        foreach ($child in "$children" -split '\s+' | Where-Object { $_ }) { $queue.Enqueue([int]$child) }
    }
    return 0
}

function Stop-LabInit([string] $Prefix) {
    # EOF on the inits' stdin: each bash exits, and with it every process of its PID namespace.
    if (-not $script:NodeInits.ContainsKey($Prefix)) { return }
    $inits = $script:NodeInits[$Prefix]
    foreach ($starter in $inits.Starters) { try { $starter.StandardInput.Close() } catch { $null = $_ } }
    # Each starter exits once its inits have (it waits for them).
    foreach ($starter in $inits.Starters) {
        try { if (-not $starter.WaitForExit(5000)) { $starter.Kill($true) } } catch { $null = $_ }
        $starter.Dispose()
    }
    $script:NodeInits.Remove($Prefix)
}

function Get-LabPodNamespace([string] $Prefix, [string] $NodeName) {
    # <prefix>-<node>-p<7 hex>, as the contract's example: unique in the lab, recognisably its node's.
    "$Prefix-$NodeName-p" + [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(4)).ToLowerInvariant().Substring(0, 7)
}

function Get-KubeProxyChainHash([string] $Name) {
    # kube-proxy's hashAndTruncate: the first 8 characters of base32(sha256(name)) (pkg/proxy/nftables/proxier.go).
    $hash = [Security.Cryptography.SHA256]::HashData([Text.Encoding]::UTF8.GetBytes($Name))
    $alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
    $bits = 0; $value = 0; $text = [Text.StringBuilder]::new()
    foreach ($byte in $hash) {
        # Only the bits not yet spent are kept (at most 12), so the arithmetic never overflows.
        $value = (($value -shl 8) -bor $byte) -band 0xFFF; $bits += 8
        while ($bits -ge 5 -and $text.Length -lt 8) { $bits -= 5; $null = $text.Append($alphabet[($value -shr $bits) -band 31]) }
        if ($text.Length -ge 8) { break }
    }
    $text.ToString()
}

function Get-LabService($Lab) {
    # The cluster's two Services and their endpoints: what services.json lists and kube-proxy renders.
    $server = $Lab.Nodes | Where-Object IsServer | Select-Object -First 1
    $coreDnsIp = "10.42.$($server.Index).2"
    @(
        [pscustomobject]@{ Namespace = 'default'; Name = 'kubernetes'; ClusterIp = $script:KubernetesServiceIp; Labels = [ordered]@{ component = 'apiserver'; provider = 'kubernetes' }; Selector = $null
            Ports = @([pscustomobject]@{ Name = 'https'; Protocol = 'TCP'; Port = 443; EndpointIp = $server.UnderlayAddress; EndpointPort = $script:ApiPort })
        }
        [pscustomobject]@{ Namespace = 'kube-system'; Name = 'kube-dns'; ClusterIp = $script:ClusterDns
            Labels = [ordered]@{ 'k8s-app' = 'kube-dns'; 'kubernetes.io/cluster-service' = 'true'; 'kubernetes.io/name' = 'CoreDNS' }; Selector = [ordered]@{ 'k8s-app' = 'kube-dns' }
            Ports = @(
                [pscustomobject]@{ Name = 'dns'; Protocol = 'UDP'; Port = 53; EndpointIp = $coreDnsIp; EndpointPort = 53 }
                [pscustomobject]@{ Name = 'dns-tcp'; Protocol = 'TCP'; Port = 53; EndpointIp = $coreDnsIp; EndpointPort = 53 }
            )
        }
    )
}

function Get-LabPodNetworkRuleset {
    <#
    The rules k3s leaves in a node's ruleset besides the security group's, as `nft list ruleset` shows them on a real
    node. Each table is declared and deleted first, so applying the text again replaces the tables in one transaction.
      table ip filter, table ip nat   flannel's rules (flannel pkg/trafficmngr/iptables: ForwardRules, MasqRules) as
                                      iptables-nft writes them: base chains named like iptables's, counters on every
                                      rule, -m comment as comment. k3s runs flannel with these iptables rules by default.
      table ip kube-proxy             kube-proxy's nftables mode (pkg/proxy/nftables/proxier.go): DNAT in nat-prerouting
                                      and nat-output through the service-ips verdict map, a service chain per Service
                                      port that marks off-cluster sources for masquerade, an endpoint chain per endpoint
                                      that marks hairpin traffic and DNATs, and the masquerading chain for marked packets.
    The lab leaves out what it does not exercise: kube-proxy's filter chains (firewall, reject for Services without
    endpoints, nodeports) and the NetworkPolicy controller's KUBE-ROUTER chains.
    #>
    param($Lab, $Node)

    $podCidr = $Node.PodCidr
    $cluster = $script:ClusterCidr
    $flannel = @"
table ip filter {}
delete table ip filter
table ip filter {
    chain FORWARD {
        type filter hook forward priority filter; policy accept;
        counter jump FLANNEL-FWD comment "flanneld forward"
    }
    chain FLANNEL-FWD {
        ip saddr $cluster counter accept comment "flanneld forward"
        ip daddr $cluster counter accept comment "flanneld forward"
    }
}
table ip nat {}
delete table ip nat
table ip nat {
    chain POSTROUTING {
        type nat hook postrouting priority srcnat; policy accept;
        counter jump FLANNEL-POSTRTG comment "flanneld masq"
    }
    chain FLANNEL-POSTRTG {
        meta mark & 0x00004000 == 0x00004000 counter return comment "flanneld masq"
        ip saddr $podCidr ip daddr $cluster counter return comment "flanneld masq"
        ip saddr $cluster ip daddr $podCidr counter return comment "flanneld masq"
        ip saddr != $cluster ip daddr $podCidr counter return comment "flanneld masq"
        ip saddr $cluster ip daddr != 224.0.0.0/4 counter masquerade fully-random comment "flanneld masq"
        ip saddr != $cluster ip daddr $cluster counter masquerade fully-random comment "flanneld masq"
    }
}
"@
    $elements = [Collections.Generic.List[string]]::new()
    $chains = [Collections.Generic.List[string]]::new()
    foreach ($service in Get-LabService $Lab) {
        foreach ($port in $service.Ports) {
            $protocol = $port.Protocol.ToLowerInvariant()
            $base = "$($service.Namespace)/$($service.Name)/$protocol/$($port.Name)"
            $serviceChain = "service-$(Get-KubeProxyChainHash $base)-$base"
            $endpoint = "$base`__$($port.EndpointIp)/$($port.EndpointPort)"
            $endpointChain = "endpoint-$(Get-KubeProxyChainHash $endpoint)-$endpoint"
            $elements.Add("$($service.ClusterIp) . $protocol . $($port.Port) : goto $serviceChain")
            $chains.Add(@"
    chain $serviceChain {
        ip daddr $($service.ClusterIp) $protocol dport $($port.Port) ip saddr != $cluster jump mark-for-masquerade
        numgen random mod 1 vmap { 0 : goto $endpointChain }
    }
    chain $endpointChain {
        ip saddr $($port.EndpointIp) jump mark-for-masquerade
        meta l4proto $protocol dnat to $($port.EndpointIp):$($port.EndpointPort)
    }
"@)
        }
    }
    $kubeProxy = @"
table ip kube-proxy {}
delete table ip kube-proxy
table ip kube-proxy {
    comment "rules for kube-proxy"
    set cluster-ips {
        type ipv4_addr
        comment "Active ClusterIPs"
        elements = { $((Get-LabService $Lab).ClusterIp -join ', ') }
    }
    map service-ips {
        type ipv4_addr . inet_proto . inet_service : verdict
        comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
        elements = { $($elements -join ",`n                     ") }
    }
    chain nat-prerouting {
        type nat hook prerouting priority dstnat; policy accept;
        jump services
    }
    chain nat-output {
        type nat hook output priority -100; policy accept;
        jump services
    }
    chain nat-postrouting {
        type nat hook postrouting priority srcnat; policy accept;
        jump masquerading
    }
    chain mark-for-masquerade {
        meta mark set meta mark | 0x00004000
    }
    chain masquerading {
        meta mark & 0x00004000 == 0x00000000 return
        meta mark set meta mark ^ 0x00004000
        masquerade fully-random
    }
    chain services {
        ip daddr . meta l4proto . th dport vmap @service-ips
    }
$($chains -join "`n")
}
"@
    "$flannel`n$kubeProxy"
}

function New-LabScriptFile([string[]] $Lines) {
    # One bash process runs a whole batch of per-namespace commands: far cheaper than one process per command from here.
    $file = Join-Path ([IO.Path]::GetTempPath()) "k3snetlab-$PID-$([guid]::NewGuid().ToString('n')).sh"
    Set-Content -LiteralPath $file -Value (@('set -euo pipefail') + $Lines) -Encoding utf8NoBOM
    $file
}

function Invoke-LabScript([string[]] $Lines) {
    $file = New-LabScriptFile $Lines
    try { Invoke-Native -FilePath bash -ArgumentList @($file) }
    finally { Remove-Item -LiteralPath $file -Force -ErrorAction Ignore }
}

function Get-LabRulesetLines($Lab, $Node, [string[]] $Before = @()) {
    # The bash lines that (re)apply $Node's pod-network tables, after the commands -Before in the node's netns.
    # nsenter --net, not ip netns exec: no new mount namespace and sysfs remount per node (a third of the build time).
    $prelude = ($Before | ForEach-Object { "$_; " }) -join ''
    "nsenter --net=/run/netns/$($Node.Namespace) bash -c '$($prelude)exec nft -f -' <<'K3SNETLAB_NFT'"
    Get-LabPodNetworkRuleset $Lab $Node
    'K3SNETLAB_NFT'
}

function Set-LabPodNetworkRuleset {
    <#
    (Re)applies every node's pod-network tables (ip filter, ip nat, ip kube-proxy), replacing them in one transaction
    per node. Clear-K3sNetLabFault calls it after it flushes the nodes' rulesets.
    #>
    param([Parameter(Mandatory)] $Lab)

    if (-not $Lab.PSObject.Properties['ClusterCidr']) { return }
    $existing = Get-NamespaceName
    Invoke-LabScript @(foreach ($node in $Lab.Nodes | Where-Object { $_.Namespace -in $existing }) { Get-LabRulesetLines $Lab $node })
}

function Get-LabPodStartLines($Lab, $Pod, [string] $Log) {
    # Bash lines that start $Pod's process in its node's PID namespace, detached from bash's pipes (or this process
    # would wait for it).
    $node = Get-LabNode $Lab $Pod.Node
    if ($Pod.Name -eq $script:CoreDnsPodName) {
        # CoreDNS's part: cluster.local answered here (NXDOMAIN for names it does not know), the rest forwarded
        # upstream, as CoreDNS's kubernetes and forward plugins do. dnsmasq forks into the background once it listens.
        $records = @(
            "kubernetes.default.svc.$script:ClusterDomain,$script:KubernetesServiceIp"
            "kube-dns.kube-system.svc.$script:ClusterDomain,$script:ClusterDns"
        ) | ForEach-Object { "--host-record=$_" }
        "nsenter -t $($node.InitPid) -p -m -- ip netns exec '$($Pod.NetNamespace)' /usr/sbin/dnsmasq --conf-file=/dev/null --pid-file --user=root --group=root --no-resolv --no-hosts --no-poll --bind-interfaces --listen-address=$($Pod.PodIp) --server=$script:OutsideResolver --local=/$script:ClusterDomain/ $($records -join ' ') --log-facility='$Log' </dev/null >/dev/null 2>>'$Log'"
    }
    else {
        "nsenter -t $($node.InitPid) -p -m -- sh -c `"ip netns exec '$($Pod.NetNamespace)' sleep infinity </dev/null >/dev/null 2>&1 &`""
    }
}

$script:WaitForPidFunction = @'
wait_for_pid() {
    local pid
    for _ in $(seq 250); do
        pid=$(ip netns pids "$1" | head -n 1)
        if [ -n "$pid" ]; then echo "POD $1 $pid"; return 0; fi
        sleep 0.02
    done
    echo "no process started in $1" >&2
    return 1
}
'@

function Start-LabPod($Lab, [object[]] $Pod) {
    # Builds the pods and starts their processes in one bash run; fills in each pod's Pid.
    if (-not $Pod) { return }
    $log = Join-Path $Lab.Path 'pods.log'
    # Every pod's network first (side by side: most of a pod's time is the kernel making its namespace), then every
    # process, then their PIDs: the processes start meanwhile, so one look usually finds each.
    $output = Invoke-LabScript (@($script:WaitForPidFunction, 'adds=()') +
        @(foreach ($one in $Pod) { "'$script:CniPlugin' add '$((Get-LabNode $Lab $one.Node).Namespace)' '$($one.NetNamespace)' '$($one.PodIp)' '$($one.Namespace)' & adds+=(`$!)" }) +
        @('for add in "${adds[@]}"; do wait "$add"; done') +
        @(foreach ($one in $Pod) { Get-LabPodStartLines $Lab $one $log }) +
        @(foreach ($one in $Pod) { "wait_for_pid '$($one.NetNamespace)'" }))
    foreach ($line in $output | Where-Object { "$_" -like 'POD *' }) {
        $fields = "$line" -split ' '
        ($Pod | Where-Object NetNamespace -EQ $fields[1]).Pid = [int]$fields[2]
    }
}

function New-LabPodRecord($Lab, $Node, [string] $Name, [string] $Namespace) {
    # The next free lab address on $Node (10.42.<i>.2 .. .9) and a new pod namespace name.
    $used = @($Lab.Pods | Where-Object Node -EQ $Node.Name | ForEach-Object PodIp)
    $address = $script:FirstLabPodHost..$script:LastLabPodHost | ForEach-Object { "10.42.$($Node.Index).$_" } | Where-Object { $_ -notin $used } | Select-Object -First 1
    if (-not $address) {
        throw "Node '$($Node.Name)' has no free lab pod address left (the lab's own pods use 10.42.$($Node.Index).$script:FirstLabPodHost-$script:LastLabPodHost); remove a pod first."
    }
    [pscustomobject]@{
        Name         = $Name
        Namespace    = $Namespace
        Node         = $Node.Name
        NetNamespace = Get-LabPodNamespace $Lab.Prefix $Node.Name
        PodIp        = $address
        Pid          = 0
    }
}

function Initialize-LabPodNetwork {
    <#
    New-K3sNetLab's hook, after the nodes' namespaces and flannel.1 exist: node inits, the outside namespace, each node's
    cni0/sysctls/rules/default route, CoreDNS and -PodsPerNode workload pods per node (lab-<node>-<k> in default).
    #>
    param($Lab, [int] $PodsPerNode)

    $outside = $Lab.OutsideNamespace
    $mtu = $Lab.UnderlayMtu
    Invoke-Batch ip $null @("netns add $outside")
    # The VPC router's leg on the subnet: the outside namespace is one more port of br0.
    Invoke-Batch ip $Lab.BridgeNamespace @(
        "link add vout mtu $mtu type veth peer name eth0 mtu $mtu netns $outside"
        'link set vout master br0 up'
    )

    $pids = @(Start-LabInit $Lab.Prefix (@($Lab.Nodes | ForEach-Object Namespace) + $outside))
    for ($i = 0; $i -lt $Lab.Nodes.Count; $i++) { $Lab.Nodes[$i].InitPid = $pids[$i] }
    $Lab.OutsideInitPid = $pids[-1]
    Save-LabState $Lab

    $log = Join-Path $Lab.Path 'pods.log'
    $toolTree = Get-LabK3sToolTree
    $lines = [Collections.Generic.List[string]]::new()
    # The outside: the router's address on the subnet, the "internet" addresses on lo, forwarding off (it routes nothing:
    # a packet for any other address ends here), and a resolver that knows the AWS endpoints' names and nothing else.
    $lines.Add("ip -n '$outside' -batch - <<'K3SNETLAB_IP'")
    $lines.AddRange([string[]]@(
            'link set lo up'
            "addr add $script:OutsideResolver/32 dev lo"
            "addr add $script:OutsideEndpoint/32 dev lo"
            "addr add $script:VpcRouter/24 dev eth0"
            'link set eth0 up'
            'K3SNETLAB_IP'
        ))
    $lines.Add("nsenter --net=/run/netns/$outside bash -c 'echo 0 > /proc/sys/net/ipv4/ip_forward'")
    $outsideRecords = ($script:OutsideNames | ForEach-Object { "--host-record=$_,$script:OutsideEndpoint" }) -join ' '
    $lines.Add("nsenter -t $($Lab.OutsideInitPid) -p -m -n -- /usr/sbin/dnsmasq --conf-file=/dev/null --pid-file --user=root --group=root --no-resolv --no-hosts --no-poll --bind-interfaces --listen-address=$script:OutsideResolver --local=/#/ $outsideRecords --log-facility='$log' </dev/null >/dev/null 2>>'$log'")
    foreach ($node in $Lab.Nodes) {
        $lines.Add("ip -n '$($node.Namespace)' -batch - <<'K3SNETLAB_IP'")
        $lines.AddRange([string[]]@(
                "link add cni0 mtu $($node.PodMtu) type bridge"
                "addr add $($node.PodGateway)/24 dev cni0"
                'link set cni0 up'
                "route add default via $script:VpcRouter dev eth0"
                'K3SNETLAB_IP'
            ))
        # k3s's sysctls (/proc/sys/net is the writing process's network namespace's), then k3s's rules.
        $lines.AddRange([string[]]@(Get-LabRulesetLines $Lab $node @(
                    'echo 1 > /proc/sys/net/ipv4/ip_forward'
                    'echo 1 > /proc/sys/net/bridge/bridge-nf-call-iptables'
                )))
        # k3s's own tools, in the node's mount namespace only (K3sNetLabK3sTools.ps1).
        $lines.AddRange([string[]]@(Get-LabK3sToolLines $Lab $node $toolTree))
    }
    $null = Invoke-LabScript $lines

    # The outside endpoints' HTTPS port: a listening socket of this process, like the kubelet stand-ins.
    $script:Listeners[$Lab.Prefix] = @($script:Listeners[$Lab.Prefix]) + @([K3sNetLab.KubeletListeners]::Open([string[]]@($outside), $script:OutsidePort))

    $server = $Lab.Nodes | Where-Object IsServer | Select-Object -First 1
    $pods = [Collections.Generic.List[object]]::new()
    $pods.Add((New-LabPodRecord $Lab $server $script:CoreDnsPodName 'kube-system'))
    $Lab.Pods = @($pods)
    foreach ($node in $Lab.Nodes) {
        for ($k = 1; $k -le $PodsPerNode; $k++) {
            $pods.Add((New-LabPodRecord $Lab $node "lab-$($node.Name)-$k" 'default'))
            $Lab.Pods = @($pods)
        }
    }
    # Recorded before they exist, so a run killed meanwhile still names them.
    Save-LabState $Lab
    Start-LabPod $Lab $Lab.Pods
}

function Get-LabOwnedNamespace($Lab, [string[]] $Name) {
    <#
    Which of -Name the lab made: its bridge, node and outside namespaces, its recorded pods', and any pod namespace of
    one of its nodes (<prefix>-<node>-*, the contract's pod naming, so the Kubernetes API emulator's kubelet's pods are
    swept too). Another name under the prefix is not the lab's (a test's decoy, another tool's).
    #>
    $exact = @($Lab.BridgeNamespace) + @($Lab.Nodes | ForEach-Object Namespace) + @(if ($Lab.PSObject.Properties['OutsideNamespace']) { $Lab.OutsideNamespace }) +
        @(if ($Lab.PSObject.Properties['Pods']) { @($Lab.Pods) | Where-Object { $_ } | ForEach-Object NetNamespace })
    $podPrefixes = @($Lab.Nodes | ForEach-Object { "$($_.Namespace)-" })
    foreach ($candidate in $Name) {
        if (-not $candidate -or -not $candidate.StartsWith("$($Lab.Prefix)-")) { continue }
        if ($candidate -in $exact -or ($podPrefixes | Where-Object { $candidate.StartsWith($_) })) { $candidate }
    }
}

function Stop-LabPodNetwork($Lab) {
    <#
    Remove-K3sNetLab's hook: ends the node inits (and so every pod process), then any process still in one of the lab's
    namespaces (a lab left by a killed run, or a process someone started there), and removes their /etc/netns/<name>/.
    #>
    Stop-LabInit $Lab.Prefix
    $ours = @(Get-LabOwnedNamespace $Lab (Get-NamespaceName))
    if ($ours.Count) {
        # What `ip netns pids` does for one namespace, for all of them in two stat calls: a process is in a namespace
        # when its /proc/<pid>/ns/net is the same inode as /run/netns/<name>.
        $null = Invoke-LabScript @(
            "doomed=`" `$(stat -L -c %i $(($ours | ForEach-Object { "'/run/netns/$_'" }) -join ' ') 2>/dev/null | tr '\n' ' ' || true) `""
            'stat -L -c "%i %n" /proc/[0-9]*/ns/net 2>/dev/null | while read -r inode path; do'
            '    pid=${path#/proc/}; pid=${pid%%/*}'
            "    if [[ `$doomed == *`" `$inode `"* ]] && [ `"`$pid`" != $PID ]; then kill -9 `"`$pid`" 2>/dev/null || true; fi"
            'done || true'
        )
    }
    if (Test-Path -LiteralPath /etc/netns) {
        $entries = @(Get-ChildItem -LiteralPath /etc/netns -Directory -Filter "$($Lab.Prefix)-*" -ErrorAction Ignore)
        $owned = @(Get-LabOwnedNamespace $Lab @($entries | ForEach-Object Name))
        $entries | Where-Object Name -In $owned | Remove-Item -Recurse -Force -ErrorAction Ignore
    }
}

function Get-LabPodItem($Lab) {
    # pods.json's items for the lab's workload pods (CoreDNS is written by Write-LabDescription).
    foreach ($pod in @($Lab.Pods) | Where-Object { $_ -and $_.Name -ne $script:CoreDnsPodName }) {
        $node = Get-LabNode $Lab $pod.Node
        [ordered]@{
            apiVersion = 'v1'
            kind       = 'Pod'
            metadata   = [ordered]@{
                name      = $pod.Name
                namespace = $pod.Namespace
                uid       = [guid]::new([Security.Cryptography.MD5]::HashData([Text.Encoding]::UTF8.GetBytes($pod.NetNamespace))).ToString()
                labels    = [ordered]@{ app = 'k3snet-lab' }
            }
            spec       = [ordered]@{ nodeName = $pod.Node; containers = @([ordered]@{ name = 'main'; image = 'busybox'; command = @('sleep', 'infinity') }) }
            status     = [ordered]@{ phase = 'Running'; hostIP = $node.UnderlayAddress; podIP = $pod.PodIp; podIPs = @([ordered]@{ ip = $pod.PodIp }) }
        }
    }
}

function Write-LabServiceList($Lab) {
    # services.json: a ServiceList of the cluster's Services, as the API server returns them.
    if (-not $Lab.PSObject.Properties['ServicesPath']) { return }
    $items = foreach ($service in Get-LabService $Lab) {
        $spec = [ordered]@{
            type            = 'ClusterIP'
            clusterIP       = $service.ClusterIp
            clusterIPs      = @($service.ClusterIp)
            ipFamilies      = @('IPv4')
            ports           = @($service.Ports | ForEach-Object { [ordered]@{ name = $_.Name; port = $_.Port; protocol = $_.Protocol; targetPort = $_.EndpointPort } })
            sessionAffinity = 'None'
        }
        if ($service.Selector) { $spec['selector'] = $service.Selector }
        [ordered]@{
            apiVersion = 'v1'
            kind       = 'Service'
            metadata   = [ordered]@{ name = $service.Name; namespace = $service.Namespace; labels = $service.Labels }
            spec       = $spec
        }
    }
    [ordered]@{ kind = 'ServiceList'; apiVersion = 'v1'; metadata = [ordered]@{ resourceVersion = '1' }; items = @($items) } |
        ConvertTo-Json -Depth 10 | Set-Content -LiteralPath $Lab.ServicesPath -Encoding utf8
}

function Get-LabPod($Lab, [string] $Pod, [string] $Namespace) {
    $found = @($Lab.Pods | Where-Object { $_ -and ($_.Name -eq $Pod -or $_.NetNamespace -eq $Pod) -and (-not $Namespace -or $_.Namespace -eq $Namespace) })
    if ($found.Count -eq 0) { throw "The lab has no pod '$Pod' (it has $(@($Lab.Pods | ForEach-Object { "$($_.Namespace)/$($_.Name)" }) -join ', '))." }
    if ($found.Count -gt 1) { throw "More than one pod is named '$Pod' ($(@($found | ForEach-Object { "$($_.Namespace)/$($_.Name)" }) -join ', ')): give -Namespace." }
    $found[0]
}

function New-K3sNetLabPod {
    <#
    .SYNOPSIS
    Creates a pod on a lab node: a network namespace built by k3snet-cni.sh with a sleeping process in the node's PID
    namespace. Returns the pod (Name, Namespace, Node, NetNamespace, PodIp, Pid); lab.json and pods.json list it.
    #>
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [string] $Node,
        [Parameter(Mandatory)] [ValidatePattern('^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$')] [string] $Name,
        [ValidatePattern('^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$')] [string] $Namespace = 'default'
    )

    $target = Get-LabNode $Lab $Node
    if ($Lab.Pods | Where-Object { $_.Name -eq $Name -and $_.Namespace -eq $Namespace }) { throw "The lab already has a pod $Namespace/$Name." }
    $pod = New-LabPodRecord $Lab $target $Name $Namespace
    $Lab.Pods = @($Lab.Pods) + $pod
    Save-LabState $Lab
    try { Start-LabPod $Lab @($pod) }
    catch {
        $Lab.Pods = @($Lab.Pods | Where-Object NetNamespace -NE $pod.NetNamespace)
        $null = & $script:CniPlugin del $pod.NetNamespace 2>&1
        Save-LabState $Lab
        throw
    }
    Write-LabDescription $Lab
    $pod
}

function Invoke-K3sNetLabPodCommand {
    <#
    .SYNOPSIS
    Runs a native command in a lab pod (its network namespace and resolv.conf, its node's PID and mount namespaces) and
    returns its output; $LASTEXITCODE is the command's exit code.
    #>
    param(
        [Parameter(Mandatory)] $Lab,
        [Parameter(Mandatory)] [string] $Pod,
        [string] $Namespace,
        [Parameter(Mandatory)] [string] $FilePath,
        [string[]] $ArgumentList = @()
    )

    $target = Get-LabPod $Lab $Pod $Namespace
    $node = Get-LabNode $Lab $target.Node
    & nsenter -t $node.InitPid -p -m -- ip netns exec $target.NetNamespace $FilePath @ArgumentList
}

function Remove-K3sNetLabPod {
    <# .SYNOPSIS Removes a lab pod: its processes, its network namespace, /etc/netns/<pod>/ (k3snet-cni.sh del). #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] [string] $Pod, [string] $Namespace)

    $target = Get-LabPod $Lab $Pod $Namespace
    Invoke-Native -FilePath $script:CniPlugin -ArgumentList @('del', $target.NetNamespace) | Out-Null
    $Lab.Pods = @($Lab.Pods | Where-Object NetNamespace -NE $target.NetNamespace)
    Write-LabDescription $Lab
}
