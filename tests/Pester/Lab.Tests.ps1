# The network-namespace lab itself (tests/Lab): wired as flannel wires a k3s cluster, described as k3s describes its
# nodes, and removed completely without touching anything it did not create.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    $NoLab = Test-K3sNetLabSupport
    $Lab = if (-not $NoLab) { New-K3sNetLab -NodeCount 3 -NoVxlanInto node-c }

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab
    }

    function Get-Namespaces { @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] }) }

    function Invoke-Json([string] $Namespace, [string] $Tool, [string[]] $Arguments) {
        & $Tool -n $Namespace -j @Arguments | ConvertFrom-Json
    }
}

AfterAll {
    if ($Lab) { Remove-K3sNetLab -Lab $Lab }
}

Describe 'The lab''s nodes' {
    It 'gives each node its own namespace under the lab''s prefix, and the subnet''s bridge a namespace of its own' {
        Skip-WithoutLab
        $namespaces = Get-Namespaces
        foreach ($node in $Lab.Nodes) {
            $node.Namespace | Should -BeLike "$($Lab.Prefix)-*"
            $namespaces | Should -Contain $node.Namespace
        }
        $namespaces | Should -Contain $Lab.BridgeNamespace
        (Invoke-Json $Lab.BridgeNamespace ip @('link', 'show', 'type', 'bridge')).ifname | Should -Be 'br0'
        # The root namespace has no leg in the lab: every node's eth0 peers with a port in the bridge namespace.
        foreach ($node in $Lab.Nodes) {
            (Invoke-Json $Lab.BridgeNamespace ip @('link', 'show', $node.BridgePort)).master | Should -Be 'br0'
        }
    }

    It 'creates flannel.1 as flannel does: VNI 1, port 8472, local underlay address, nolearning, MTU 1450, the /32 VTEP address' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $link = Invoke-Json $node.Namespace ip @('-d', 'link', 'show', 'flannel.1')
            $vxlan = $link.linkinfo.info_data
            $link.linkinfo.info_kind | Should -Be 'vxlan'
            $vxlan.id | Should -Be 1
            $vxlan.port | Should -Be 8472
            $vxlan.local | Should -Be $node.UnderlayAddress
            $vxlan.learning | Should -BeFalse
            $vxlan.link | Should -Be 'eth0'
            $link.mtu | Should -Be 1450
            $link.address | Should -Be $node.VtepMac
            $address = (Invoke-Json $node.Namespace ip @('-4', 'addr', 'show', 'flannel.1')).addr_info
            "$($address.local)/$($address.prefixlen)" | Should -Be "$($node.VtepAddress)/32"
            (Invoke-Json $node.Namespace ip @('-4', 'addr', 'show', 'eth0')).addr_info.local | Should -Be $node.UnderlayAddress
        }
    }

    It 'programs, on each node for each peer, exactly the neighbour, fdb and route entries flannel programs' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes) {
            $peers = @($Lab.Nodes | Where-Object Name -NE $node.Name)
            $neighbours = @(Invoke-Json $node.Namespace ip @('-4', 'neigh', 'show', 'dev', 'flannel.1'))
            $fdb = @(Invoke-Json $node.Namespace bridge @('fdb', 'show', 'dev', 'flannel.1'))
            $routes = @(Invoke-Json $node.Namespace ip @('-4', 'route', 'show', 'dev', 'flannel.1'))
            ($neighbours | ForEach-Object { "$($_.dst) $($_.lladdr) $($_.state)" } | Sort-Object) |
                Should -Be ($peers | ForEach-Object { "$($_.VtepAddress) $($_.VtepMac) PERMANENT" } | Sort-Object)
            ($fdb | ForEach-Object { "$($_.mac) $($_.dst) $($_.flags) $($_.state)" } | Sort-Object) |
                Should -Be ($peers | ForEach-Object { "$($_.VtepMac) $($_.UnderlayAddress) self permanent" } | Sort-Object)
            ($routes | ForEach-Object { "$($_.dst) $($_.gateway) $($_.flags)" } | Sort-Object) |
                Should -Be ($peers | ForEach-Object { "$($_.PodCidr) $($_.VtepAddress) onlink" } | Sort-Object)
        }
    }

    It 'answers TCP 10250 on every node, as a kubelet does' {
        Skip-WithoutLab
        $from = $Lab.Nodes[0].Namespace
        foreach ($node in $Lab.Nodes) {
            & ip netns exec $from bash -c "exec 3<>/dev/tcp/$($node.UnderlayAddress)/10250" 2>$null
            $LASTEXITCODE | Should -Be 0 -Because "$($node.Name)'s kubelet port must accept connections"
        }
    }

    It 'plays each security group in the subnet''s nftables: node-c admits no UDP 8472, so the overlay to it is silent while its underlay answers' {
        Skip-WithoutLab
        $from = $Lab.Nodes[0].Namespace
        & ip netns exec $from ping -c 1 -W 1 10.0.1.12 | Out-Null
        $LASTEXITCODE | Should -Be 0 -Because 'node-c answers on its underlay address'
        & ip netns exec $from ping -c 1 -W 1 10.42.1.0 | Out-Null
        $LASTEXITCODE | Should -Be 0 -Because 'node-b admits UDP 8472'
        & ip netns exec $from ping -c 1 -W 1 10.42.2.0 | Out-Null
        $LASTEXITCODE | Should -Not -Be 0 -Because 'node-c''s security group has no UDP 8472'
        $Lab.SecurityGroups.'node-c'.VxlanFrom | Should -HaveCount 0
        $Lab.SecurityGroups.'node-b'.VxlanFrom | Should -Be @('node-a', 'node-b', 'node-c')
        $Lab.SecurityGroups.'node-a'.TcpPorts | Should -Be @(6443, 10250)
        # The groups filter on the subnet, outside the nodes: a node's own ruleset holds none of them, so a check of the
        # node's firewall sees only what the node itself holds.
        Get-K3sNetLabVxlanSource -Lab $Lab -Node node-c | Should -BeNullOrEmpty
        Get-K3sNetLabVxlanSource -Lab $Lab -Node node-b | Should -Be @('10.0.1.10', '10.0.1.11', '10.0.1.12')
        & ip netns exec $Lab.BridgeNamespace sysctl -n net.bridge.bridge-nf-call-iptables | Should -Be '1'
        foreach ($node in $Lab.Nodes) {
            $tables = @((& ip netns exec $node.Namespace nft -j list tables | ConvertFrom-Json).nftables | Where-Object { $_.PSObject.Properties['table'] } | ForEach-Object { $_.table.name })
            $tables | Should -Not -Contain 'k3snetlab' -Because "$($node.Name)'s own ruleset must not hold its security group"
        }
    }
}

