# The pod path through the node's own firewall and kernel (issue 14), on a real 3-node lab (tests/Lab): each host fault
# of Set-K3sNetLabFault is built the way the tool builds it (iptables-nft rules for Docker, ufw and Oracle Cloud's image,
# sysctls, a second NIC, cni0 down) on node-c. First the kernel's own evidence that the fault breaks what it breaks and
# that Clear-K3sNetLabFault puts the node back exactly; then Test-K3sVxlan, run on node-c the way a user runs it there,
# names the rule (or sysctl, or device) and the node's own remedy, and never sends the user to the security group.
# One lab serves every scenario; AfterEach clears the faults.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force

    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabHostFirewallSupport
    $Lab = $null
    $KubeApi = @{ Emulator = $null }

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab -Because 'the host-firewall faults need the network-namespace lab and iptables-nft'
    }

    function Remove-LabBed {
        # The emulator first: a process still inside a namespace would keep it alive after its name is gone.
        if ($KubeApi.Emulator) { Stop-KubeApiEmulator -Emulator $KubeApi.Emulator }
        $KubeApi.Emulator = $null
        if ($Lab) { Remove-K3sNetLab -Lab $Lab }
    }

    function Get-LabNodeByName([string] $Name) { $Lab.Nodes | Where-Object Name -EQ $Name }

    function Invoke-InLabNode {
        <# $Script in a fresh pwsh inside node $From's namespace, with K3sNet and $Nodes (saved from Get-K3sNode); its last object through JSON. #>
        param([Parameter(Mandatory)] [string] $From, [Parameter(Mandatory)] [string] $Script)

        $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$env:KUBECONFIG = '$Kubeconfig'
`$Nodes = Get-Content -Raw -LiteralPath '$NodesJson' | ConvertFrom-Json
`$result = & { $Script }
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 5 -Compress -EnumsAsStrings)
"@
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
        $output = & ip netns exec (Get-LabNodeByName $From).Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) { throw "Test-K3sVxlan on $From failed (exit code $LASTEXITCODE):`n$($output -join "`n")" }
        return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
    }

    function Test-Paths([string] $From) {
        # One result per peer, keyed by destination.
        $byPeer = @{}
        foreach ($result in Invoke-InLabNode -From $From -Script '@($Nodes | Test-K3sVxlan)') { $byPeer[$result.Destination] = $result }
        return $byPeer
    }

    function Test-Echo([string] $From, [string] $To) {
        # One ICMP echo from a node's namespace, 1 s to answer.
        & ip netns exec (Get-LabNodeByName $From).Namespace ping -c 1 -W 1 $To *> $null
        $LASTEXITCODE -eq 0
    }

    function Test-PodDns {
        # node-c's pod asks the CoreDNS pod on node-a (its pod IP, so no Service DNAT): UDP 53 from cni0 to flannel.1
        # on node-c and back, the lookup that fails first in the field.
        $null = Invoke-K3sNetLabPodCommand -Lab $Lab -Pod lab-node-c-1 -FilePath busybox -ArgumentList @(
            'nslookup', '-timeout=1', 'kubernetes.default.svc.cluster.local', $CoreDnsIp) 2>&1
        $LASTEXITCODE -eq 0
    }

    function Test-PodPing {
        # node-c's pod pings node-a's pod.
        $null = Invoke-K3sNetLabPodCommand -Lab $Lab -Pod lab-node-c-1 -FilePath ping -ArgumentList @('-c', '1', '-W', '1', $PodAIp) 2>&1
        $LASTEXITCODE -eq 0
    }

    function Get-NodeSnapshot([string] $Name) {
        # What Clear must put back: the ruleset without its counters, the sysctls, the links and routes.
        $namespace = (Get-LabNodeByName $Name).Namespace
        [pscustomobject]@{
            Ruleset = (& ip netns exec $namespace nft list ruleset) -replace 'counter packets \d+ bytes \d+', 'counter' -join "`n"
            Sysctls = (& ip netns exec $namespace sysctl -n net.ipv4.ip_forward net.ipv4.conf.all.rp_filter net.ipv4.conf.default.rp_filter net.ipv4.conf.eth0.rp_filter net.ipv4.conf.all.arp_ignore) -join ' '
            Links   = (& ip -n $namespace -j link show | ConvertFrom-Json | ForEach-Object { "$($_.ifname) $(if ($_.flags -contains 'UP') { 'up' } else { 'down' })" }) -join ', '
            Routes  = (& ip -n $namespace -4 route show) -join "`n"
        }
    }

    function Get-RuleCounter([string] $Node, [string] $Chain, [string] $Pattern) {
        # The packets counted by the first rule of node's `table ip filter` chain whose text matches $Pattern.
        $lines = & ip netns exec (Get-LabNodeByName $Node).Namespace nft list chain ip filter $Chain
        $line = $lines | Where-Object { $_ -match $Pattern } | Select-Object -First 1
        if ($line -match 'counter packets (\d+)') { [int]$Matches[1] } else { throw "No counted rule matching '$Pattern' in $Node's chain ${Chain}:`n$($lines -join "`n")" }
    }

    function Get-ProbeLeftover {
        # What a pod-path probe may leave: a k3snet-probe-* namespace (names are the host's, whichever node made them)
        # and a k3snp* veth in node-c. Empty after every run.
        $namespaces = @(& ip netns list | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_ -like 'k3snet-probe-*' })
        $veths = @(& ip -n (Get-LabNodeByName node-c).Namespace -j link show type veth | ConvertFrom-Json | Where-Object ifname -Like 'k3snp*' | ForEach-Object ifname)
        @($namespaces) + @($veths)
    }

    if (-not $NoLab) {
        # Pester runs no AfterAll when this block fails, so a failure here removes what it built before it rethrows.
        try {
            $Lab = New-K3sNetLab -NodeCount 3
            $Kubeconfig = Join-Path $Lab.Path 'kubeconfig.yaml'
            $NodesJson = Join-Path $Lab.Path 'k3s-nodes.json'
            $server = $Lab.Nodes | Where-Object IsServer
            $KubeApi.Emulator = Start-KubeApiEmulator -NodesPath $Lab.NodesPath -PodsPath $Lab.PodsPath -Context 'k3s-lab' `
                -NetworkNamespace $server.Namespace -ListenAddress $server.UnderlayAddress -Port 6443 -KubeconfigPath $Kubeconfig
            $command = "Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1'); `$env:KUBECONFIG = '$Kubeconfig'; Get-K3sNode | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath '$NodesJson' -Encoding utf8"
            $pwsh = Get-PwshCommandLine
            $output = & ip netns exec $server.Namespace @pwsh -NoProfile -NonInteractive -Command $command 2>&1
            if ($LASTEXITCODE -ne 0) { throw "Saving the lab's nodes failed: $($output -join "`n")" }
            $Built = Get-NodeSnapshot node-c
            $CoreDnsIp = ($Lab.Pods | Where-Object { $_.Namespace -eq 'kube-system' }).PodIp
            $PodAIp = ($Lab.Pods | Where-Object Name -EQ 'lab-node-a-1').PodIp
        }
        catch {
            Remove-LabBed
            throw
        }
    }
}

AfterAll {
    Remove-LabBed
}

Describe 'Host-firewall faults in the lab: the kernel''s own evidence' {
    AfterEach {
        if ($Lab) { Clear-K3sNetLabFault -Lab $Lab }
    }

    It 'as built, node-c''s pod reaches node-a''s pods (ping, and DNS to the CoreDNS pod): the faults below start from a working path' {
        Skip-WithoutLab
        Test-PodPing | Should -BeTrue
        Test-PodDns | Should -BeTrue
    }

    It '<Fault>: node-c''s pod loses node-a''s pods (<Lost>) while node-c''s own VXLAN echo still works both ways' -ForEach @(
        @{ Fault = 'ForwardPolicyDrop'; Lost = 'ping and DNS'; PingPasses = $false }
        # ufw-before-forward accepts ICMP echo requests: the ping passes, the DNS query is dropped.
        @{ Fault = 'UfwRoutedDeny'; Lost = 'DNS; ufw lets the ping through'; PingPasses = $true }
        @{ Fault = 'IpForwardOff'; Lost = 'ping and DNS'; PingPasses = $false }
        @{ Fault = 'Cni0Down'; Lost = 'ping and DNS'; PingPasses = $false }
    ) {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault $Fault -Node node-c
        Test-PodDns | Should -BeFalse -Because "$Fault stops UDP between node-c's pods and node-a's"
        Test-PodPing | Should -Be $PingPasses
        # What Test-K3sVxlan sent before the issue: the node's own echo through flannel.1, which never crosses FORWARD.
        Test-Echo node-c 10.42.0.0 | Should -BeTrue -Because 'node-c itself still reaches node-a through VXLAN'
        Test-Echo node-a 10.42.2.0 | Should -BeTrue -Because 'node-a still reaches node-c through VXLAN'
    }

    It '<Fault> -KeepFlannelForward: with flannel''s FLANNEL-FWD accepts still jumped to, <Tool>''s FORWARD policy drop drops none of the pods'' traffic' -ForEach @(
        @{ Fault = 'ForwardPolicyDrop'; Tool = 'Docker' }
        @{ Fault = 'UfwRoutedDeny'; Tool = 'ufw' }
    ) {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault $Fault -Node node-c -KeepFlannelForward
        (& ip netns exec (Get-LabNodeByName node-c).Namespace nft list chain ip filter FORWARD) -join "`n" | Should -Match 'policy drop'
        Test-PodDns | Should -BeTrue
        Test-PodPing | Should -BeTrue
    }

    It 'OciRejectVxlan: node-c rejects the peers'' VXLAN with "host prohibited" at its REJECT, above the UDP 8472 accept appended below it' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault OciRejectVxlan -Node node-c
        $rejected = Get-RuleCounter node-c INPUT 'reject with icmp type host-prohibited'
        # node-a counts the ICMP errors it gets back for its VXLAN datagrams (before anything in it looks at them).
        $nodeA = (Get-LabNodeByName node-a).Namespace
        @(
            'add table inet k3slabprobe'
            'add chain inet k3slabprobe icmp_in { type filter hook prerouting priority raw; }'
            'add rule inet k3slabprobe icmp_in ip saddr 10.0.1.12 icmp type destination-unreachable icmp code host-prohibited counter'
        ) -join "`n" | & ip netns exec $nodeA nft -f -
        try {
            Test-Echo node-a 10.42.2.0 | Should -BeFalse -Because 'node-c rejects the VXLAN that carries the echo'
            Test-Echo node-a 10.0.1.12 | Should -BeTrue -Because 'the image accepts ICMP: node-c''s underlay answers'
            Get-RuleCounter node-c INPUT 'reject with icmp type host-prohibited' | Should -BeGreaterThan $rejected
            Get-RuleCounter node-c INPUT 'udp dport 8472' | Should -Be 0 -Because 'the accept appended after the REJECT is never reached'
            $errors = (& ip netns exec $nodeA nft -j list chain inet k3slabprobe icmp_in | ConvertFrom-Json).nftables |
                Where-Object { $_.PSObject.Properties['rule'] } | ForEach-Object { ($_.rule.expr | Where-Object { $_.PSObject.Properties['counter'] }).counter.packets }
            $errors | Should -BeGreaterThan 0 -Because 'a REJECT answers: node-a is told "host prohibited", it does not just time out'
        }
        finally {
            & ip netns exec $nodeA nft delete table inet k3slabprobe 2>$null
        }
    }

    It 'RpFilterStrict: node-c drops node-a''s VXLAN, whose route back leaves by eth1, and only because rp_filter is strict' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault RpFilterStrict -Node node-c -Peer node-a
        $namespace = (Get-LabNodeByName node-c).Namespace
        (& ip -n $namespace -j route get 10.0.1.10 | ConvertFrom-Json).dev | Should -Be 'eth1'
        (& ip -n $namespace -j -d link show flannel.1 | ConvertFrom-Json).linkinfo.info_data.link | Should -Be 'eth0'
        Test-Echo node-a 10.42.2.0 | Should -BeFalse -Because 'node-a''s VXLAN arrives on eth0 while the route back to node-a leaves by eth1'
        Test-Echo node-b 10.42.2.0 | Should -BeTrue -Because 'node-b''s route back leaves by eth0, where its VXLAN arrives'
        # The same routes with loose reverse-path filtering: the path works, so it was rp_filter that dropped.
        & ip netns exec $namespace sysctl -q -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.eth0.rp_filter=2
        Test-Echo node-a 10.42.2.0 | Should -BeTrue -Because 'loose rp_filter accepts a source reachable by any device'
    }

    It 'Clear puts node-c back exactly after <Fault>: ruleset, sysctls, links and routes as built' -ForEach @(
        @{ Fault = 'ForwardPolicyDrop' }, @{ Fault = 'UfwRoutedDeny' }, @{ Fault = 'IpForwardOff' },
        @{ Fault = 'OciRejectVxlan' }, @{ Fault = 'RpFilterStrict' }, @{ Fault = 'Cni0Down' }
    ) {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault $Fault -Node node-c
        $faulty = Get-NodeSnapshot node-c
        $faulty | ConvertTo-Json | Should -Not -Be ($Built | ConvertTo-Json) -Because "$Fault changes node-c"
        Clear-K3sNetLabFault -Lab $Lab
        $cleared = Get-NodeSnapshot node-c
        $cleared.Ruleset | Should -Be $Built.Ruleset
        $cleared.Sysctls | Should -Be $Built.Sysctls
        $cleared.Links | Should -Be $Built.Links
        $cleared.Routes | Should -Be $Built.Routes
        Test-Echo node-a 10.42.2.0 | Should -BeTrue
        Test-Echo node-c 10.42.0.0 | Should -BeTrue
        Test-PodDns | Should -BeTrue
    }
}

