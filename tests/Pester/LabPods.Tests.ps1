# The lab's pods (tests/Lab/K3sNetLabPods.ps1, k3snet-cni.sh): nodes with their own PID and mount namespaces, a pod
# network built as flannel's CNI, k3s and kube-proxy build it, CoreDNS and an outside endpoint behind real servers, and
# the field failure (UDP 8472 dropped into one node) seen from pods. Everything is real kernel networking in namespaces.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
    $NoLab = Test-K3sNetLabSupport
    $Lab = if (-not $NoLab) { New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 }

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab
    }

    function Get-Namespaces { @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] }) }

    function Get-Pod([string] $Node) { $Lab.Pods | Where-Object { $_.Node -eq $Node -and $_.Namespace -eq 'default' } | Select-Object -First 1 }

    function Invoke-Pod([string] $Pod, [string] $FilePath, [string[]] $ArgumentList) {
        # Output and exit code of a command in a pod.
        $output = Invoke-K3sNetLabPodCommand -Lab $Lab -Pod $Pod -FilePath $FilePath -ArgumentList $ArgumentList 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = $output -join "`n" }
    }

    function Test-Ping([string] $Pod, [string] $Address) {
        (Invoke-Pod $Pod ping @('-c', '1', '-W', '2', $Address)).ExitCode -eq 0
    }

    function Test-Connect([string] $Pod, [string] $Address, [int] $Port) {
        # A TCP handshake from the pod (bash's /dev/tcp), at most 3 seconds.
        (Invoke-Pod $Pod timeout @('3', 'bash', '-c', "exec 3<>/dev/tcp/$Address/$Port")).ExitCode -eq 0
    }

    function Resolve-InPod([string] $Pod, [string] $Name) {
        # busybox nslookup through the pod's resolv.conf (the cluster DNS Service), tries of 2 seconds.
        Invoke-Pod $Pod busybox @('nslookup', '-timeout=2', '-retry=1', $Name)
    }

    function Get-LinkPackets([string] $Namespace, [string] $Link, [string] $Direction) {
        $stats = (& ip -n $Namespace -s -j link show $Link | ConvertFrom-Json).stats64
        [long]$stats.$Direction.packets
    }

    function Get-RulePackets([string] $Namespace, [string] $Family, [string] $Table, [string] $Chain, [scriptblock] $Where) {
        # The packet counter of the rules in a chain that $Where picks (nft -j).
        $rules = (& ip netns exec $Namespace nft -j list chain $Family $Table $Chain | ConvertFrom-Json).nftables |
            Where-Object { $_.PSObject.Properties['rule'] } | ForEach-Object rule | Where-Object $Where
        ($rules | ForEach-Object { ($_.expr | Where-Object { $_.PSObject.Properties['counter'] }).counter.packets } | Measure-Object -Sum).Sum
    }
}

AfterAll {
    if ($Lab) { Remove-K3sNetLab -Lab $Lab }
}