Describe 'The lab''s description' {
    BeforeAll {
        if ($Lab) {
            $NodeList = Get-Content -Raw -LiteralPath $Lab.NodesPath | ConvertFrom-Json -AsHashtable
            $PodList = Get-Content -Raw -LiteralPath $Lab.PodsPath | ConvertFrom-Json -AsHashtable
        }
    }

    It 'writes nodes.json as a Kubernetes NodeList of k3s Node objects with the lab''s real addresses and VtepMACs' {
        Skip-WithoutLab
        $NodeList.kind | Should -Be 'NodeList'
        $NodeList.apiVersion | Should -Be 'v1'
        $NodeList.metadata.resourceVersion | Should -Be '1'
        $NodeList.items | Should -HaveCount 3
        foreach ($item in $NodeList.items) {
            $node = $Lab.Nodes | Where-Object Name -EQ $item.metadata.name
            $item.kind | Should -Be 'Node'
            $annotations = $item.metadata.annotations
            $annotations['flannel.alpha.coreos.com/backend-type'] | Should -Be 'vxlan'
            $annotations['flannel.alpha.coreos.com/kube-subnet-manager'] | Should -Be 'true'
            $annotations['flannel.alpha.coreos.com/public-ip'] | Should -Be $node.UnderlayAddress
            $annotations['k3s.io/internal-ip'] | Should -Be $node.UnderlayAddress
            $annotations['k3s.io/hostname'] | Should -Be $node.Name
            $backend = $annotations['flannel.alpha.coreos.com/backend-data'] | ConvertFrom-Json
            $backend.VNI | Should -Be 1
            $backend.VtepMAC | Should -Be (Invoke-Json $node.Namespace ip @('link', 'show', 'flannel.1')).address
            $item.spec.podCIDR | Should -Be $node.PodCidr
            $item.spec.podCIDRs | Should -Be @($node.PodCidr)
            $item.spec.providerID | Should -Be "k3s://$($node.Name)"
            ($item.status.addresses | Where-Object { $_.type -eq 'InternalIP' }).address | Should -Be $node.UnderlayAddress
            ($item.status.conditions | Where-Object { $_.type -eq 'Ready' }).status | Should -Be 'True'
            $item.status.daemonEndpoints.kubeletEndpoint.Port | Should -Be 10250
            $item.status.nodeInfo.kubeletVersion | Should -Match '\+k3s'
        }
    }

    It 'labels node-a the server (control-plane, master) and the others agents' {
        Skip-WithoutLab
        $server = $NodeList.items | Where-Object { $_.metadata.name -eq 'node-a' }
        $server.metadata.labels['node-role.kubernetes.io/control-plane'] | Should -Be 'true'
        $server.metadata.labels['node-role.kubernetes.io/master'] | Should -Be 'true'
        $server.metadata.annotations['k3s.io/node-args'] | Should -Be '["server"]'
        foreach ($agent in $NodeList.items | Where-Object { $_.metadata.name -ne 'node-a' }) {
            $agent.metadata.labels.Keys | Where-Object { $_ -like 'node-role.kubernetes.io/*' } | Should -BeNullOrEmpty
            $agent.metadata.annotations['k3s.io/node-args'] | Should -Be '["agent"]'
        }
    }

    It 'writes pods.json as a PodList with the CoreDNS pod on the server' {
        Skip-WithoutLab
        $PodList.kind | Should -Be 'PodList'
        $coreDns = @($PodList.items | Where-Object { $_.metadata.labels['k8s-app'] -eq 'kube-dns' })
        $coreDns | Should -HaveCount 1
        $coreDns[0].metadata.namespace | Should -Be 'kube-system'
        $coreDns[0].spec.nodeName | Should -Be 'node-a'
        (Get-K3sNetLabNode -Lab $Lab | Where-Object HostsClusterDns).Name | Should -Be 'node-a'
    }

    It 'describes a wrong VtepMAC without changing the device, and puts it back' {
        Skip-WithoutLab
        $real = ($Lab.Nodes | Where-Object Name -EQ node-b).VtepMac
        Set-K3sNetLabFault -Lab $Lab -Fault WrongVtepMac -Node node-b
        try {
            (Get-K3sNetLabNode -Lab $Lab | Where-Object Name -EQ node-b).VtepMac | Should -Not -Be $real
            (Invoke-Json ($Lab.Nodes | Where-Object Name -EQ node-b).Namespace ip @('link', 'show', 'flannel.1')).address | Should -Be $real
        }
        finally {
            Clear-K3sNetLabFault -Lab $Lab
        }
        (Get-K3sNetLabNode -Lab $Lab | Where-Object Name -EQ node-b).VtepMac | Should -Be $real
    }

    It 'PathMtu: the link to node-b carries 1400-byte packets and no larger, ICMP and UDP alike, both ways, until cleared' {
        Skip-WithoutLab
        $nodeA = $Lab.Nodes | Where-Object Name -EQ node-a
        $nodeB = $Lab.Nodes | Where-Object Name -EQ node-b
        function Test-Echo($From, $To, [int] $PacketSize) {
            # ping's -s is the ICMP payload: 28 bytes of IPv4 and ICMP header make the packet.
            & ip netns exec $From.Namespace ping -c 1 -W 1 -M do -s ($PacketSize - 28) $To.UnderlayAddress *> $null
            $LASTEXITCODE -eq 0
        }
        function Get-UdpPacketsArriving($Node) {
            # The packets of each size counted arriving at the node, before anything in it looks at them (UDP 8472, which
            # node-b's security group admits from node-a; flannel.1's socket discards a datagram that is not VXLAN).
            $listing = & ip netns exec $Node.Namespace nft -j list chain inet k3slabprobe udp_probe | ConvertFrom-Json
            foreach ($item in $listing.nftables | Where-Object { $_.PSObject.Properties['rule'] }) {
                ($item.rule.expr | Where-Object { $_.PSObject.Properties['counter'] }).counter.packets
            }
        }
        Set-K3sNetLabFault -Lab $Lab -Fault PathMtu -Node node-b -Mtu 1400
        try {
            Test-Echo $nodeA $nodeB 1400 | Should -BeTrue -Because 'a 1400-byte packet fits the link'
            Test-Echo $nodeA $nodeB 1401 | Should -BeFalse -Because 'a 1401-byte packet does not'
            Test-Echo $nodeB $nodeA 1400 | Should -BeTrue -Because 'the limit holds the other way too'
            Test-Echo $nodeB $nodeA 1401 | Should -BeFalse -Because 'the limit holds the other way too'
            # Plain UDP, as K3sNet's probes are, gets the same limit (a lower port MTU once let it 4 bytes less).
            @(
                'add table inet k3slabprobe'
                'add chain inet k3slabprobe udp_probe { type filter hook prerouting priority raw; }'
                'add rule inet k3slabprobe udp_probe udp dport 8472 ip length 1400 counter'
                'add rule inet k3slabprobe udp_probe udp dport 8472 ip length 1401 counter'
            ) -join "`n" | & ip netns exec $nodeB.Namespace nft -f -
            foreach ($size in 1400, 1401) {
                # One write, one datagram: its payload plus 28 bytes of IPv4 and UDP header make the packet.
                & ip netns exec $nodeA.Namespace bash -c "head -c $($size - 28) /dev/zero > /dev/udp/$($nodeB.UnderlayAddress)/8472"
            }
            Start-Sleep -Milliseconds 200
            Get-UdpPacketsArriving $nodeB | Should -Be @(1, 0)
        }
        finally {
            & ip netns exec $nodeB.Namespace nft delete table inet k3slabprobe 2>$null
            Clear-K3sNetLabFault -Lab $Lab
        }
        Test-Echo $nodeA $nodeB 1500 | Should -BeTrue -Because 'cleared, the link carries 1500 bytes again'
    }

    It 'clears faults back to the security groups it was built with' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-b
        $Lab.SecurityGroups.'node-b'.VxlanFrom | Should -HaveCount 0
        Clear-K3sNetLabFault -Lab $Lab
        $Lab.SecurityGroups.'node-b'.VxlanFrom | Should -Be @('node-a', 'node-b', 'node-c')
        $Lab.SecurityGroups.'node-c'.VxlanFrom | Should -HaveCount 0
        & ip netns exec $Lab.Nodes[0].Namespace ping -c 1 -W 1 10.42.1.0 | Out-Null
        $LASTEXITCODE | Should -Be 0
    }
}

