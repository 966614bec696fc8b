# The story end to end, as build.ps1 Demo tells it, with every step's objects asserted: a 3-node lab (k3s-server hosts
# CoreDNS; k3s-agent-2's security group admits no UDP 8472), the Kubernetes API emulator on the server's address with
# its lab kubelet (probe pods run as processes on the lab's nodes) and the EC2 emulator on the server's loopback, whose
# every change is rendered into the subnet's nftables. Each step runs the built module in a fresh pwsh in the server's
# namespace with the kubeconfig, as an operator runs it from a laptop: Test-K3sVxlan -AllNodes and Test-K3sPodNetwork
# reach every node through Kubernetes. BeforeAll runs the steps in the story's order and each It checks one step. Then
# the demo script itself runs to the end and cleans up.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force

    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabSupport
    $Lab = $null
    $Story = @{}

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab -Because 'the story runs on the network-namespace lab, which cannot run here'
    }

    function Get-Namespaces { @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] }) }

    function Invoke-OnNode([string] $Node, [string] $Script) {
        <# $Script in a fresh pwsh on $Node with K3sNet, KUBECONFIG, $aws and $ec2 (the emulator's control URL); its last object as JSON. #>
        $namespace = ($Lab.Nodes | Where-Object Name -EQ $Node).Namespace
        $command = @"
`$ErrorActionPreference = 'Stop'
Import-Module '$ModulePath/K3sNet.psd1'
`$env:KUBECONFIG = '$($Cloud.Kubeconfig)'
`$aws = '$($Cloud.AwsParameters | ConvertTo-Json -Compress)' | ConvertFrom-Json -AsHashtable
`$ec2 = '$($Cloud.Ec2Control)'
`$result = & { $Script }
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 6 -Compress -EnumsAsStrings)
"@
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
        $output = & ip netns exec $namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) { throw "The step on $Node failed (exit code $LASTEXITCODE):`n$($output -join "`n")" }
        return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
    }

    # Every node's own checks through its probe pod, the matrix they draw, and what pods see: one fresh pwsh, as the
    # story's steps 3 and 4 (Test-K3sPodNetwork names the node-level cause from -VxlanResult).
    $EveryPath = @'
