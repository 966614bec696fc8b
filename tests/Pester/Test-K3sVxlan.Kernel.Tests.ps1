# Test-K3sVxlan in kernel mode on a real 3-node lab (tests/Lab): node namespaces with flannel.1 on kernel VXLAN. One
# lab serves every scenario; each scenario applies its fault and AfterEach clears it. The cmdlet runs in a fresh pwsh
# inside a node's namespace, importing the built module, the way a user runs it on a k3s node. The cluster's API is the
# Kubernetes API emulator serving the lab's own nodes.json and pods.json where a k3s server serves it: in the server
# node's namespace, on its underlay address, port 6443. Every node's pwsh gets a kubeconfig that points there, so
# Get-K3sNode reads the lab's nodes through the real KubernetesClient, and no traffic leaves the lab's namespaces.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    # The -AllNodes example needs the lab's cloud (pods on every node): Test-K3sVxlan.AllNodes.Tests.ps1 runs it.
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Test-K3sVxlan' | Where-Object { $_.Title -notmatch '-AllNodes' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force

    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabSupport
    $Lab = $null
    # The running emulator; a restart (after a fault that changes the lab's description) replaces it here.
    $KubeApi = @{ Emulator = $null }

    function Start-LabKubeApi {
        $server = $Lab.Nodes | Where-Object IsServer
        $KubeApi.Emulator = Start-KubeApiEmulator -NodesPath $Lab.NodesPath -PodsPath $Lab.PodsPath -Context 'k3s-lab' `
            -NetworkNamespace $server.Namespace -ListenAddress $server.UnderlayAddress -Port 6443 -KubeconfigPath $Kubeconfig
    }

    function Restart-LabKubeApi {
        # The emulator reads nodes.json and pods.json once, as an API server holds its objects: after the lab rewrites
        # its description, a new one serves the new objects at the same address, with the same kubeconfig.
        Stop-KubeApiEmulator -Emulator $KubeApi.Emulator
        $KubeApi.Emulator = $null
        Start-LabKubeApi
    }

    function Remove-LabBed {
        # The emulator first: a process still inside a namespace would keep it alive after its name is gone.
        if ($KubeApi.Emulator) { Stop-KubeApiEmulator -Emulator $KubeApi.Emulator }
        $KubeApi.Emulator = $null
        if ($Lab) { Remove-K3sNetLab -Lab $Lab }
    }

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab
    }

    function Invoke-InLabNode {
        <#
        Runs $Script in a fresh pwsh inside node $From's namespace, with K3sNet imported, KUBECONFIG pointing at the
        lab's API, and $Nodes holding the nodes saved from Get-K3sNode (deserialized objects, as Test-K3sVxlan must
        accept), once they are saved. Returns what the script writes last, through JSON.
        #>
        param([Parameter(Mandatory)] [string] $From, [Parameter(Mandatory)] [string] $Script, [string] $Namespace)

        $namespace = if ($Namespace) { $Namespace } else { ($Lab.Nodes | Where-Object Name -EQ $From).Namespace }
        $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
Set-Location -LiteralPath '$($Lab.Path)'
`$env:KUBECONFIG = '$Kubeconfig'
`$Nodes = if (Test-Path -LiteralPath '$NodesJson') { Get-Content -Raw -LiteralPath '$NodesJson' | ConvertFrom-Json }
`$result = & { $Script }
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 5 -Compress -EnumsAsStrings)
"@
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
        $output = & ip netns exec $namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) {
            throw "Test-K3sVxlan in $namespace failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
        }
        return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
    }

    function Test-Paths([string] $From, [string] $Arguments = '', [switch] $FromApi) {
        # One result per peer, keyed by destination; the nodes saved as JSON, or -FromApi straight from Get-K3sNode.
        $source = if ($FromApi) { 'Get-K3sNode' } else { '$Nodes' }
        $results = Invoke-InLabNode -From $From -Script "@($source | Test-K3sVxlan $Arguments)"
        $byPeer = @{}
        foreach ($result in $results) { $byPeer[$result.Destination] = $result }
        return $byPeer
    }

    # Used by the docs examples (Assert-DocsExample runs its code in the DocsPages module's scope, so this is global).
    function global:Invoke-K3sNetLabExample([string] $From, [string] $EncodedCode) {
        $code = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($EncodedCode))
        Invoke-InLabNode -From $From -Script "@(& { $code } | Out-String -Width 120 -Stream)"
    }

    if (-not $NoLab) {
        # Pester runs no AfterAll when this block fails, so a failure here removes what it built before it rethrows.
        try {
            $Lab = New-K3sNetLab -NodeCount 3
            $Kubeconfig = Join-Path $Lab.Path 'kubeconfig.yaml'
            $NodesJson = Join-Path $Lab.Path 'k3s-nodes.json'
            Start-LabKubeApi
            # The nodes saved the way docs example 3 says a user saves them, on a machine that reaches the API server.
            $null = Invoke-InLabNode -From node-a -Script "Get-K3sNode | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath '$NodesJson' -Encoding utf8"
        }
        catch {
            Remove-LabBed
            throw
        }
    }
}