Describe 'The lab''s nodes as hosts' {
    It 'gives each node its own PID and mount namespaces: nsenter -t InitPid -p -m -n, then nsenter -t 1 -n, enters that node' {
        Skip-WithoutLab
        $hostPidNs = & readlink /proc/self/ns/pid
        $seen = @()
        foreach ($node in $Lab.Nodes) {
            $node.InitPid | Should -BeGreaterThan 0
            $pidNs = & readlink "/proc/$($node.InitPid)/ns/pid"
            $pidNs | Should -Not -Be $hostPidNs
            $seen += $pidNs
            & readlink "/proc/$($node.InitPid)/ns/mnt" | Should -Not -Be (& readlink /proc/self/ns/mnt)
            # What a hostPID pod does: enter PID 1's network namespace. PID 1 here is the node's init, not the machine's.
            $addresses = & nsenter -t $node.InitPid -p -m -n -- nsenter -t 1 -n ip -o -4 addr show dev eth0
            $LASTEXITCODE | Should -Be 0
            "$addresses" | Should -Match ([regex]::Escape(" $($node.UnderlayAddress)/24 "))
            # And the node's processes see their own PID 1.
            (& nsenter -t $node.InitPid -p -m -- cat /proc/1/cmdline) -replace "`0", ' ' | Should -Match '^bash -c read _'
        }
        $seen | Sort-Object -Unique | Should -HaveCount $Lab.Nodes.Count
    }

    It 'builds cni0 with the pod gateway and flannel.1''s MTU, turns on ip_forward, and routes out through the VPC router' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $cni0 = & ip -n $node.Namespace -j addr show dev cni0 | ConvertFrom-Json
            $flannel = & ip -n $node.Namespace -j link show dev flannel.1 | ConvertFrom-Json
            $address = $cni0.addr_info | Where-Object family -EQ inet
            "$($address.local)/$($address.prefixlen)" | Should -Be "10.42.$($node.Index).1/24"
            $node.PodGateway | Should -Be "10.42.$($node.Index).1"
            $cni0.mtu | Should -Be $flannel.mtu
            $node.PodMtu | Should -Be $flannel.mtu
            & ip netns exec $node.Namespace sysctl -n net.ipv4.ip_forward | Should -Be '1'
            (& ip -n $node.Namespace -j route show default | ConvertFrom-Json).gateway | Should -Be '10.0.1.1'
        }
    }

    It 'carries k3s''s own tools in /var/lib/rancher/k3s/data/current/bin of its own mount namespace, where a hostPID pod''s nsenter -t 1 -m finds them' {
        Skip-WithoutLab
        $bin = '/var/lib/rancher/k3s/data/current/bin'
        $state = Get-Content -Raw -LiteralPath (Join-Path $Lab.Path 'lab.json') | ConvertFrom-Json
        $state.K3sToolDirectory | Should -Be $bin
        $state.K3sDataDir | Should -Be '/var/lib/rancher/k3s'
        $hashes = foreach ($node in $Lab.Nodes) {
            # As k3s lays it out: current is a symlink to the <hash> directory.
            $current = & nsenter -t $node.InitPid -m -- readlink /var/lib/rancher/k3s/data/current
            $current | Should -Match '^[0-9a-f]{64}$'
            $current
            # What a hostPID pod does (its PID 1 is the node's init): enter PID 1's mount namespace, then list the tools.
            $tools = @(& nsenter -t $node.InitPid -p -m -- nsenter -t 1 -m -- ls $bin)
            $LASTEXITCODE | Should -Be 0
            foreach ($tool in 'busybox', 'ip', 'nft', 'ethtool', 'iptables', 'nsenter', 'sh', 'ping', 'nslookup', 'wget') { $tools | Should -Contain $tool }
            # Not there, as on a real k3s node: iproute2's bridge and tcpdump.
            $tools | Should -Not -Contain 'bridge'
            $tools | Should -Not -Contain 'tcpdump'
            # The tools work from there: iproute2's ip sees the node's flannel.1, busybox pings, and busybox refuses nc
            # as k3s's (built without it) does.
            & nsenter -t $node.InitPid -p -m -n -- "$bin/ip" -br link show dev flannel.1 | Should -Match '^flannel\.1 '
            & nsenter -t $node.InitPid -p -m -n -- "$bin/busybox" ping -c 1 -W 2 $node.UnderlayAddress | Should -Contain '1 packets transmitted, 1 packets received, 0% packet loss'
            $refused = & nsenter -t $node.InitPid -p -m -n -- "$bin/busybox" nc -h 2>&1
            $LASTEXITCODE | Should -Be 127
            "$refused" | Should -Match 'nc: applet not found'
        }
        # One k3s version on every node: one data directory name.
        $hashes | Sort-Object -Unique | Should -HaveCount 1
        # Never in the machine's own mount namespace.
        "/var/lib/rancher/k3s/data/$($hashes[0])" | Should -Not -Exist
        @(& findmnt -rn -o SOURCE | Where-Object { $_ -like 'k3snetlab-*' }) | Should -BeNullOrEmpty
    }

    It 'lists in nodes.json the images a k3s node holds (pause everywhere, CoreDNS on the server) and the nodes'' architecture' {
        Skip-WithoutLab
        $items = (Get-Content -Raw -LiteralPath $Lab.NodesPath | ConvertFrom-Json).items
        foreach ($item in $items) {
            $item.status.nodeInfo.architecture | Should -Be 'amd64'
            $names = @($item.status.images | ForEach-Object names)
            $names | Should -Contain 'docker.io/rancher/mirrored-pause:3.6'
            $names | Should -Contain 'docker.io/rancher/klipper-lb:v0.4.9'
            # containerd lists each image by its digest too.
            @($names | Where-Object { $_ -match '^docker\.io/rancher/mirrored-pause@sha256:[0-9a-f]{64}$' }) | Should -HaveCount 1
            $item.status.images | ForEach-Object { $_.sizeBytes | Should -BeGreaterThan 0 }
            $hasCoreDns = [bool]($names | Where-Object { $_ -like 'docker.io/rancher/mirrored-coredns-coredns:*' })
            $hasCoreDns | Should -Be ($item.metadata.name -eq 'k3s-server')
        }
    }

    It 'holds flannel''s FORWARD and POSTROUTING rules as iptables-nft writes them, and kube-proxy''s Services' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $ruleset = (& ip netns exec $node.Namespace nft -j list ruleset | ConvertFrom-Json).nftables
            $chains = $ruleset | Where-Object { $_.PSObject.Properties['chain'] } | ForEach-Object chain
            $forward = $chains | Where-Object { $_.family -eq 'ip' -and $_.table -eq 'filter' -and $_.name -eq 'FORWARD' }
            $forward.hook | Should -Be 'forward'
            $forward.policy | Should -Be 'accept'
            $rules = $ruleset | Where-Object { $_.PSObject.Properties['rule'] } | ForEach-Object rule
            $jump = $rules | Where-Object { $_.table -eq 'filter' -and $_.chain -eq 'FORWARD' }
            $jump.comment | Should -Be 'flanneld forward'
            ($jump.expr | Where-Object { $_.PSObject.Properties['jump'] }).jump.target | Should -Be 'FLANNEL-FWD'
            $fwd = @($rules | Where-Object { $_.table -eq 'filter' -and $_.chain -eq 'FLANNEL-FWD' })
            $fwd | Should -HaveCount 2
            $fwd | ForEach-Object { $_.comment | Should -Be 'flanneld forward' }
            ($fwd | ForEach-Object { $m = ($_.expr | Where-Object { $_.PSObject.Properties['match'] }).match; "$($m.left.payload.field) $($m.right.prefix.addr)/$($m.right.prefix.len)" }) |
                Should -Be @('saddr 10.42.0.0/16', 'daddr 10.42.0.0/16')
            $postrouting = $chains | Where-Object { $_.table -eq 'nat' -and $_.name -eq 'POSTROUTING' }
            $postrouting.hook | Should -Be 'postrouting'
            $masq = @($rules | Where-Object { $_.table -eq 'nat' -and $_.chain -eq 'FLANNEL-POSTRTG' -and ($_.expr | Where-Object { $_.PSObject.Properties['masquerade'] }) })
            $masq.Count | Should -BeGreaterThan 0
            # The masquerade for traffic leaving the cluster CIDR spares multicast, as flannel's does.
            ($masq[0].expr | Where-Object { $_.PSObject.Properties['match'] } | ForEach-Object { "$($_.match.op) $($_.match.right.prefix.addr)" }) | Should -Contain '!= 224.0.0.0'
            $map = ($ruleset | Where-Object { $_.PSObject.Properties['map'] } | ForEach-Object map | Where-Object { $_.table -eq 'kube-proxy' -and $_.name -eq 'service-ips' })
            $keys = $map.elem | ForEach-Object { $_[0].concat -join ' ' }
            $keys | Should -Contain '10.43.0.10 udp 53'
            $keys | Should -Contain '10.43.0.10 tcp 53'
            $keys | Should -Contain '10.43.0.1 tcp 443'
            ($chains | Where-Object { $_.table -eq 'kube-proxy' -and $_.name -eq 'nat-prerouting' }).hook | Should -Be 'prerouting'
            ($chains | Where-Object { $_.table -eq 'kube-proxy' -and $_.name -eq 'nat-output' }).hook | Should -Be 'output'
        }
    }
}