$paths = @(Get-K3sNode | Test-K3sVxlan -AllNodes -ProgressAction SilentlyContinue)
$matrix = $paths | Show-K3sVxlanMatrix
@{
    Paths  = $paths
    Matrix = @{ IsHealthy = $matrix.IsHealthy; Failed = @($matrix.FailedPairs).Count; Untested = @($matrix.UntestedPairs).Count }
    Pods   = @(Get-K3sNode | Test-K3sPodNetwork -Egress ssm.us-east-1.amazonaws.com:443 -VxlanResult $paths -ProgressAction SilentlyContinue)
}
'@

    function Get-ProbeLeftover {
        # What a run could leave: K3sNet namespaces in the API, and processes the lab kubelet started on the lab's nodes
        # (they carry its K3SNET_KUBELET marker in their environment), counted in the nodes' own PID namespaces only.
        $namespaces = Invoke-OnNode k3s-server "@((Invoke-RestMethod '$($Cloud.KubeApiUrl)/api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk3snet' -Headers @{ Authorization = 'Bearer $($Cloud.KubeApi.Token)' } -SkipCertificateCheck).items | ForEach-Object { `$_.metadata.name })"
        $nodePidNamespaces = @($Lab.Nodes | ForEach-Object { & readlink "/proc/$($_.InitPid)/ns/pid" })
        $processes = @(Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$' | Where-Object {
                (& readlink "/proc/$($_.Name)/ns/pid" 2>$null) -in $nodePidNamespaces -and
                "$(Get-Content -Raw -LiteralPath "/proc/$($_.Name)/environ" -ErrorAction Ignore)".Contains('K3SNET_KUBELET=')
            } | ForEach-Object Name)
        [pscustomobject]@{ Namespaces = @($namespaces); Processes = $processes }
    }

    function Get-VxlanSources([string] $Node) {
        Get-K3sNetLabVxlanSource -Lab $Lab -Node $Node
    }

    function Resolve-FromAgent2Pod {
        # What the story's pods see: the lab's workload pod on k3s-agent-2 looks up the region's SSM endpoint through the
        # cluster DNS (CoreDNS on the server), as an AWS SDK in that pod would before it connects.
        $pod = @($Lab.Pods | Where-Object { $_.Node -eq 'k3s-agent-2' -and $_.Namespace -eq 'default' })[0]
        $output = Invoke-K3sNetLabPodCommand -Lab $Lab -Pod $pod.Name -FilePath busybox -ArgumentList @('nslookup', '-timeout=2', '-retry=1', 'ssm.us-east-1.amazonaws.com') 2>&1 | ForEach-Object { "$_" }
        [pscustomobject]@{ Pod = $pod.Name; ExitCode = $LASTEXITCODE; Output = $output -join "`n" }
    }

    # The steps as the story takes them; call counts come from the emulator's control endpoint on the server.
    $FailingVerdicts = '@(Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed })'
    $Counts = '$calls = Invoke-RestMethod "$ec2/calls"; $null = Invoke-RestMethod -Method Post "$ec2/calls/reset"; $calls'

    if (-not $NoLab) {
        try {
            $Lab = New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 -NoVxlanInto k3s-agent-2
            $Cloud = Start-K3sNetLabCloud -Lab $Lab
            $Story.Nodes = @(Invoke-OnNode k3s-server '@(Get-K3sNode)')
            $Story.PodDnsBefore = Resolve-FromAgent2Pod
            $Story.Before = Invoke-OnNode k3s-server $EveryPath
            $Story.Verdicts = @(Invoke-OnNode k3s-server $FailingVerdicts)
            # The mission's one-liner on every node's results, under -WhatIf.
            $Story.WhatIf = Invoke-OnNode k3s-server "`$null = Invoke-RestMethod -Method Post `"`$ec2/calls/reset`"; @{ Changes = @(Get-K3sNode | Test-K3sVxlan -AllNodes -ProgressAction SilentlyContinue | Where-Object Verdict -EQ VxlanBlocked | Grant-K3sNodeTraffic @aws -WhatIf -PassThru); Calls = & { $Counts } }"
            $Story.SourcesAfterWhatIf = Get-VxlanSources k3s-agent-2
            $Story.Grant = Invoke-OnNode k3s-server "@{ Changes = @($FailingVerdicts | Grant-K3sNodeTraffic @aws -PassThru); Calls = & { $Counts } }"
            $Story.SourcesAfterGrant = Get-VxlanSources k3s-agent-2
            $Story.PodDnsAfterGrant = Resolve-FromAgent2Pod
            $Story.After = Invoke-OnNode k3s-server $EveryPath
            # The rerun feeds Grant the verdicts the story started from, as a script rerun after a success would.
            $Story.Rerun = Invoke-OnNode k3s-server "@{ Changes = @('$((ConvertTo-Json -InputObject $Story.Verdicts -Depth 4 -Compress).Replace("'", "''"))' | ConvertFrom-Json | Grant-K3sNodeTraffic @aws -PassThru); Calls = & { $Counts } }"
            # Then the same fix from the broken node's own results: agent-2's group closed again, the paths agent-2's
            # probe judged (every peer blocked) granted.
            $null = Invoke-OnNode k3s-server "Revoke-K3sNodeTraffic -GroupId '$($Cloud.Groups.'k3s-agent-2')' @aws -Force; 'revoked'"
            $Story.SourcesAfterRevoke = Get-VxlanSources k3s-agent-2
            $Story.FromAgent2 = @(Invoke-OnNode k3s-server '@(Get-K3sNode | Test-K3sVxlan -AllNodes -ProgressAction SilentlyContinue | Where-Object { $_.Source -eq ''k3s-agent-2'' -and $_.Verdict -eq ''VxlanBlocked'' })')
            $Story.VxlanGrant = Invoke-OnNode k3s-server "`$null = Invoke-RestMethod -Method Post `"`$ec2/calls/reset`"; @{ Changes = @('$((ConvertTo-Json -InputObject $Story.FromAgent2 -Depth 4 -Compress).Replace("'", "''"))' | ConvertFrom-Json | Grant-K3sNodeTraffic @aws -PassThru); Calls = & { $Counts } }"
            $Story.PathsAfterVxlanGrant = @((Invoke-OnNode k3s-server $EveryPath).Paths)
            $Story.Leftovers = Get-ProbeLeftover
        }
        catch {
            # A lab that failed to build removed itself: then there is nothing here, and the cause must show.
            if ($Lab) { Remove-K3sNetLab -Lab $Lab }
            throw
        }
    }
}

