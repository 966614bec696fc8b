# Test-K3sVxlan -Probe on a real 3-node lab (tests/Lab), against Start-K3sVxlanResponder running in the node
# namespaces. flannel.1 already owns UDP 8472 in every lab node, exactly as on a k3s node, so the responders listen on
# 18472, and the lab is built with -ProbePort 18472: its security groups admit 18472 exactly as they admit 8472, and
# every fault breaks both alike. Probes cross the same veth, bridge and nftables as flannel's traffic.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force

    $ProbePort = 18472
    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabSupport
    $Lab = $null
    $Responders = @{}
    $Pwsh = Get-PwshCommandLine

    function ConvertTo-EncodedCommand([string] $Script) {
        [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    }

    function Remove-LabBed {
        foreach ($process in $Responders.Values) {
            if (-not $process.HasExited) {
                $process.Kill($true)
                $process.WaitForExit()
            }
        }
        if ($Lab) { Remove-K3sNetLab -Lab $Lab }
    }

    # Pester runs no AfterAll when this block fails, so a failure here removes what it built before it rethrows.
    if (-not $NoLab) {
        try {
            $Lab = New-K3sNetLab -NodeCount 3 -ProbePort $ProbePort
            $NodesJson = Join-Path $Lab.Path 'k3s-nodes.json'
            # The nodes as Get-K3sNode reads them from the lab's description through the real KubernetesClient (the
            # emulator on loopback, for this one read), saved as JSON the way a user carries them to hosts to probe.
            $kubeApi = Start-KubeApiEmulator -NodesPath $Lab.NodesPath -PodsPath $Lab.PodsPath
            try {
                $null = Invoke-FreshPwsh -Environment @{ KUBECONFIG = $kubeApi.Kubeconfig } -Parameters @{ Module = (Join-Path $ModulePath 'K3sNet.psd1'); Path = $NodesJson } -ScriptBlock {
                    param($Module, $Path)
                    Import-Module $Module
                    Get-K3sNode | ConvertTo-Json -Depth 4 | Set-Content -LiteralPath $Path -Encoding utf8
                }
            }
            finally {
                Stop-KubeApiEmulator -Emulator $kubeApi
            }
            foreach ($node in $Lab.Nodes) {
                # Each responder runs in its node's namespace until AfterAll stops it; -Duration bounds it if that fails.
                $script = "Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1'); Start-K3sVxlanResponder -Port $ProbePort -Duration 00:20:00 | ConvertTo-Json | Set-Content -LiteralPath '$(Join-Path $Lab.Path "$($node.Name)-responder.json")'"
                $arguments = @('netns', 'exec', $node.Namespace) + $Pwsh + @('-NoProfile', '-NonInteractive', '-EncodedCommand', (ConvertTo-EncodedCommand $script))
                $Responders[$node.Name] = Start-Process -FilePath ip -ArgumentList $arguments -PassThru -RedirectStandardError (Join-Path $Lab.Path "$($node.Name)-responder.err")
            }
            foreach ($node in $Lab.Nodes) {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (-not (& ip netns exec $node.Namespace ss -Hlun "sport = :$ProbePort")) {
                    if ($Responders[$node.Name].HasExited -or [DateTime]::UtcNow -gt $deadline) {
                        throw "The responder in $($node.Name) did not start: $(Get-Content -Raw -LiteralPath (Join-Path $Lab.Path "$($node.Name)-responder.err"))"
                    }
                    Start-Sleep -Milliseconds 100
                }
            }
        }
        catch {
            Remove-LabBed
            throw
        }
    }

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab
    }

    function Test-Probe([string] $From, [string] $Arguments = '') {
        <# Test-K3sVxlan -Probe from node $From in a fresh pwsh in its namespace; one result per peer, by destination. #>
        $namespace = ($Lab.Nodes | Where-Object Name -EQ $From).Namespace
        $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$Nodes = Get-Content -Raw -LiteralPath '$NodesJson' | ConvertFrom-Json
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject @(`$Nodes | Test-K3sVxlan -Probe -Port $ProbePort $Arguments) -Depth 4 -Compress -EnumsAsStrings)
"@
        $output = & ip netns exec $namespace @Pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand (ConvertTo-EncodedCommand $command) 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) {
            throw "Test-K3sVxlan -Probe in $namespace failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
        }
        $byPeer = @{}
        foreach ($result in ($marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json)) { $byPeer[$result.Destination] = $result }
        return $byPeer
    }
}

AfterAll {
    Remove-LabBed
}

Describe 'Test-K3sVxlan -Probe against Start-K3sVxlanResponder on a 3-node lab' {
    AfterEach {
        if ($Lab) { Clear-K3sNetLabFault -Lab $Lab }
    }

    It '(a) all healthy: every path from node-a is Healthy, with a round trip and the full 1450-byte size' {
        Skip-WithoutLab
        $paths = Test-Probe node-a
        $paths.Keys | Sort-Object | Should -Be @('node-b', 'node-c')
        foreach ($result in $paths.Values) {
            $result.Source | Should -Be 'node-a'
            $result.Verdict | Should -Be 'Healthy' -Because $result.Reason
            $result.Underlay | Should -Be 'Answered'
            $result.Overlay | Should -Be 'Answered'
            $result.PathMtu | Should -Be 1450
            $result.RoundTripMs | Should -BeGreaterThan 0
            $result.SourceAddress | Should -Be '10.0.1.10'
            $result.ToPort | Should -Be $ProbePort
        }
        $paths['node-c'].Reason | Should -Be "node-c answers VXLAN probes on UDP $ProbePort (3 of 3) and 1450-byte packets pass."
    }

    It '(b) UDP blocked into node-c: every pair into node-c is VxlanBlocked, the rest Healthy' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault VxlanBlocked -Node node-c
        foreach ($from in 'node-a', 'node-b') {
            $paths = Test-Probe $from
            $paths['node-c'].Verdict | Should -Be 'VxlanBlocked' -Because "$from -> node-c: $($paths['node-c'].Reason)"
            $paths['node-c'].Underlay | Should -Be 'Answered'
            $paths['node-c'].Overlay | Should -Be 'Silent'
            $paths['node-c'].Reason | Should -Be "UDP $ProbePort to node-c is dropped: node-c answers on 10.0.1.12 but not to VXLAN probes (3 sent, none answered)."
            $paths['node-c'].Remedy | Should -Match "^Allow inbound UDP $ProbePort from the cluster's nodes in node-c's security group"
            $other = if ($from -eq 'node-a') { 'node-b' } else { 'node-a' }
            $paths[$other].Verdict | Should -Be 'Healthy' -Because "$from -> ${other}: $($paths[$other].Reason)"
        }
        (Test-Probe node-c)['node-a'].Verdict | Should -Be 'Healthy' -Because 'node-c''s own probes leave, and their answers are established traffic'
    }

    It '(c) node-c''s underlay down: NodeUnreachable, and node-b still Healthy' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault UnderlayDown -Node node-c
        $paths = Test-Probe node-a '-TimeoutSeconds 0.5'
        $paths['node-c'].Verdict | Should -Be 'NodeUnreachable' -Because $paths['node-c'].Reason
        $paths['node-c'].Underlay | Should -Be 'Silent'
        $paths['node-c'].Overlay | Should -Be 'Silent'
        $paths['node-c'].Reason | Should -Be "node-c does not answer on 10.0.1.12: no ICMP echo, no TCP 10250, no VXLAN probe on UDP $ProbePort."
        $paths['node-b'].Verdict | Should -Be 'Healthy'
    }

    It '(d) a lowered MTU on the link to node-c: MtuBlackhole with the measured path MTU' {
        Skip-WithoutLab
        Set-K3sNetLabFault -Lab $Lab -Fault PathMtu -Node node-c -Mtu 1400
        # 1400 bytes of underlay carry 1350 of overlay, the same path MTU kernel mode measures on this fault.
        $paths = Test-Probe node-a
        $paths['node-c'].Verdict | Should -Be 'MtuBlackhole' -Because $paths['node-c'].Reason
        $paths['node-c'].PathMtu | Should -Be 1350
        $paths['node-c'].Reason | Should -Be 'VXLAN packets of up to 1350 bytes reach node-c, 1450-byte ones vanish: a link on the path carries at most 1400-byte packets and drops larger ones without a word.'
        $paths['node-b'].Verdict | Should -Be 'Healthy'
        $paths['node-b'].PathMtu | Should -Be 1450
    }
}