AfterAll {
    Remove-LabBed
    Remove-Item -LiteralPath Function:\Invoke-K3sNetLabExample -ErrorAction Ignore
}

Describe 'Test-K3sVxlan kernel mode on a 3-node lab' {
    AfterEach {
        if ($Lab) { Clear-K3sNetLabFault -Lab $Lab }
    }

    It '(a) all healthy: every path from node-a is Healthy, with a round trip and the full flannel.1 MTU, for K3sNode objects' {
        Skip-WithoutLab
        # K3sNode objects straight from Get-K3sNode; most other scenarios pipe the nodes saved as JSON.
        $results = Invoke-InLabNode -From node-a -Script '@(Get-K3sNode | Test-K3sVxlan)'
        $results | Should -HaveCount 2
        ($results.Destination | Sort-Object) | Should -Be @('node-b', 'node-c')
        foreach ($result in $results) {
            $result.Source | Should -Be 'node-a'
            $result.Verdict | Should -Be 'Healthy' -Because $result.Reason
            $result.Underlay | Should -Be 'Answered'
            $result.Overlay | Should -Be 'Answered'
            $result.PathMtu | Should -Be 1450
            $result.RoundTripMs | Should -BeGreaterThan 0
            $result.SourceAddress | Should -Be '10.0.1.10'
            $result.Protocol | Should -Be 'Udp'
            $result.FromPort | Should -Be 8472
        }
        ($results | Where-Object Destination -EQ node-c).DestinationAddress | Should -Be '10.0.1.12'
        ($results | Where-Object Destination -EQ node-c).VtepAddress | Should -Be '10.42.2.0'
    }

    It 'shows one row per path: Source, Destination, Verdict, RTT ms, MTU, and the whole Reason' {
        Skip-WithoutLab
        $lines = @(Invoke-InLabNode -From node-a -Script '@($Nodes | Test-K3sVxlan | Sort-Object Destination | Out-String -Width 160 -Stream | Where-Object { $_.Trim() })')
        $lines[0] | Should -Match '^Source\s+Destination\s+Verdict\s+RTT ms\s+MTU Reason$'
        # The reason wraps between words to the host's width (Views.Tests.ps1): read the rows as words.
        $words = ($lines -join ' ') -replace '\s+', ' '
        $words | Should -Match 'node-a node-b Healthy \d+\.\d\d 1450 node-b answers through VXLAN in [\d.]+ ms; 1450-byte packets pass\. node-a node-c Healthy '
    }

    It '(b) UDP 8472 blocked into node-c: every path into node-c is VxlanBlocked, the rest Healthy' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-c
        foreach ($from in 'node-a', 'node-b') {
            $paths = Test-Paths $from
            $paths['node-c'].Verdict | Should -Be 'VxlanBlocked' -Because "$from -> node-c: $($paths['node-c'].Reason)"
            $paths['node-c'].Underlay | Should -Be 'Answered'
            $paths['node-c'].Overlay | Should -Be 'Silent'
            $paths['node-c'].Reason | Should -Be "UDP 8472 between $from and node-c is dropped: node-c answers on 10.0.1.12 but not through VXLAN. Allow inbound UDP 8472 from the cluster's nodes in node-c's security group and in $from's (the echo goes one way, its reply the other)."
            $other = if ($from -eq 'node-a') { 'node-b' } else { 'node-a' }
            $paths[$other].Verdict | Should -Be 'Healthy' -Because "$from -> ${other}: $($paths[$other].Reason)"
        }
    }

    It 'run on the blocked node itself: every peer is VxlanBlocked, and the reasons name node-c''s own security group' {
        Skip-WithoutLab
        # The peers answer node-c's echoes with new VXLAN datagrams to node-c's UDP 8472, which its group drops.
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-c
        $paths = Test-Paths node-c
        foreach ($peer in 'node-a', 'node-b') {
            $paths[$peer].Verdict | Should -Be 'VxlanBlocked' -Because "node-c -> ${peer}: $($paths[$peer].Reason)"
            # node-a also runs CoreDNS, so its path adds the DNS sentence.
            $paths[$peer].Reason | Should -BeLike "No peer answers through VXLAN while all answer on their underlay: node-c's own security group most likely drops inbound UDP 8472 (the replies). Allow inbound UDP 8472 from the cluster's nodes in node-c's security group; if it already does, the peers' groups drop it.*"
            $paths[$peer].Reason | Should -Not -Match 'node-[ab]''s security group'
            $paths[$peer].Remedy | Should -Match '^Allow inbound UDP 8472 to node-c from the cluster''s nodes'
        }
    }

    It 'says pods cannot resolve names when the blocked node runs CoreDNS (a kube-dns pod the API lists on it)' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-a
        $paths = Test-Paths node-c -FromApi
        $paths['node-a'].Verdict | Should -Be 'VxlanBlocked'
        $paths['node-a'].Reason | Should -Match 'CoreDNS runs on node-a, so pods on node-c cannot resolve names\.$'
        $paths['node-b'].Verdict | Should -Be 'Healthy'
    }

    It 'blocks only the pair whose source the security group leaves out' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-c -Peer node-a
        (Test-Paths node-a)['node-c'].Verdict | Should -Be 'VxlanBlocked'
        (Test-Paths node-b)['node-c'].Verdict | Should -Be 'Healthy'
    }

    It '(c) node-c''s underlay down: NodeUnreachable, and node-b still Healthy' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault UnderlayDown -Node node-c
        $paths = Test-Paths node-a '-TimeoutSeconds 0.5'
        $paths['node-c'].Verdict | Should -Be 'NodeUnreachable' -Because $paths['node-c'].Reason
        $paths['node-c'].Underlay | Should -Be 'Silent'
        $paths['node-c'].Reason | Should -Match '^node-c answers neither on 10\.0\.1\.12 .*TCP 10250'
        $paths['node-b'].Verdict | Should -Be 'Healthy'
    }

    It '(d) a 1400-byte link to node-c: MtuBlackhole with the measured path MTU of 1350' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault PathMtu -Node node-c -Mtu 1400
        $paths = Test-Paths node-a
        $paths['node-c'].Verdict | Should -Be 'MtuBlackhole' -Because $paths['node-c'].Reason
        # 1400 bytes of underlay carry 1350 of overlay: 50 bytes are VXLAN, UDP, outer IPv4 and inner Ethernet.
        $paths['node-c'].PathMtu | Should -Be 1350
        $paths['node-c'].Reason | Should -Match '^Packets up to 1350 bytes reach node-c through VXLAN, but 1450-byte packets are dropped'
        $paths['node-b'].Verdict | Should -Be 'Healthy'
        $paths['node-b'].PathMtu | Should -Be 1450
    }

    It 'one lost full-size packet on the way to node-c is not taken for an MTU black hole' {
        Skip-WithoutLab
        # The subnet's port to node-c drops the first packet over 1400 bytes it forwards (the quota is spent by it) and
        # carries every later one: a busy link's one loss, not a small MTU.
        $port = ($Lab.Nodes | Where-Object Name -EQ node-c).BridgePort
        @"
table bridge k3snetlab {
    chain forward { type filter hook forward priority filter; policy accept; }
}
add rule bridge k3snetlab forward oifname "$port" ip length > 1400 quota until 2000 bytes counter drop
"@ | & ip netns exec $Lab.BridgeNamespace nft -f -
        $paths = Test-Paths node-a
        $paths['node-c'].Verdict | Should -Be 'Healthy' -Because $paths['node-c'].Reason
        $paths['node-c'].PathMtu | Should -Be 1450
        $rules = (& ip netns exec $Lab.BridgeNamespace nft -j list chain bridge k3snetlab forward | ConvertFrom-Json).nftables |
            Where-Object { $_.PSObject.Properties['rule'] }
        ($rules.rule.expr | Where-Object { $_.PSObject.Properties['counter'] }).counter.packets | Should -Be 1 -Because 'exactly one full-size packet was lost'
    }

    It '(e) a stale fdb entry on node-a for node-c: Misconfigured, naming the entry' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault StaleFdb -Node node-a -Peer node-c -Address 10.0.1.250
        $nodeC = $Lab.Nodes | Where-Object Name -EQ node-c
        $paths = Test-Paths node-a
        $paths['node-c'].Verdict | Should -Be 'Misconfigured' -Because $paths['node-c'].Reason
        $paths['node-c'].Reason | Should -BeLike "*fdb entry '$($nodeC.VtepMac) dst 10.0.1.250' is stale: node-c's public-ip is 10.0.1.12*"
        $paths['node-c'].Remedy | Should -Match 'Restart k3s on node-a'
        $paths['node-b'].Verdict | Should -Be 'Healthy'
    }

    It 'a wrong VtepMAC in node-c''s description: Misconfigured, naming both MACs' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault WrongVtepMac -Node node-c
        try {
            Restart-LabKubeApi
            $described = (Get-K3sNetLabNode -Lab $Lab | Where-Object Name -EQ node-c).VtepMac
            $real = ($Lab.Nodes | Where-Object Name -EQ node-c).VtepMac
            $described | Should -Not -Be $real
            $paths = Test-Paths node-a -FromApi
            $paths['node-c'].Verdict | Should -Be 'Misconfigured'
            $paths['node-c'].Reason | Should -BeLike "*neighbour entry '10.42.2.0 lladdr $real' does not match node-c's VtepMAC $described*"
            $paths['node-b'].Verdict | Should -Be 'Healthy'

            # On node-c itself the device's own MAC disagrees with its annotation: every path from it is suspect.
            $fromC = Test-Paths node-c -FromApi
            $fromC['node-a'].Verdict | Should -Be 'Misconfigured'
            $fromC['node-a'].Reason | Should -BeLike "flannel.1 has MAC $real, but node-c's backend-data says VtepMAC $described*"
        }
        finally {
            Clear-K3sNetLabFault -Lab $Lab
            Restart-LabKubeApi
        }
    }

    It 'uses the unprivileged ICMP datagram socket where ping_group_range admits the user' {
        Skip-WithoutLab
        $namespace = ($Lab.Nodes | Where-Object Name -EQ node-b).Namespace
        & ip netns exec $namespace sysctl -q -w 'net.ipv4.ping_group_range=0 2147483647'
        try {
            $run = Invoke-InLabNode -From node-b -Script @'
$all = @($Nodes | Test-K3sVxlan -Verbose 4>&1)
@{ Verdicts = @($all | Where-Object { $_ -is [K3sNet.VxlanPathResult] } | ForEach-Object { "$($_.Destination) $($_.Verdict)" } | Sort-Object)
   Verbose = @($all | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message) }
'@
            $run.Verbose | Should -Contain 'ICMP echoes use the Datagram socket.'
            $run.Verdicts | Should -Be @('node-a Healthy', 'node-c Healthy')
        }
        finally {
            & ip netns exec $namespace sysctl -q -w 'net.ipv4.ping_group_range=1 0'
        }
    }

    It 'as root without ping_group_range, uses a raw socket' {
        Skip-WithoutLab
        $run = Invoke-InLabNode -From node-b -Script '@($Nodes | Test-K3sVxlan -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)'
        $run | Should -Contain 'ICMP echoes use the Raw socket.'
    }

    It 'finds the VTEP addresses from flannel''s entries when given only -ComputerName' {
        Skip-WithoutLab
        $results = Invoke-InLabNode -From node-a -Script '@(Test-K3sVxlan -ComputerName 10.0.1.11, 10.0.1.12)'
        ($results | Sort-Object Destination).VtepAddress | Should -Be @('10.42.1.0', '10.42.2.0')
        $results.Verdict | Should -Be @('Healthy', 'Healthy')
    }

    It 'stops with FlannelDeviceNotFound, pointing to -Probe, on a host without flannel.1' {
        Skip-WithoutLab
        # The lab's bridge namespace is a Linux host without flannel.
        $run = Invoke-InLabNode -From bridge -Namespace $Lab.BridgeNamespace -Script @'
try { Test-K3sVxlan -ComputerName 10.0.1.11 -ErrorAction Stop; 'no error' }
catch { @{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message; Action = $_.ErrorDetails.RecommendedAction } }
'@
        $run.Id | Should -Be 'FlannelDeviceNotFound,K3sNet.Commands.TestK3sVxlanCommand'
        $run.Category | Should -Be 'ObjectNotFound'
        $run.Message | Should -Match "no flannel VXLAN device 'flannel\.1'"
        $run.Action | Should -Match '-Probe'
    }

    It 'stops with IprouteNotFound when ip is not installed' {
        Skip-WithoutLab
        $run = Invoke-InLabNode -From node-a -Script @'
$env:PATH = '/nonexistent'
try { $Nodes | Test-K3sVxlan -ErrorAction Stop; 'no error' }
catch { @{ Id = $_.FullyQualifiedErrorId; Action = $_.ErrorDetails.RecommendedAction } }
'@
        $run.Id | Should -Be 'IprouteNotFound,K3sNet.Commands.TestK3sVxlanCommand'
        $run.Action | Should -Match 'iproute2'
    }

    It 'writes one error for a node with a malformed address and tests the others' {
        Skip-WithoutLab
        $run = Invoke-InLabNode -From node-a -Script @'
$bad = $Nodes[2].PSObject.Copy(); $bad.Name = 'node-x'; $bad.FlannelPublicIP = 'not-an-ip'
$results = @(@($Nodes) + $bad | Test-K3sVxlan -ErrorVariable failures -ErrorAction SilentlyContinue)
@{ Tested = @($results.Destination | Sort-Object); Errors = @($failures | ForEach-Object FullyQualifiedErrorId) }
'@
        $run.Tested | Should -Be @('node-b', 'node-c')
        $run.Errors | Should -Be @('InvalidNodeAddress,K3sNet.Commands.TestK3sVxlanCommand')
    }
}