AfterAll {
    if ($Lab) { Remove-K3sNetLab -Lab $Lab }
}

Describe 'The story on a 3-node lab' {
    It '1. Get-K3sNode: three nodes, CoreDNS on the server' {
        Skip-WithoutLab
        $Story.Nodes.Name | Should -Be @('k3s-server', 'k3s-agent-1', 'k3s-agent-2')
        ($Story.Nodes | Where-Object HostsClusterDns).Name | Should -Be 'k3s-server'
        ($Story.Nodes | Where-Object IsServer).Name | Should -Be 'k3s-server'
        $Story.Nodes.InternalIP | Should -Be @('10.0.1.10', '10.0.1.11', '10.0.1.12')
    }

    It 'a pod on k3s-agent-2 cannot resolve the SSM endpoint before Grant, and resolves it after' {
        Skip-WithoutLab
        # The symptom the story starts from, on real pods: the lookup crosses VXLAN to CoreDNS on the server.
        $Story.PodDnsBefore.ExitCode | Should -Not -Be 0 -Because $Story.PodDnsBefore.Output
        $Story.PodDnsBefore.Output | Should -Match 'timed out'
        $Story.PodDnsAfterGrant.ExitCode | Should -Be 0 -Because $Story.PodDnsAfterGrant.Output
        $Story.PodDnsAfterGrant.Output | Should -Match 'Address:\s+198\.51\.100\.10'
    }

    It '3. Test-K3sVxlan -AllNodes: every ordered pair judged from its source node; every path to and from k3s-agent-2 VxlanBlocked' {
        Skip-WithoutLab
        $paths = @($Story.Before.Paths)
        $paths | Should -HaveCount 6
        ($paths | ForEach-Object { "$($_.Source)->$($_.Destination)" } | Sort-Object -Unique) | Should -HaveCount 6
        $blocked = @($paths | Where-Object { 'k3s-agent-2' -in $_.Source, $_.Destination })
        $blocked | ForEach-Object { $_.Verdict | Should -Be 'VxlanBlocked' -Because "$($_.Source) -> $($_.Destination): $($_.Reason)" }
        $blocked | Should -HaveCount 4
        @($paths | Where-Object Verdict -EQ Healthy) | Should -HaveCount 2
        ($paths | Where-Object { $_.Source -eq 'k3s-server' -and $_.Destination -eq 'k3s-agent-2' }).Reason | Should -Match '^UDP 8472 between k3s-server and k3s-agent-2 is dropped: .* in k3s-agent-2''s security group and in k3s-server''s '
    }

    It '3. Show-K3sVxlanMatrix draws them: 4 failed pairs, none untested, not healthy' {
        Skip-WithoutLab
        $Story.Before.Matrix.IsHealthy | Should -BeFalse
        $Story.Before.Matrix.Failed | Should -Be 4
        $Story.Before.Matrix.Untested | Should -Be 0
    }

    It '3. k3s-agent-2''s own probe blames its own security group, which drops the peers'' replies' {
        Skip-WithoutLab
        $fromAgent2 = @($Story.Before.Paths | Where-Object Source -EQ 'k3s-agent-2')
        $fromAgent2 | Should -HaveCount 2
        foreach ($path in $fromAgent2) {
            $path.Reason | Should -Match '^No peer answers through VXLAN while all answer on their underlay: k3s-agent-2''s own security group most likely drops inbound UDP 8472 \(the replies\)\. Allow inbound UDP 8472 from the cluster''s nodes in k3s-agent-2''s security group; if it already does, the peers'' groups drop it\.'
            $path.Reason | Should -Not -Match 'k3s-(server|agent-1)''s security group'
        }
    }

    It '3. Test-K3sVxlan -AllNodes explains that pods on k3s-agent-2 cannot resolve names, because CoreDNS runs on the server' {
        Skip-WithoutLab
        $dns = @($Story.Before.Paths | Where-Object { $_.Reason -match 'cannot resolve names' })
        $dns | Should -HaveCount 1 -Because 'only the path from k3s-agent-2 to the node that hosts CoreDNS carries its DNS'
        $dns[0].Source | Should -Be 'k3s-agent-2'
        $dns[0].Destination | Should -Be 'k3s-server'
        $dns[0].Reason | Should -Match 'CoreDNS runs on k3s-server, so pods on k3s-agent-2 cannot resolve names\.'
    }

    It '4. Test-K3sPodNetwork: pods on k3s-agent-2 cannot resolve names or reach SSM, and say it is VXLAN into k3s-agent-2' {
        Skip-WithoutLab
        $pods = @($Story.Before.Pods)
        $fromAgent2 = @($pods | Where-Object Source -EQ 'k3s-agent-2')
        $dns = @($fromAgent2 | Where-Object Check -EQ ClusterDns)
        $dns | Should -HaveCount 1
        $dns[0].Verdict | Should -Be 'Failed'
        $dns[0].Cause | Should -Be 'VxlanBlocked'
        $dns[0].Reason | Should -Match 'pods on k3s-agent-2 cannot resolve names'
        $dns[0].Reason | Should -Match 'k3s-server'
        ($fromAgent2 | Where-Object Check -EQ CoreDnsPod).Verdict | Should -Be 'Failed'
        $egress = @($fromAgent2 | Where-Object Check -EQ Egress)
        $egress | Should -HaveCount 1
        $egress[0].Verdict | Should -Be 'Failed'
        $egress[0].Destination | Should -Match '^ssm\.us-east-1\.amazonaws\.com'
        # Pod to pod: every pair with k3s-agent-2 in it fails, the server and k3s-agent-1 reach each other.
        $pairs = @($pods | Where-Object Check -EQ PodToPod)
        $pairs | Should -HaveCount 6
        $pairs | Where-Object { 'k3s-agent-2' -in $_.Source, $_.Destination } | ForEach-Object { $_.Verdict | Should -Be 'Failed' -Because "$($_.Source) -> $($_.Destination)" }
        $pairs | Where-Object { 'k3s-agent-2' -notin $_.Source, $_.Destination } | ForEach-Object { $_.Verdict | Should -Be 'Healthy' -Because "$($_.Source) -> $($_.Destination): $($_.Reason)" }
        # The other nodes' pods resolve and reach SSM.
        $pods | Where-Object { $_.Source -ne 'k3s-agent-2' -and $_.Check -in 'ClusterDns', 'Egress' } | ForEach-Object { $_.Verdict | Should -Be 'Healthy' -Because "$($_.Source) $($_.Check): $($_.Reason)" }
    }

    It '5. Test-K3sSecurityGroup names k3s-agent-2''s group: UDP 8472 from the server''s and k3s-agent-1''s groups' {
        Skip-WithoutLab
        $Story.Verdicts | Should -HaveCount 2
        $Story.Verdicts.GroupId | Sort-Object -Unique | Should -Be $Cloud.Groups.'k3s-agent-2'
        $Story.Verdicts.Destination | Sort-Object -Unique | Should -Be 'k3s-agent-2'
        $Story.Verdicts.Protocol | Sort-Object -Unique | Should -Be 'Udp'
        $Story.Verdicts.FromPort | Sort-Object -Unique | Should -Be 8472
        $Story.Verdicts.Status | Sort-Object -Unique | Should -Be 'Blocked'
        ($Story.Verdicts.SuggestedSource | Sort-Object) | Should -Be (@($Cloud.Groups.'k3s-server', $Cloud.Groups.'k3s-agent-1') | Sort-Object)
    }

    It '6. The one-liner on every node''s results, -WhatIf: rules into k3s-agent-2''s group only; no change made' {
        Skip-WithoutLab
        $would = @($Story.WhatIf.Changes | Where-Object Action -EQ WouldAdd)
        $would.GroupId | Sort-Object -Unique | Should -Be $Cloud.Groups.'k3s-agent-2'
        ($would.Source | Sort-Object -Unique) | Should -Be (@($Cloud.Groups.'k3s-server', $Cloud.Groups.'k3s-agent-1') | Sort-Object)
        @($Story.WhatIf.Changes | Where-Object { $_.Action -notin 'WouldAdd', 'AlreadyPresent' }) | Should -BeNullOrEmpty
        $Story.WhatIf.Calls.PSObject.Properties.Name | Should -Not -Contain 'AuthorizeSecurityGroupIngress'
        $Story.WhatIf.Calls.PSObject.Properties.Name | Should -Not -Contain 'RevokeSecurityGroupIngress'
        $Story.SourcesAfterWhatIf | Should -BeNullOrEmpty
    }

    It '7. Grant adds exactly those rules in one AuthorizeSecurityGroupIngress call, and the lab admits VXLAN from both' {
        Skip-WithoutLab
        $Story.Grant.Changes.Action | Should -Be @('Added', 'Added')
        $Story.Grant.Changes.Protocol | Sort-Object -Unique | Should -Be 'Udp'
        ($Story.Grant.Changes.Source | Sort-Object) | Should -Be (@($Cloud.Groups.'k3s-server', $Cloud.Groups.'k3s-agent-1') | Sort-Object)
        $Story.Grant.Calls.AuthorizeSecurityGroupIngress | Should -Be 1
        ($Story.SourcesAfterGrant | Sort-Object) | Should -Be @('10.0.1.10', '10.0.1.11')
    }

    It '8. The same commands: every path Healthy, the matrix healthy, and every pod check Healthy' {
        Skip-WithoutLab
        @($Story.After.Paths) | Should -HaveCount 6
        $Story.After.Paths | ForEach-Object { $_.Verdict | Should -Be 'Healthy' -Because "$($_.Source) -> $($_.Destination): $($_.Reason)" }
        $Story.After.Matrix.IsHealthy | Should -BeTrue
        $pods = @($Story.After.Pods)
        @($pods | Where-Object Check -EQ PodToPod) | Should -HaveCount 6
        foreach ($check in 'ClusterDns', 'Egress') { @($pods | Where-Object Check -EQ $check).Source | Sort-Object | Should -Be @('k3s-agent-1', 'k3s-agent-2', 'k3s-server') }
        $pods | ForEach-Object { $_.Verdict | Should -Be 'Healthy' -Because "$($_.Source) $($_.Check) $($_.Destination): $($_.Reason)" }
    }

    It 'a rerun of Grant converges: AlreadyPresent, no Authorize call' {
        Skip-WithoutLab
        $Story.Rerun.Changes.Action | Should -Be @('AlreadyPresent', 'AlreadyPresent')
        $Story.Rerun.Calls.PSObject.Properties.Name | Should -Not -Contain 'AuthorizeSecurityGroupIngress'
    }

    It 'k3s-agent-2''s own results piped into Grant fix its own group: the peers'' are AlreadyPresent, one Authorize call' {
        Skip-WithoutLab
        $Story.SourcesAfterRevoke | Should -BeNullOrEmpty -Because 'the Revoke closed agent-2 again'
        $Story.FromAgent2 | Should -HaveCount 2
        $Story.FromAgent2.Verdict | Sort-Object -Unique | Should -Be 'VxlanBlocked'
        $added = @($Story.VxlanGrant.Changes | Where-Object Action -EQ Added)
        $added.GroupId | Sort-Object -Unique | Should -Be $Cloud.Groups.'k3s-agent-2'
        ($added.Source | Sort-Object) | Should -Be (@($Cloud.Groups.'k3s-server', $Cloud.Groups.'k3s-agent-1') | Sort-Object)
        $present = @($Story.VxlanGrant.Changes | Where-Object Action -EQ AlreadyPresent)
        ($present.GroupId | Sort-Object) | Should -Be (@($Cloud.Groups.'k3s-server', $Cloud.Groups.'k3s-agent-1') | Sort-Object)
        $Story.VxlanGrant.Calls.AuthorizeSecurityGroupIngress | Should -Be 1
        $Story.PathsAfterVxlanGrant | Should -HaveCount 6
        $Story.PathsAfterVxlanGrant | ForEach-Object { $_.Verdict | Should -Be 'Healthy' -Because "$($_.Source) -> $($_.Destination): $($_.Reason)" }
    }

    It 'leaves nothing of its probes behind: no K3sNet namespace in the API, no probe process on the lab''s nodes' {
        Skip-WithoutLab
        $Story.Leftovers.Namespaces | Should -BeNullOrEmpty
        $Story.Leftovers.Processes | Should -BeNullOrEmpty
    }
}