Describe 'The lab''s pods' {
    It 'builds a pod as flannel''s CNI does: veth into cni0, an address of the node''s podCIDR, its MTU, a default route via cni0, resolv.conf' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $pod = Get-Pod $node.Name
            $pod.NetNamespace | Should -BeLike "$($Lab.Prefix)-$($node.Name)-*"
            $eth0 = & ip -n $pod.NetNamespace -j addr show dev eth0 | ConvertFrom-Json
            $address = $eth0.addr_info | Where-Object family -EQ inet
            "$($address.local)/$($address.prefixlen)" | Should -Be "$($pod.PodIp)/24"
            $pod.PodIp | Should -BeLike "10.42.$($node.Index).*"
            $eth0.mtu | Should -Be $node.PodMtu
            (& ip -n $pod.NetNamespace -j route show default | ConvertFrom-Json).gateway | Should -Be $node.PodGateway
            # The host end is a port of the node's cni0, named veth + 8 hex digits.
            $ports = @(& ip -n $node.Namespace -j link show master cni0 | ConvertFrom-Json)
            $ports.ifname | Should -Contain ($ports.ifname | Where-Object { $_ -match '^veth[0-9a-f]{8}$' } | Select-Object -First 1)
            $ports.Count | Should -Be @($Lab.Pods | Where-Object Node -EQ $node.Name).Count
            Get-Content -LiteralPath "/etc/netns/$($pod.NetNamespace)/resolv.conf" | Should -Be @(
                'search default.svc.cluster.local svc.cluster.local cluster.local'
                'nameserver 10.43.0.10'
                'options ndots:5'
            )
            # Its process lives in the pod's network namespace and in its node's PID namespace.
            & ip netns identify $pod.Pid | Should -Be $pod.NetNamespace
            & readlink "/proc/$($pod.Pid)/ns/pid" | Should -Be (& readlink "/proc/$($node.InitPid)/ns/pid")
        }
    }

    It 'reaches a pod on another node by ping and TCP, across flannel.1 (kernel VXLAN)' {
        Skip-WithoutLab
        $from = Get-Pod k3s-agent-1
        $to = Get-Pod k3s-agent-2
        $agent1 = ($Lab.Nodes | Where-Object Name -EQ k3s-agent-1).Namespace
        $agent2 = ($Lab.Nodes | Where-Object Name -EQ k3s-agent-2).Namespace
        # A listening socket in the target pod (the lab's own listener type, loaded by New-K3sNetLab): no process.
        $listener = [K3sNetLab.KubeletListeners]::Open([string[]]@($to.NetNamespace), 8080)
        try {
            $sent = Get-LinkPackets $agent1 flannel.1 tx
            $received = Get-LinkPackets $agent2 flannel.1 rx
            Test-Ping $from.Name $to.PodIp | Should -BeTrue
            Test-Connect $from.Name $to.PodIp 8080 | Should -BeTrue
            # Echo request, and the handshake's SYN and ACK at least, went out encapsulated and came in decapsulated.
            (Get-LinkPackets $agent1 flannel.1 tx) - $sent | Should -BeGreaterOrEqual 3
            (Get-LinkPackets $agent2 flannel.1 rx) - $received | Should -BeGreaterOrEqual 3
        }
        finally { $listener | ForEach-Object Dispose }
    }

    It 'resolves kubernetes.default.svc.cluster.local through the cluster DNS Service (10.43.0.10 to CoreDNS on the server)' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $answer = Resolve-InPod (Get-Pod $node.Name).Name kubernetes.default.svc.cluster.local
            $answer.ExitCode | Should -Be 0 -Because $answer.Output
            $answer.Output | Should -Match 'Server:\s+10\.43\.0\.10'
            $answer.Output | Should -Match 'Address:\s+10\.43\.0\.1\s*(\n|$)'
        }
        (Resolve-InPod (Get-Pod k3s-agent-1).Name kube-dns.kube-system.svc.cluster.local).Output | Should -Match 'Address:\s+10\.43\.0\.10\s*(\n|$)'
        $unknown = Resolve-InPod (Get-Pod k3s-agent-1).Name nothing-here.default.svc.cluster.local
        $unknown.ExitCode | Should -Be 1
        $unknown.Output | Should -Match 'NXDOMAIN'
    }

    It 'resolves ssm.us-east-1.amazonaws.com and connects to its port 443, out through the node''s MASQUERADE; reaches the kubernetes Service' {
        Skip-WithoutLab
        $pod = Get-Pod k3s-agent-1
        $node = $Lab.Nodes | Where-Object Name -EQ k3s-agent-1
        $masquerade = { $_.PSObject.Properties['expr'] -and ($_.expr | Where-Object { $_.PSObject.Properties['masquerade'] }) }
        $before = Get-RulePackets $node.Namespace ip nat FLANNEL-POSTRTG $masquerade
        $answer = Resolve-InPod $pod.Name ssm.us-east-1.amazonaws.com
        $answer.ExitCode | Should -Be 0 -Because $answer.Output
        $answer.Output | Should -Match 'Address:\s+198\.51\.100\.10\s*(\n|$)'
        Test-Connect $pod.Name ssm.us-east-1.amazonaws.com 443 | Should -BeTrue
        # A masquerade rule counts a connection's first packet: the TCP connection at least.
        (Get-RulePackets $node.Namespace ip nat FLANNEL-POSTRTG $masquerade) - $before | Should -BeGreaterOrEqual 1
        # The kubernetes Service: 10.43.0.1:443 is the server's 6443 (a listener of this process stands in for the API).
        $server = ($Lab.Nodes | Where-Object IsServer).Namespace
        $api = [K3sNetLab.KubeletListeners]::Open([string[]]@($server), 6443)
        try { Test-Connect $pod.Name 10.43.0.1 443 | Should -BeTrue } finally { $api | ForEach-Object Dispose }
        Test-Connect $pod.Name 10.43.0.1 443 | Should -BeFalse -Because 'nothing else answers there once the stand-in is gone'
        # The outside routes nothing: a pod reaches no address beyond the lab.
        Test-Connect $pod.Name 192.0.2.1 443 | Should -BeFalse
    }

    It 'with UDP 8472 dropped into agent-2, its pods lose the other nodes'' pods and name resolution, but not each other; clearing brings it all back' {
        Skip-WithoutLab
        $pod = Get-Pod k3s-agent-2
        $other = Get-Pod k3s-agent-1
        $second = New-K3sNetLabPod -Lab $Lab -Node k3s-agent-2 -Name second
        try {
            Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node k3s-agent-2
            Test-Ping $pod.Name $other.PodIp | Should -BeFalse
            $blocked = Resolve-InPod $pod.Name ssm.us-east-1.amazonaws.com
            $blocked.ExitCode | Should -Not -Be 0
            $blocked.Output | Should -Match 'timed out'
            Test-Ping $pod.Name $second.PodIp | Should -BeTrue -Because 'pods on one node talk over cni0, without VXLAN'
            Test-Ping $other.Name (Get-Pod k3s-server).PodIp | Should -BeTrue -Because 'the other nodes still reach each other'

            Clear-K3sNetLabFault -Lab $Lab
            Test-Ping $pod.Name $other.PodIp | Should -BeTrue
            $cleared = Resolve-InPod $pod.Name ssm.us-east-1.amazonaws.com
            $cleared.ExitCode | Should -Be 0 -Because $cleared.Output
            Test-Connect $pod.Name ssm.us-east-1.amazonaws.com 443 | Should -BeTrue
            # The pod network's tables survived the clear (it flushes the nodes' rulesets): the lookup above went through
            # kube-proxy's DNAT and the connection through flannel's MASQUERADE.
            $agent2 = ($Lab.Nodes | Where-Object Name -EQ k3s-agent-2).Namespace
            @(& ip netns exec $agent2 nft list tables) | Should -Contain 'table ip kube-proxy'
        }
        finally {
            Clear-K3sNetLabFault -Lab $Lab
            Remove-K3sNetLabPod -Lab $Lab -Pod second
        }
    }

    It 'adds and removes a pod: New-K3sNetLabPod, Invoke-K3sNetLabPodCommand, Remove-K3sNetLabPod, in lab.json and pods.json' {
        Skip-WithoutLab
        $pod = New-K3sNetLabPod -Lab $Lab -Node k3s-server -Name extra -Namespace probes
        try {
            $pod.Namespace | Should -Be 'probes'
            Get-Content -LiteralPath "/etc/netns/$($pod.NetNamespace)/resolv.conf" | Should -Contain 'search probes.svc.cluster.local svc.cluster.local cluster.local'
            (Invoke-Pod extra ip @('-o', '-4', 'addr', 'show', 'dev', 'eth0')).Output | Should -Match ([regex]::Escape(" $($pod.PodIp)/24 "))
            $state = Get-Content -Raw -LiteralPath (Join-Path $Lab.Path 'lab.json') | ConvertFrom-Json
            ($state.Pods | Where-Object Name -EQ extra).NetNamespace | Should -Be $pod.NetNamespace
            $pods = Get-Content -Raw -LiteralPath $Lab.PodsPath | ConvertFrom-Json
            ($pods.items | Where-Object { $_.metadata.name -eq 'extra' }).status.podIP | Should -Be $pod.PodIp
            { New-K3sNetLabPod -Lab $Lab -Node k3s-server -Name extra -Namespace probes } | Should -Throw '*already has a pod probes/extra*'
        }
        finally { Remove-K3sNetLabPod -Lab $Lab -Pod extra }
        Get-Namespaces | Should -Not -Contain $pod.NetNamespace
        "/etc/netns/$($pod.NetNamespace)" | Should -Not -Exist
        # Killed at once; its node's init reaps it a moment later.
        $deadline = [DateTime]::UtcNow.AddSeconds(5)
        while ((Get-Process -Id $pod.Pid -ErrorAction Ignore) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-Process -Id $pod.Pid -ErrorAction Ignore | Should -BeNullOrEmpty
        (Get-Content -Raw -LiteralPath (Join-Path $Lab.Path 'lab.json') | ConvertFrom-Json).Pods.Name | Should -Not -Contain 'extra'
    }

    It 'k3snet-cni.sh: add is idempotent, a bad add fails with one line and leaves nothing, del never fails' {
        Skip-WithoutLab
        $cni = $Lab.CniPlugin
        $node = $Lab.Nodes | Where-Object Name -EQ k3s-agent-1
        $name = "$($node.Namespace)-pcnitest"
        try {
            & $cni add $node.Namespace $name 10.42.1.200 default 2>&1 | Should -BeNullOrEmpty
            $LASTEXITCODE | Should -Be 0
            & $cni add $node.Namespace $name 10.42.1.200 default 2>&1 | Should -BeNullOrEmpty
            $LASTEXITCODE | Should -Be 0
            & ip netns exec $name ping -c 1 -W 2 $node.PodGateway | Out-Null
            $LASTEXITCODE | Should -Be 0
            $errors = @(& $cni add $node.Namespace "$name-2" 10.42.2.200 default 2>&1)
            $LASTEXITCODE | Should -Be 1
            $errors | Should -HaveCount 1
            "$errors" | Should -BeLike 'k3snet-cni: 10.42.2.200 is not a pod address of*'
            Get-Namespaces | Should -Not -Contain "$name-2"
        }
        finally {
            & $cni del $name
            $LASTEXITCODE | Should -Be 0
        }
        & $cni del $name
        $LASTEXITCODE | Should -Be 0
        Get-Namespaces | Should -Not -Contain $name
        "/etc/netns/$name" | Should -Not -Exist
    }

    It 'describes the pod network for the Kubernetes API emulator: lab.json, pods.json (CoreDNS with its real address) and services.json' {
        Skip-WithoutLab
        $state = Get-Content -Raw -LiteralPath (Join-Path $Lab.Path 'lab.json') | ConvertFrom-Json
        $state.ClusterCidr | Should -Be '10.42.0.0/16'
        $state.ServiceCidr | Should -Be '10.43.0.0/16'
        $state.ClusterDns | Should -Be '10.43.0.10'
        $state.ClusterDomain | Should -Be 'cluster.local'
        $state.CniPlugin | Should -Exist
        $state.OutsideNamespace | Should -Be "$($Lab.Prefix)-out"
        foreach ($node in $state.Nodes) {
            $node.InitPid | Should -Be ($Lab.Nodes | Where-Object Name -EQ $node.Name).InitPid
            $node.PodGateway | Should -Be "10.42.$($node.Index).1"
            $node.PodMtu | Should -Be 1450
        }
        $coreDns = $state.Pods | Where-Object Namespace -EQ kube-system
        $coreDns.Node | Should -Be k3s-server
        $coreDns.PodIp | Should -Be '10.42.0.2'
        & ip netns identify $coreDns.Pid | Should -Be $coreDns.NetNamespace
        (Get-Content -Raw "/proc/$($coreDns.Pid)/cmdline") -split "`0" | Select-Object -First 1 | Should -Be '/usr/sbin/dnsmasq'
        $podList = Get-Content -Raw -LiteralPath $Lab.PodsPath | ConvertFrom-Json
        $dnsItem = $podList.items | Where-Object { $_.metadata.namespace -eq 'kube-system' }
        $dnsItem.status.podIP | Should -Be '10.42.0.2'
        $dnsItem.spec.nodeName | Should -Be 'k3s-server'
        $services = Get-Content -Raw -LiteralPath (Join-Path $Lab.Path 'services.json') | ConvertFrom-Json
        $services.kind | Should -Be 'ServiceList'
        $kubernetes = $services.items | Where-Object { $_.metadata.name -eq 'kubernetes' }
        $kubernetes.metadata.namespace | Should -Be 'default'
        $kubernetes.spec.clusterIP | Should -Be '10.43.0.1'
        $kubernetes.spec.ports.port | Should -Be 443
        $dns = $services.items | Where-Object { $_.metadata.name -eq 'kube-dns' }
        $dns.metadata.namespace | Should -Be 'kube-system'
        $dns.spec.clusterIP | Should -Be '10.43.0.10'
        ($dns.spec.ports | ForEach-Object { "$($_.protocol) $($_.port)" }) | Should -Be @('UDP 53', 'TCP 53')
    }
}