Describe 'Test-K3sVxlan on a node whose own firewall or kernel breaks the path' {
    AfterEach {
        if ($Lab) { Clear-K3sNetLabFault -Lab $Lab }
    }

    It 'as built, every path from node-c is Healthy: none of these checks finds fault with k3s''s own rules' {
        Skip-WithoutLab
        $paths = Test-Paths node-c
        foreach ($peer in 'node-a', 'node-b') {
            $paths[$peer].Verdict | Should -Be 'Healthy' -Because $paths[$peer].Reason
            $paths[$peer].PodPathReached | Should -BeTrue -Because 'the probe pod on node-c''s cni0 reaches the peer''s VTEP through FORWARD both ways'
        }
        Get-ProbeLeftover | Should -BeNullOrEmpty -Because 'the probe namespace and its veth are removed when the run ends'
    }

    It 'a probe namespace and veth left by a killed run are removed by the next run, and a live run''s are not' {
        Skip-WithoutLab
        $namespace = (Get-LabNodeByName node-c).Namespace
        # A process id that is not running stands for the killed run; this test's own stands for a live one.
        $dead = 4000000
        while (Test-Path "/proc/$dead") { $dead++ }
        $live = $PID
        try {
            & ip netns add "k3snet-probe-$dead-abcd"
            & ip -n $namespace link add "k3snp${dead}xab" type veth peer name "k3snp${dead}yab"
            & ip netns add "k3snet-probe-$live-abcd"
            $null = Test-Paths node-c
            Get-ProbeLeftover | Should -Be @("k3snet-probe-$live-abcd") -Because 'only what a run whose process is gone left is removed'
        }
        finally {
            & ip netns del "k3snet-probe-$dead-abcd" 2>$null
            & ip netns del "k3snet-probe-$live-abcd" 2>$null
            & ip -n $namespace link del "k3snp${dead}xab" 2>$null
        }
    }

    It 'stopped (Ctrl+C) while the probe pod''s echo waits out its timeout, the run leaves no probe namespace and no veth' {
        Skip-WithoutLab
        # FORWARD drops the probe pod's echo, so it waits the whole 20 s while the stop comes.
        Set-K3sNetLabFault -Lab $Lab -Fault ForwardPolicyDrop -Node node-c
        $stopped = Invoke-InLabNode -From node-c -Script @'
$shell = [powershell]::Create()
$null = $shell.AddScript("Import-Module '$(Join-Path (Get-Module K3sNet).ModuleBase K3sNet.psd1)'; `$args[0] | Test-K3sVxlan -TimeoutSeconds 20").AddArgument($Nodes)
$running = $shell.BeginInvoke()
for ($poll = 0; $poll -lt 500 -and -not (Get-ChildItem /run/netns -Filter 'k3snet-probe-*') -and -not $running.IsCompleted; $poll++) { Start-Sleep -Milliseconds 20 }
$seen = @(Get-ChildItem /run/netns -Filter 'k3snet-probe-*').Count
Start-Sleep -Milliseconds 500
$stopping = $shell.BeginStop($null, $null)
$inTime = $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(15))
[pscustomobject]@{ Seen = $seen; InTime = $inTime; State = "$($shell.InvocationStateInfo.State)"; Left = @(Get-ChildItem /run/netns -Filter 'k3snet-probe-*').Count }
'@
        $stopped.Seen | Should -Be 1 -Because 'the run had its probe namespace when it was stopped'
        $stopped.InTime | Should -BeTrue
        $stopped.State | Should -Be 'Stopped'
        $stopped.Left | Should -Be 0 -Because 'the stopped cmdlet removes its namespace before it returns'
        Get-ProbeLeftover | Should -BeNullOrEmpty
    }

    It '<Fault> on node-c: <Verdict> to every peer, naming <Names>, with the node''s own fix, never the security group' -ForEach @(
        @{
            Fault   = 'ForwardPolicyDrop'; PodReached = $false; Verdict = 'HostFirewall'; Names = 'Docker''s FORWARD policy drop'
            Reason  = '^node-a answers through VXLAN, but pods on node-c cannot use the path: node-c''s own firewall drops pod traffic between cni0 and flannel\.1 both ways \(10\.42\.2\.2 to and from node-a''s pod 10\.42\.0\.2\): table ip filter, chain FORWARD, policy drop \(Docker\)\.'
            Remedy  = '^iptables -I DOCKER-USER -i cni0 -o flannel\.1 -j ACCEPT && iptables -I DOCKER-USER -i flannel\.1 -o cni0 -j ACCEPT'
        }
        @{
            Fault   = 'UfwRoutedDeny'; PodReached = $true; Verdict = 'HostFirewall'; Names = 'ufw''s deny routed'
            Reason  = '^node-a answers through VXLAN, but pods on node-c cannot use the path: node-c''s own firewall drops pod traffic between cni0 and flannel\.1 both ways \(10\.42\.2\.2 to and from node-a''s pod 10\.42\.0\.2\): table ip filter, chain FORWARD, policy drop \(ufw\)\.'
            Remedy  = '^ufw route allow in on cni0 out on flannel\.1 && ufw route allow in on flannel\.1 out on cni0'
        }
        @{
            Fault   = 'IpForwardOff'; PodReached = $false; Verdict = 'Misconfigured'; Names = 'net.ipv4.ip_forward'
            Reason  = '^node-a answers through VXLAN, but pods on node-c cannot use the path: net\.ipv4\.ip_forward is 0 on node-c'
            Remedy  = '^Run ''sysctl -w net\.ipv4\.ip_forward=1'' on node-c'
        }
        @{
            Fault   = 'Cni0Down'; PodReached = $false; Verdict = 'Misconfigured'; Names = 'cni0'
            Reason  = '^node-a answers through VXLAN, but pods on node-c cannot use the path: cni0 on node-c is down'
            Remedy  = '^Run ''ip link set cni0 up'' on node-c'
        }
    ) {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault $Fault -Node node-c
        $paths = Test-Paths node-c
        foreach ($peer in 'node-a', 'node-b') {
            $path = $paths[$peer]
            $path.Verdict | Should -Be $Verdict -Because "node-c -> ${peer}: $($path.Reason)"
            $path.Overlay | Should -Be 'Answered' -Because 'node-c''s own echo through VXLAN still crosses: only the pods'' path is broken'
            $path.Reason -replace 'node-b', 'node-a' -replace '10\.42\.1\.2', '10.42.0.2' | Should -Match $Reason
            $path.Remedy | Should -Match $Remedy
            "$($path.Reason) $($path.Remedy)" | Should -Not -Match 'security group' -Because 'node-c itself drops the traffic'
            # The probe pod's echo: lost where FORWARD drops it; ufw's before-forward accepts ICMP echo requests.
            $path.PodPathReached | Should -Be $PodReached -Because "the probe pod's echo from node-c's cni0 to $peer's VTEP"
            if (-not $PodReached) { $path.Reason | Should -Match 'An echo from a probe pod on cni0 \(10\.42\.2\.254\) to node-[ab]''s VTEP 10\.42\.[01]\.0 was lost too\.' }
        }
        Get-ProbeLeftover | Should -BeNullOrEmpty -Because "the run with $Fault removed its probe namespace too"
    }

    It 'UfwRoutedDeny: -Verbose says where the probe namespace was, that ufw''s rule stands though the ICMP echo passed, and that the namespace went' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault UfwRoutedDeny -Node node-c
        $verbose = @(Invoke-InLabNode -From node-c -Script '@($Nodes | Test-K3sVxlan -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)')
        @($verbose -match '^Pod-path probe: network namespace k3snet-probe-\d+-[0-9a-f]{4} on cni0 \(veth k3snp\d+x[0-9a-f]{2}\), eth0 10\.42\.2\.254/24 \(MTU \d+\), default route via 10\.42\.2\.1; it is removed when the test ends\.$') | Should -HaveCount 1
        foreach ($peer in 'node-a', 'node-b') {
            @($verbose -match "^${peer}: the probe pod's ICMP echo passed, yet the firewall judge finds that .*policy drop \(ufw\).* It stands: the judge rules on UDP \(DNS\), and that rule lets ICMP echoes through\.$") | Should -HaveCount 1
        }
        @($verbose -match '^Removed the probe namespace k3snet-probe-\d+-[0-9a-f]{4} and its veth k3snp\d+x[0-9a-f]{2}\.$') | Should -HaveCount 1
        Get-ProbeLeftover | Should -BeNullOrEmpty
    }

    It 'a drop no host check reads (a policy route that blackholes what comes in on cni0): the probe pod''s lost echo alone makes it HostFirewall' {
        Skip-WithoutLab
        $namespace = (Get-LabNodeByName node-c).Namespace
        # Forwarded pod traffic only: the node's own echo comes from lo, so it still crosses, and no ruleset or sysctl shows it.
        & ip -n $namespace rule add iif cni0 to 10.42.0.0/16 priority 100 blackhole
        try {
            $paths = Test-Paths node-c
        }
        finally {
            & ip -n $namespace rule del priority 100
        }
        foreach ($peer in 'node-a', 'node-b') {
            $path = $paths[$peer]
            $path.Verdict | Should -Be 'HostFirewall' -Because "node-c -> ${peer}: $($path.Reason)"
            $path.Overlay | Should -Be 'Answered'
            $path.PodPathReached | Should -BeFalse
            $path.Reason | Should -Match "^$peer answers through VXLAN, but pods on node-c cannot use the path: an echo from a probe pod on cni0 \(10\.42\.2\.254\) to $peer's VTEP 10\.42\.[01]\.0 was lost, though node-c's own echo crosses: node-c drops its pods' traffic between cni0 and flannel\.1, by no rule or setting the host checks identified\."
            $path.Remedy | Should -Match "'ip rule'"
            "$($path.Reason) $($path.Remedy)" | Should -Not -Match 'security group'
        }
        Get-ProbeLeftover | Should -BeNullOrEmpty
    }

    It 'OciRejectVxlan on node-c: HostFirewall to every peer, naming the image''s REJECT by handle and the insert above it' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault OciRejectVxlan -Node node-c
        # The REJECT's handle and position in INPUT, as `nft -a` lists node-c's chain (in the JSON, iptables-nft's REJECT
        # is an xt target with no text of its own).
        $rules = @(& ip netns exec (Get-LabNodeByName node-c).Namespace nft -a list chain ip filter INPUT | Where-Object { $_ -match '^\s+\S.* # handle \d+$' -and $_ -notmatch '^\s*chain ' })
        $position = 1 + [array]::FindIndex($rules, [Predicate[string]] { param($line) $line -match 'reject with icmp type host-prohibited' })
        $position | Should -BeGreaterThan 0
        $handle = [int]($rules[$position - 1] -replace '^.* # handle (\d+)$', '$1')
        $paths = Test-Paths node-c
        foreach ($peer in @{ Name = 'node-a'; Address = '10.0.1.10' }, @{ Name = 'node-b'; Address = '10.0.1.11' }) {
            $path = $paths[$peer.Name]
            $path.Verdict | Should -Be 'HostFirewall' -Because "node-c -> $($peer.Name): $($path.Reason)"
            $path.Overlay | Should -Be 'Silent'
            $path.Underlay | Should -Be 'Answered'
            $path.Reason | Should -Match "^node-c's own firewall rejects .*UDP 8472 from $($peer.Name) \($([regex]::Escape($peer.Address))\) on eth0: table ip filter, chain INPUT, rule handle $handle '[^']*reject[^']*' \(Oracle Cloud's image\)\."
            $path.Remedy | Should -BeLike "iptables -I INPUT $position -s $($peer.Address) -p udp --dport 8472 -j ACCEPT (before the REJECT).*"
            "$($path.Reason) $($path.Remedy)" | Should -Not -Match 'security group'
        }
    }

    It 'RpFilterStrict toward node-a on node-c: Misconfigured for node-a, naming rp_filter and the route by eth1; node-b stays Healthy' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault RpFilterStrict -Node node-c -Peer node-a
        $paths = Test-Paths node-c
        $path = $paths['node-a']
        $path.Verdict | Should -Be 'Misconfigured' -Because $path.Reason
        $path.Overlay | Should -Be 'Silent'
        $path.Reason | Should -Match '^rp_filter is strict \(1\) on eth0 on node-c, and the route back to 10\.0\.1\.10 leaves by eth1, not eth0: the kernel drops node-a''s VXLAN'
        $path.Remedy | Should -Match '^Run ''sysctl -w net\.ipv4\.conf\.eth0\.rp_filter=2'' and ''sysctl -w net\.ipv4\.conf\.all\.rp_filter=2'''
        "$($path.Reason) $($path.Remedy)" | Should -Not -Match 'security group'
        $paths['node-b'].Verdict | Should -Be 'Healthy' -Because $paths['node-b'].Reason
    }

    It 'after Clear-K3sNetLabFault every path from node-c is Healthy again, whichever fault it had' {
        Skip-WithoutLab
        foreach ($fault in 'ForwardPolicyDrop', 'UfwRoutedDeny', 'IpForwardOff', 'OciRejectVxlan', 'RpFilterStrict', 'Cni0Down') {
            Set-K3sNetLabFault -Lab $Lab -Fault $fault -Node node-c
        }
        Clear-K3sNetLabFault -Lab $Lab
        $paths = Test-Paths node-c
        foreach ($peer in 'node-a', 'node-b') { $paths[$peer].Verdict | Should -Be 'Healthy' -Because $paths[$peer].Reason }
    }

    It 'seen from node-a, a node whose own firewall drops only pods'' traffic still answers through VXLAN: node-a cannot see node-c''s rules' {
        Skip-WithoutLab
        # What node-a can know: its echo through VXLAN crosses. Only node-c's own run names the FORWARD drop.
        Set-K3sNetLabFault -Lab $Lab -Fault ForwardPolicyDrop -Node node-c
        (Test-Paths node-a)['node-c'].Verdict | Should -Be 'Healthy'
    }
}