Describe 'build.ps1 Demo''s script' {
    It 'tells the story to the end and leaves no namespace, emulator or folder behind' {
        Skip-WithoutLab
        $output = Invoke-PwshProcess -File (Join-Path (Get-RepositoryRoot) 'tools/Demo.ps1') -ArgumentList @('-ModulePath', $ModulePath) 6>&1 2>&1 | ForEach-Object { "$_" }
        $text = $output -join "`n"
        $LASTEXITCODE | Should -Be 0 -Because $text
        $text | Should -Match 'PS> kubectl exec -n default lab-k3s-agent-2-1 -- busybox nslookup'
        $text | Should -Match 'PS> \$paths = Get-K3sNode \| Test-K3sVxlan -AllNodes'
        $text | Should -Match 'k3s-agent-2 <-> every other node'
        # The demo wraps long lines at spaces: read the reasons joined up again.
        ($text -replace '\s+', ' ') | Should -Match 'CoreDNS runs on k3s-server, so pods on k3s-agent-2 cannot resolve names\.'
        ($text -replace '\s+', ' ') | Should -Match 'Pods on k3s-agent-2 cannot resolve names: the cluster DNS \(10\.43\.0\.10\) runs on k3s-server, which they cannot reach through VXLAN \(UDP 8472\)'
        $text | Should -Match 'Get-K3sNode \| Test-K3sPodNetwork -Egress ssm\.us-east-1\.amazonaws\.com:443'
        $text | Should -Match '\$paths \| Where-Object Verdict -EQ VxlanBlocked \| Grant-K3sNodeTraffic @aws -WhatIf'
        $text | Should -Match '(?m)^connected$'
        $prefix = [regex]::Match($text, 'Lab (k3l[0-9a-f]{6}) and its emulators removed').Groups[1].Value
        $prefix | Should -Not -BeNullOrEmpty -Because $text
        Get-Namespaces | Where-Object { $_ -like "$prefix-*" } | Should -BeNullOrEmpty
        Join-Path ([IO.Path]::GetTempPath()) $prefix | Should -Not -Exist
        # Every emulator of the run named the lab's folder on its command line (--nodes, the --on-change hook).
        $left = Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$' | Where-Object {
            $cmdline = Get-Content -Raw -LiteralPath "/proc/$($_.Name)/cmdline" -ErrorAction Ignore
            $cmdline -and $cmdline.Contains("/$prefix/")
        }
        $left | Should -BeNullOrEmpty
    }
}