Describe 'Removing a lab' {
    It 'removes its namespaces and files, leaves a namespace it did not create, and can run twice' {
        Skip-WithoutLab
        $small = New-K3sNetLab -NodeCount 2
        $decoy = "$($small.Prefix)-decoy"
        & ip netns add $decoy
        # A test's own file in the folder the lab made goes with it.
        Set-Content -LiteralPath (Join-Path $small.Path 'k3s-nodes.json') -Value '[]'
        try {
            Remove-K3sNetLab -Lab $small
            Remove-K3sNetLab -Lab $small
            $namespaces = Get-Namespaces
            $namespaces | Where-Object { $_ -like "$($small.Prefix)-*" } | Should -Be @($decoy)
            $small.Path | Should -Not -Exist
        }
        finally {
            & ip netns delete $decoy
        }
    }

    It 'never builds under a prefix some namespace already uses, so it cannot take that namespace as its own' {
        Skip-WithoutLab
        # The first prefix drawn is one another run's namespace already has; the lab must draw again.
        $taken = 'k3l' + [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(3)).ToLowerInvariant()
        $decoy = "$taken-node-a"
        & ip netns add $decoy
        $draws = [Collections.Generic.List[string]]::new()
        Mock -ModuleName K3sNetLab New-LabPrefix {
            $next = if ($draws.Count -eq 0) { $taken } else { 'k3l' + [Convert]::ToHexString([Security.Cryptography.RandomNumberGenerator]::GetBytes(3)).ToLowerInvariant() }
            $draws.Add($next)
            $next
        }
        $small = $null
        try {
            $small = New-K3sNetLab -NodeCount 2
            $small.Prefix | Should -Not -Be $taken
            $draws | Should -HaveCount 2
            Remove-K3sNetLab -Lab $small
            Get-Namespaces | Should -Contain $decoy
        }
        finally {
            if ($small) { Remove-K3sNetLab -Lab $small }
            & ip netns delete $decoy
        }
    }

    It 'in a folder it was given, removes only the files it wrote' {
        Skip-WithoutLab
        $folder = Join-Path ([IO.Path]::GetTempPath()) "k3snet-lab-test-$PID"
        $null = New-Item -ItemType Directory -Force -Path $folder
        Set-Content -LiteralPath (Join-Path $folder 'mine.txt') -Value 'not the lab''s'
        try {
            $small = New-K3sNetLab -NodeCount 2 -Path $folder
            Join-Path $folder 'nodes.json' | Should -Exist
            Remove-K3sNetLab -Lab $small
            @(Get-ChildItem -LiteralPath $folder).Name | Should -Be @('mine.txt')
        }
        finally {
            Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore
        }
    }

    It 'removes a lab from its folder alone, as a script that lost the object would' {
        Skip-WithoutLab
        $small = New-K3sNetLab -NodeCount 2
        Remove-K3sNetLab -Path $small.Path
        Get-Namespaces | Where-Object { $_ -like "$($small.Prefix)-*" } | Should -BeNullOrEmpty
    }

    It 'sweeps a lab whose process is gone, and leaves one whose process runs' {
        Skip-WithoutLab
        $orphan = New-K3sNetLab -NodeCount 2
        try {
            # Pretend a killed run built it: its owner is a process that has exited.
            $exited = Start-Process -FilePath true -PassThru
            $exited.WaitForExit()
            $state = Get-Content -Raw -LiteralPath (Join-Path $orphan.Path 'lab.json') | ConvertFrom-Json
            $state.OwnerPid = $exited.Id
            $state | ConvertTo-Json -Depth 8 | Set-Content -LiteralPath (Join-Path $orphan.Path 'lab.json')

            # Limited to this file's labs: a shared machine may hold other runs' labs.
            $swept = @(Remove-StaleK3sNetLab -Prefix $orphan.Prefix, $Lab.Prefix)
            $swept | Should -Be @($orphan.Prefix)
            Get-Namespaces | Where-Object { $_ -like "$($orphan.Prefix)-*" } | Should -BeNullOrEmpty
            Get-Namespaces | Should -Contain $Lab.Nodes[0].Namespace
        }
        finally {
            Remove-K3sNetLab -Lab $orphan
        }
    }

    It 'runs on its own: the script builds a lab, prints its description folder, and removes it' {
        Skip-WithoutLab
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        $output = Invoke-PwshProcess -File (Join-Path $PSScriptRoot '../Lab/Start-K3sNetLab.ps1') -ArgumentList @('-NodeCount', '2', '-Seconds', '1') 6>&1 2>&1 |
            ForEach-Object { "$_" }
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $path = $output | Where-Object { $_ -match '^/' } | Select-Object -Last 1
        $path | Should -Not -BeNullOrEmpty -Because ($output -join "`n")
        $prefix = Split-Path -Leaf $path
        $output -join "`n" | Should -Match "Lab $prefix removed"
        Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -BeNullOrEmpty
        $path | Should -Not -Exist
    }
}