Describe 'Test-K3sVxlan with nodes that are not all on VXLAN' {
    It 'reports a node on another flannel backend as NotTested, saying why, and tests the rest' {
        Skip-WithoutLab
        $results = Invoke-InLabNode -From node-a -Script @'
$Nodes[1].FlannelBackend = 'HostGw'
@($Nodes | Test-K3sVxlan)
'@
        $hostGw = $results | Where-Object Destination -EQ node-b
        $hostGw.Verdict | Should -Be 'NotTested'
        $hostGw.Reason | Should -Be "node-b runs flannel's HostGw backend, which carries no VXLAN: there is no UDP 8472 path to test."
        ($results | Where-Object Destination -EQ node-c).Verdict | Should -Be 'Healthy'
    }
}

Describe 'Test-K3sVxlan docs examples, run in the lab' {
    BeforeAll {
        if ($Lab) {
            # The story of example 2 and 5: node-a, the server that runs CoreDNS, has no UDP 8472 in its security group.
            Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-a
        }
    }

    AfterAll {
        if ($Lab) { Clear-K3sNetLabFault -Lab $Lab }
    }

    It 'runs "<Title>" from node-b as documented' -ForEach @($DocsExamples) {
        Skip-WithoutLab
        if ($Title -match 'own firewall') {
            # Example 7: Docker's FORWARD policy drop on the node it runs on (the lab's host fault, branch lab-firewall).
            Clear-K3sNetLabFault -Lab $Lab
            Set-K3sNetLabFault -Lab $Lab -Fault ForwardPolicyDrop -Node node-b
        }
        elseif ($Title -notmatch 'CoreDNS|broken paths') {
            Clear-K3sNetLabFault -Lab $Lab
        }
        else {
            Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-a
        }
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Code))
        Assert-DocsExample -Code "Invoke-K3sNetLabExample -From node-b -EncodedCode '$encoded'" -Output $Output
    }
}