Describe 'Removing a lab with pods' {
    It 'leaves no namespace, no /etc/netns entry and no process of the lab' {
        Skip-WithoutLab
        $small = New-K3sNetLab -NodeCount 2 -PodsPerNode 2
        $pids = @($small.Nodes.InitPid) + @($small.Pods.Pid) + $small.OutsideInitPid
        $netns = @($small.Pods.NetNamespace)
        $pids | ForEach-Object { Get-Process -Id $_ -ErrorAction Ignore | Should -Not -BeNullOrEmpty }
        Remove-K3sNetLab -Lab $small
        Remove-K3sNetLab -Lab $small
        Get-Namespaces | Where-Object { $_ -like "$($small.Prefix)-*" } | Should -BeNullOrEmpty
        $netns | ForEach-Object { "/etc/netns/$_" | Should -Not -Exist }
        $pids | ForEach-Object { Get-Process -Id $_ -ErrorAction Ignore | Should -BeNullOrEmpty }
        # Nothing of it runs under another PID either: no dnsmasq or sleep in one of its namespaces (they are gone, and
        # no process names its folder).
        @(Get-Process dnsmasq, sleep -ErrorAction Ignore | Where-Object { (Get-Content -Raw "/proc/$($_.Id)/cmdline" -ErrorAction Ignore) -like "*$($small.Prefix)*" }) | Should -BeNullOrEmpty
    }

    It 'ends its inits and pods within seconds when its owner is killed, and Remove-StaleK3sNetLab removes the rest (never while the owner lives)' {
        Skip-WithoutLab
        $script = "Import-Module '$(Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1')'; `$lab = New-K3sNetLab -NodeCount 2; " +
            "'{0} {1}' -f `$lab.Prefix, ((@(`$lab.Nodes.InitPid) + @(`$lab.Pods.Pid) + `$lab.OutsideInitPid) -join ','); Start-Sleep -Seconds 600"
        $pwsh = Get-PwshCommandLine
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $owner = [Diagnostics.Process]::Start($start)
        $prefix = $null
        try {
            $prefix, $list = $owner.StandardOutput.ReadLine() -split ' '
            $pids = @($list -split ',' | ForEach-Object { [int]$_ })
            $pids.Count | Should -Be 6 -Because 'two inits, CoreDNS, a pod per node and the outside init'
            $pids | ForEach-Object { Get-Process -Id $_ -ErrorAction Ignore | Should -Not -BeNullOrEmpty }
            # While its owner lives, the lab is another terminal's lab in use: the sweep leaves it alone.
            @(Remove-StaleK3sNetLab -Prefix $prefix) | Should -BeNullOrEmpty
            Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -Not -BeNullOrEmpty
            $owner.Kill()
            $owner.WaitForExit()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (($pids | Where-Object { Get-Process -Id $_ -ErrorAction Ignore }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            $pids | ForEach-Object { Get-Process -Id $_ -ErrorAction Ignore | Should -BeNullOrEmpty -Because "process $_ belonged to the killed lab" }
        }
        finally {
            if (-not $owner.HasExited) { $owner.Kill() }
            if ($prefix) { $null = Remove-StaleK3sNetLab -Prefix $prefix }
        }
        Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -BeNullOrEmpty
        @(Get-ChildItem -LiteralPath /etc/netns -Filter "$prefix-*" -ErrorAction Ignore) | Should -BeNullOrEmpty
    }

    It 'Start-K3sNetLab.ps1 prints how to run a command in a pod' {
        Skip-WithoutLab
        $output = Invoke-PwshProcess -File (Join-Path $PSScriptRoot '../Lab/Start-K3sNetLab.ps1') -ArgumentList @('-NodeCount', '2', '-NoCloud', '-Seconds', '1') 6>&1 2>&1 |
            ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $prefix = Split-Path -Leaf ($output | Where-Object { $_ -match '^/' } | Select-Object -Last 1)
        $output -join "`n" | Should -Match "ip netns exec $prefix-node-[ab]-p[0-9a-f]{7} busybox nslookup ssm\.us-east-1\.amazonaws\.com"
        $output -join "`n" | Should -Match 'coredns-ccb96694c-x7k2p'
        Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -BeNullOrEmpty
    }
}