Describe 'The lab''s cloud: EC2 security groups translated into the lab''s rules' {
    BeforeAll {
        # Plain data, no lab: the translation is a pure function of the EC2 state and the nodes.
        $Nodes = @(
            [pscustomobject]@{ Name = 'node-a'; UnderlayAddress = '10.0.1.10' }
            [pscustomobject]@{ Name = 'node-b'; UnderlayAddress = '10.0.1.11' }
            [pscustomobject]@{ Name = 'node-c'; UnderlayAddress = '10.0.1.12' }
        )
        function New-State([object[]] $IngressOfC, [string[]] $GroupsOfB = @('sg-b')) {
            [pscustomobject]@{
                instances      = @(
                    [pscustomobject]@{ instanceId = 'i-a'; privateIpAddress = '10.0.1.10'; groupIds = @('sg-a') }
                    [pscustomobject]@{ instanceId = 'i-b'; privateIpAddress = '10.0.1.11'; groupIds = $GroupsOfB }
                    [pscustomobject]@{ instanceId = 'i-c'; privateIpAddress = '10.0.1.12'; groupIds = @('sg-c') }
                )
                securityGroups = @(
                    [pscustomobject]@{ groupId = 'sg-a'; ingress = @() }
                    [pscustomobject]@{ groupId = 'sg-b'; ingress = @() }
                    [pscustomobject]@{ groupId = 'sg-c'; ingress = $IngressOfC }
                    [pscustomobject]@{ groupId = 'sg-shared'; ingress = @() }
                )
            }
        }
        function Get-GroupOfC($State) { ConvertFrom-K3sNetLabEc2State -State $State -Nodes $Nodes | Where-Object Name -EQ 'node-c' }
    }

    It 'admits UDP 8472 from the nodes whose instance is in the referenced group, and from no one else' {
        $c = Get-GroupOfC (New-State @([pscustomobject]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; referencedGroupId = 'sg-shared' }) -GroupsOfB 'sg-b', 'sg-shared')
        $c.VxlanFrom | Should -Be @('node-b')
        $c.GroupIds | Should -Be @('sg-c')
    }

    It 'admits UDP 8472 from the nodes whose address a CIDR rule contains' {
        (Get-GroupOfC (New-State @([pscustomobject]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv4 = '10.0.1.10/32' }))).VxlanFrom | Should -Be @('node-a')
        (Get-GroupOfC (New-State @([pscustomobject]@{ ipProtocol = '17'; fromPort = 8000; toPort = 9000; cidrIpv4 = '10.0.0.0/16' }))).VxlanFrom | Should -Be @('node-a', 'node-b')
        (Get-GroupOfC (New-State @([pscustomobject]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv4 = '10.0.2.0/24' }))).VxlanFrom | Should -BeNullOrEmpty
    }

    It 'admits nothing on UDP 8472 for another UDP port, TCP 8472, an IPv6 source or a prefix list' {
        $c = Get-GroupOfC (New-State @(
                [pscustomobject]@{ ipProtocol = 'udp'; fromPort = 51820; toPort = 51821; referencedGroupId = 'sg-a' }
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 8472; toPort = 8472; referencedGroupId = 'sg-a' }
                [pscustomobject]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv6 = '::/0' }
                [pscustomobject]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; prefixListId = 'pl-0123' }
            ))
        $c.VxlanFrom | Should -BeNullOrEmpty
        $c.TcpPorts | Should -Be @('8472')
    }

    It 'renders TCP ports and ranges as nftables spells them, and "all traffic" as every port and UDP 8472' {
        $c = Get-GroupOfC (New-State @(
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 10250; toPort = 10250; referencedGroupId = 'sg-a' }
                [pscustomobject]@{ ipProtocol = '6'; fromPort = 2379; toPort = 2380; referencedGroupId = 'sg-a' }
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 10250; toPort = 10250; referencedGroupId = 'sg-b' }
            ))
        $c.TcpPorts | Should -Be @('10250', '2379-2380')
        $all = Get-GroupOfC (New-State @([pscustomobject]@{ ipProtocol = '-1'; referencedGroupId = 'sg-b' }))
        $all.TcpPorts | Should -Be @('1-65535')
        $all.VxlanFrom | Should -Be @('node-b')
    }

    It 'admits a TCP port only for a rule whose source is another node: not an outside CIDR, IPv6, a prefix list or the node''s own address' {
        # The lab's nftables take a TCP port from anyone, so a rule that admits no lab node must not open it to them all.
        $c = Get-GroupOfC (New-State @(
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 22; toPort = 22; cidrIpv4 = '192.0.2.0/24' }
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 443; toPort = 443; cidrIpv6 = '::/0' }
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 6443; toPort = 6443; prefixListId = 'pl-0123' }
                [pscustomobject]@{ ipProtocol = '-1'; cidrIpv4 = '10.0.1.12/32' }
                [pscustomobject]@{ ipProtocol = 'tcp'; fromPort = 10250; toPort = 10250; cidrIpv4 = '10.0.1.0/24' }
            ))
        $c.TcpPorts | Should -Be @('10250')
        $c.VxlanFrom | Should -BeNullOrEmpty
    }

    It 'gives a node without an instance no rules at all' {
        $state = New-State @([pscustomobject]@{ ipProtocol = '-1'; cidrIpv4 = '10.0.0.0/8' })
        $state.instances = @($state.instances | Where-Object instanceId -NE 'i-c')
        $c = Get-GroupOfC $state
        $c.TcpPorts | Should -BeNullOrEmpty
        $c.VxlanFrom | Should -BeNullOrEmpty
    }

    It 'describes a lab in EC2: one instance per node at its underlay address, one group each, as the lab''s groups admit' {
        $lab = [pscustomobject]@{
            Nodes          = @(
                [pscustomobject]@{ Name = 'node-a'; Index = 0; UnderlayAddress = '10.0.1.10' }
                [pscustomobject]@{ Name = 'node-b'; Index = 1; UnderlayAddress = '10.0.1.11' }
            )
            SecurityGroups = [pscustomobject]@{
                'node-a' = [pscustomobject]@{ TcpPorts = @(6443, 10250); VxlanFrom = @('node-a', 'node-b') }
                'node-b' = [pscustomobject]@{ TcpPorts = @(10250); VxlanFrom = @() }
            }
        }
        $state = New-K3sNetLabEc2State -Lab $lab | ConvertTo-Json -Depth 10 | ConvertFrom-Json
        $state.instances.privateIpAddress | Should -Be @('10.0.1.10', '10.0.1.11')
        $state.vpcs.cidrBlock | Should -Be '10.0.0.0/16'
        @($state.securityGroups) | Should -HaveCount 2
        $state.networkAcls[0].entries | Where-Object { $_.ruleNumber -eq 100 } | ForEach-Object ruleAction | Should -Be @('allow', 'allow')
        # The translation back gives the lab's own groups: the round trip the lab's nftables rely on.
        $groups = ConvertFrom-K3sNetLabEc2State -State $state -Nodes $lab.Nodes
        $groups[0].TcpPorts | Should -Be @('6443', '10250')
        $groups[0].VxlanFrom | Should -Be @('node-b')
        $groups[1].TcpPorts | Should -Be @('10250')
        $groups[1].VxlanFrom | Should -BeNullOrEmpty
    }
}

Describe 'The lab''s cloud: emulators in the server''s namespace' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
        $CloudLab = $null
        $Cloud = $null
        if (-not $NoLab) {
            try {
                $CloudLab = New-K3sNetLab -NodeCount 2 -NoVxlanInto node-b
                $Cloud = Start-K3sNetLabCloud -Lab $CloudLab
            }
            catch {
                if ($CloudLab) { Remove-K3sNetLab -Lab $CloudLab }
                throw
            }
        }

        function Invoke-OnServer([string] $Script) {
            # The built module in a fresh pwsh on the lab's server, where both emulators answer.
            $command = "`$ErrorActionPreference = 'Stop'; Import-Module '$(Get-BuiltModulePath)/K3sNet.psd1'; " +
                "`$aws = '$($Cloud.AwsParameters | ConvertTo-Json -Compress)' | ConvertFrom-Json -AsHashtable; $Script"
            $pwsh = Get-PwshCommandLine
            $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
            $output = & ip netns exec $Cloud.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        }

        function Get-VxlanSources([string] $Node) {
            Get-K3sNetLabVxlanSource -Lab $CloudLab -Node $Node
        }

        function Test-Overlay {
            # A ping from node-a to node-b's VTEP: real VXLAN through node-b's rendered security group.
            & ip netns exec $CloudLab.Nodes[0].Namespace ping -c 1 -W 1 $CloudLab.Nodes[1].VtepAddress | Out-Null
            $LASTEXITCODE -eq 0
        }
    }

    AfterAll {
        if ($CloudLab) { Remove-K3sNetLab -Lab $CloudLab }
    }

    It 'starts with the nftables EC2 describes: node-b admits UDP 8472 from nobody' {
        Skip-WithoutLab
        Get-VxlanSources node-b | Should -BeNullOrEmpty
        Get-VxlanSources node-a | Should -Be @('10.0.1.11')
        Test-Overlay | Should -BeFalse
        $Cloud.Ec2Url | Should -BeLike 'http://127.0.0.1:*' -Because 'the EC2 endpoint is the server node''s own loopback'
        $Cloud.KubeApiUrl | Should -Be 'https://10.0.1.10:6443'
    }

    It 'renders a Grant into node-b''s nftables before Grant returns, and a Revoke takes it away again' {
        Skip-WithoutLab
        $from = "-Protocol Udp -FromPort 8472 -SourceGroupId $($Cloud.Groups.'node-a') -GroupId $($Cloud.Groups.'node-b') @aws"
        Invoke-OnServer "Grant-K3sNodeTraffic $from"
        Get-VxlanSources node-b | Should -Be @('10.0.1.10')
        Test-Overlay | Should -BeTrue -Because 'the granted rule admits VXLAN from node-a'

        Invoke-OnServer "Revoke-K3sNodeTraffic $from -Confirm:`$false"
        Get-VxlanSources node-b | Should -BeNullOrEmpty
        Test-Overlay | Should -BeFalse -Because 'the revoked rule admits nothing any more'
    }

    It 'answers a change even when its hook fails, and leaves the nodes'' rules as they were' {
        Skip-WithoutLab
        $state = Join-Path $CloudLab.Path 'lab.json'
        $saved = Get-Content -Raw -LiteralPath $state
        try {
            Set-Content -LiteralPath $state -Value '{ not json' -Encoding utf8
            Invoke-OnServer "Grant-K3sNodeTraffic -Protocol Udp -FromPort 8472 -SourceGroupId $($Cloud.Groups.'node-a') -GroupId $($Cloud.Groups.'node-b') @aws"
            Get-VxlanSources node-b | Should -BeNullOrEmpty -Because 'a hook that cannot read the lab changes nothing'
            Get-VxlanSources node-a | Should -Be @('10.0.1.11')
        }
        finally {
            Set-Content -LiteralPath $state -Value $saved -Encoding utf8 -NoNewline
            Invoke-OnServer "Revoke-K3sNodeTraffic -Protocol Udp -FromPort 8472 -SourceGroupId $($Cloud.Groups.'node-a') -GroupId $($Cloud.Groups.'node-b') @aws -Confirm:`$false"
        }
        Get-VxlanSources node-b | Should -BeNullOrEmpty
    }

    It 'stops both emulators and removes its files when the lab is removed' {
        Skip-WithoutLab
        $lab = New-K3sNetLab -NodeCount 2
        $cloud = Start-K3sNetLabCloud -Lab $lab
        $ids = $cloud.KubeApi.Process.Id, $cloud.Ec2.Process.Id
        Remove-K3sNetLab -Lab $lab
        $ids | ForEach-Object { Get-Process -Id $_ -ErrorAction Ignore } | Should -BeNullOrEmpty
        $cloud.Ec2.Folder | Should -Not -Exist
        $lab.Path | Should -Not -Exist
        Get-Namespaces | Where-Object { $_ -like "$($lab.Prefix)-*" } | Should -BeNullOrEmpty
    }

    It 'leaves no emulator behind when its owner is killed' {
        Skip-WithoutLab
        $script = "Import-Module '$(Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1')'; `$lab = New-K3sNetLab -NodeCount 2; `$cloud = Start-K3sNetLabCloud -Lab `$lab; " +
            "'{0} {1} {2}' -f `$lab.Prefix, `$cloud.KubeApi.Process.Id, `$cloud.Ec2.Process.Id; Start-Sleep -Seconds 600"
        $pwsh = Get-PwshCommandLine
        $start = [Diagnostics.ProcessStartInfo]::new($pwsh[0])
        foreach ($argument in @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-Command', $script)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $owner = [Diagnostics.Process]::Start($start)
        $prefix = $null
        $emulators = @()
        try {
            $prefix, $kubeApiPid, $ec2Pid = $owner.StandardOutput.ReadLine() -split ' '
            $emulators = @([int]$kubeApiPid, [int]$ec2Pid | ForEach-Object { Get-Process -Id $_ })
            $owner.Kill()
            $owner.WaitForExit()
            # --parent-pid: each emulator sees its owner exit and stops on its own.
            foreach ($emulator in $emulators) { $emulator.WaitForExit(30000) | Should -BeTrue }
        }
        finally {
            if (-not $owner.HasExited) { $owner.Kill() }
            # When the test fails, it still leaves nothing running: the emulators hold the namespace open.
            foreach ($emulator in $emulators) { if (-not $emulator.HasExited) { $emulator.Kill() } }
            if ($prefix) { $null = Remove-StaleK3sNetLab -Prefix $prefix }
        }
        Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -BeNullOrEmpty
    }
}
