# Test-K3sPodNetwork on the lab and its cloud: three nodes (CoreDNS as dnsmasq on k3s-server, the outside resolver
# answering ssm.us-east-1.amazonaws.com), k3s-agent-2's security group admitting no UDP 8472. The Kubernetes API
# emulator's kubelet runs the probe pods as processes on the lab's nodes, on the lab's pod network, with k3s's own
# busybox from each node's tool directory. Every step runs the built module in a fresh pwsh in the server's namespace,
# where the API is; BeforeAll runs the story in order (before the fix, with Test-K3sVxlan's results, the Grant, after)
# and each It checks one step, then that nothing is left: no K3sNet namespace, no probe process, no network namespace.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Test-K3sPodNetwork')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force

    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabSupport
    $Lab = $null
    $Story = @{}
    $Egress = 'ssm.us-east-1.amazonaws.com:443'
    $ToolBusybox = '/var/lib/rancher/k3s/data/current/bin/busybox'

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab -Because 'the pods run on the network-namespace lab, which cannot run here'
    }

    # This lab's network namespaces (other tests' labs may come and go meanwhile).
    function Get-Namespaces { @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] } | Where-Object { $_.StartsWith("$($Lab.Prefix)-") }) }

    function Get-ProbeProcesses {
        # The probe pods' main command (the fleet's): k3s's busybox sleeping until the run's deadline, in one of this
        # lab's nodes' PID namespaces (other tests' labs may run probe pods at the same time).
        $nodePidNamespaces = @($Lab.Nodes | ForEach-Object { & readlink "/proc/$($_.InitPid)/ns/pid" })
        @(Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$' | ForEach-Object {
                $line = (Get-Content -Raw -LiteralPath "/proc/$($_.Name)/cmdline" -ErrorAction Ignore) -replace "`0", ' '
                if ($line -and $line.StartsWith("$ToolBusybox sleep ") -and (& readlink "/proc/$($_.Name)/ns/pid" 2>$null) -in $nodePidNamespaces) { [int]$_.Name }
            })
    }

    function Invoke-OnServer([string] $Script, [switch] $WithPester) {
        <#
        $Script in a fresh pwsh in the server's namespace with K3sNet, KUBECONFIG, $api and $token (the emulator's URL and
        token, for its control endpoints), $aws and $ec2; its last object as JSON. -WithPester loads Pester and DocsPages.
        #>
        $pester = if ($WithPester) { "Import-Module '$((Get-Module Pester).Path)'; Import-Module '$(Join-Path $PSScriptRoot 'DocsPages.psm1')'" } else { '' }
        $command = @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
$pester
Import-Module '$ModulePath/K3sNet.psd1'
`$env:KUBECONFIG = '$($Cloud.Kubeconfig)'
`$env:AWS_EC2_METADATA_DISABLED = 'true'
`$api = '$($Cloud.KubeApiUrl)'
`$token = '$($Cloud.KubeApi.Token)'
`$aws = '$($Cloud.AwsParameters | ConvertTo-Json -Compress)' | ConvertFrom-Json -AsHashtable
`$ec2 = '$($Cloud.Ec2Control)'
function Get-Api([string] `$Path, [string] `$Method = 'GET') { Invoke-RestMethod -Method `$Method -Uri "`$api`$Path" -Headers @{ Authorization = "Bearer `$token" } -SkipCertificateCheck }
function Get-Left { @((Get-Api '/api/v1/namespaces?labelSelector=app.kubernetes.io/managed-by%3Dk3snet').items | Where-Object { -not `$_.metadata.deletionTimestamp } | ForEach-Object { `$_.metadata.name }) }
`$result = & { $Script }
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 6 -Compress -EnumsAsStrings)
"@
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))
        $output = & ip netns exec $Cloud.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) { throw "The step failed (exit code $LASTEXITCODE):`n$($output -join "`n")" }
        return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
    }

    # One run: the results, the exec requests the API server saw, and K3sNet's namespaces left once it returned.
    $Run = @'
$null = Invoke-RestMethod -Method Delete -Uri "$api/emulator/requests" -Headers @{ Authorization = "Bearer $token" } -SkipCertificateCheck
$results = @(Get-K3sNode | Test-K3sPodNetwork -Egress '<EGRESS>' <MORE> -WarningAction SilentlyContinue)
$requests = @(Get-Api '/emulator/requests' | ForEach-Object { $_ })
@{
    Results = $results
    Execs = @($requests | Where-Object { $_.PathAndQuery -match '/pods/[^/]+/exec' }).Count
    Requests = $requests.Count
    Left = Get-Left
}
'@

    function Wait-Clean {
        # The namespace's deletion is not waited for by the run; its pods' processes and network namespaces go a moment later.
        param($NamespacesBefore)
        for ($i = 0; $i -lt 100; $i++) {
            $extra = @(Get-Namespaces | Where-Object { $_ -notin $NamespacesBefore })
            if (@(Get-ProbeProcesses).Count -eq 0 -and $extra.Count -eq 0) { break }
            Start-Sleep -Milliseconds 100
        }
        [pscustomobject]@{ Processes = @(Get-ProbeProcesses); Namespaces = @(Get-Namespaces | Where-Object { $_ -notin $NamespacesBefore }) }
    }

    if (-not $NoLab) {
        try {
            $Lab = New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 -NoVxlanInto k3s-agent-2
            $Cloud = Start-K3sNetLabCloud -Lab $Lab
            $NamespacesBefore = Get-Namespaces

            $Story.Before = Invoke-OnServer ($Run.Replace('<EGRESS>', $Egress).Replace('<MORE>', ''))
            $Story.CleanBefore = Wait-Clean $NamespacesBefore
            # Test-K3sVxlan on every node, as each node gives it, then its results as Test-K3sPodNetwork's -VxlanResult
            # (read back from JSON, as a runbook would pass them).
            $paths = @(foreach ($node in $Lab.Nodes) {
                    $namespace = $node.Namespace
                    $json = & ip netns exec $namespace @(Get-PwshCommandLine) -NoProfile -NonInteractive -Command "`$env:KUBECONFIG = '$($Cloud.Kubeconfig)'; Import-Module '$ModulePath/K3sNet.psd1'; ConvertTo-Json -InputObject @(Get-K3sNode | Test-K3sVxlan) -Depth 4 -Compress"
                    if ($LASTEXITCODE -ne 0) { throw "Test-K3sVxlan on $($node.Name) failed: $json" }
                    $json | ConvertFrom-Json
                })
            $Story.Paths = $paths
            $vxlanJson = (ConvertTo-Json -InputObject $paths -Depth 4 -Compress).Replace("'", "''")
            $Story.CleanPaths = Wait-Clean $NamespacesBefore
            $Story.Explained = Invoke-OnServer ($Run.Replace('<EGRESS>', $Egress).Replace('<MORE>', "-VxlanResult ('$vxlanJson' | ConvertFrom-Json)"))
            # What cannot run: an image no node can pull (every pod), a kubelet that refuses exec (one node), RBAC
            # refusing exec (the whole run).
            $null = Wait-Clean $NamespacesBefore
            $Story.ImagePull = Invoke-OnServer '@{ Results = @(Get-K3sNode | Test-K3sPodNetwork -Image fault.k3snet.invalid/image-pull -StartTimeoutSeconds 30 -WarningAction SilentlyContinue); Left = Get-Left }'
            $null = Wait-Clean $NamespacesBefore
            $Story.ExecRefused = Invoke-OnServer @'
$null = Get-Api '/emulator/kubelets/k3s-agent-1?fault=ExecRefused' PUT
try { @{ Results = @(Get-K3sNode | Test-K3sPodNetwork -WarningAction SilentlyContinue); Left = Get-Left } }
finally { $null = Get-Api '/emulator/kubelets/k3s-agent-1?fault=None' PUT }
'@
            $null = Wait-Clean $NamespacesBefore
            $Story.Forbidden = Invoke-OnServer @'
$null = Get-Api '/emulator/forbid?verb=create&resource=pods/exec' PUT
try {
    try { $null = Get-K3sNode | Test-K3sPodNetwork -WarningAction SilentlyContinue; @{ Id = 'none' } }
    catch { @{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Target = "$($_.TargetObject)"; Message = "$_"; Action = $_.ErrorDetails.RecommendedAction; Left = Get-Left } }
}
finally { $null = Get-Api '/emulator/forbid' DELETE }
'@
            $Story.CleanFaults = Wait-Clean $NamespacesBefore
            # Ctrl+C while the probes run: the pipeline stopped from outside (as the host does on Ctrl+C) once the run's
            # three pods are Running (the probes are 20 s long then); the namespace must still go.
            $Story.Stopped = Invoke-OnServer @'
$ps = [powershell]::Create()
$null = $ps.AddScript("`$env:KUBECONFIG = '$env:KUBECONFIG'; Import-Module '$((Get-Module K3sNet).Path -replace '\.dll$', '.psd1')'; Get-K3sNode | Test-K3sPodNetwork -TimeoutSeconds 20")
$handle = $ps.BeginInvoke()
$seen = @()
$running = 0
for ($i = 0; $i -lt 600 -and $running -lt 3; $i++) {
    Start-Sleep -Milliseconds 100
    $seen = @(Get-Left)
    if ($seen) { $running = @((Get-Api "/api/v1/namespaces/$($seen[0])/pods").items | Where-Object { $_.status.phase -eq 'Running' }).Count }
}
$ps.Stop()
$stopped = $ps.InvocationStateInfo.State
$left = Get-Left
for ($i = 0; $i -lt 100 -and $left; $i++) { Start-Sleep -Milliseconds 100; $left = Get-Left }
$ps.Dispose()
@{ Seen = @($seen); Running = $running; State = "$stopped"; Left = @($left) }
'@
            $Story.CleanStopped = Wait-Clean $NamespacesBefore
            # The fix, as the story makes it: the security-group verdicts that fail, granted.
            $Story.Grant = Invoke-OnServer '@(Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @aws -PassThru)'
            $Story.After = Invoke-OnServer ($Run.Replace('<EGRESS>', $Egress).Replace('<MORE>', ''))
            $Story.CleanAfter = Wait-Clean $NamespacesBefore
        }
        catch {
            if ($Lab) { Remove-K3sNetLab -Lab $Lab }
            throw
        }
    }

    function Get-Result($Run, [string] $Source, [string] $Check, [string] $Destination) {
        @($Run.Results | Where-Object { $_.Source -eq $Source -and $_.Check -eq $Check -and (-not $Destination -or $_.Destination -eq $Destination) })
    }
}

AfterAll {
    if ($Lab) { Remove-K3sNetLab -Lab $Lab }
}

Describe 'Test-K3sPodNetwork before the fix (UDP 8472 into k3s-agent-2 dropped)' {
    It 'tests from every node''s pod: pod to pod, cluster DNS, the CoreDNS pod, the kubernetes Service and the egress name' {
        Skip-WithoutLab
        # Per node: 2 pod pairs, the cluster DNS, one CoreDNS pod, the kubernetes Service, one egress name.
        $Story.Before.Results | Should -HaveCount 18
        ($Story.Before.Results.Source | Sort-Object -Unique) | Should -Be @('k3s-agent-1', 'k3s-agent-2', 'k3s-server')
        $Story.Before.Results | ForEach-Object { $_.SourceAddress | Should -BeLike '10.42.*' -Because 'the probe pods are on the pod network' }
        @($Story.Before.Results | Where-Object Verdict -EQ NotTested) | Should -BeNullOrEmpty -Because 'every pod ran'
    }

    It 'uses one exec per pod for all of its probes, and a fixed number of API requests besides' {
        Skip-WithoutLab
        $Story.Before.Execs | Should -Be 3
        # Get-K3sNode: nodes and CoreDNS pods (2). Test-K3sPodNetwork: the kube-dns and kubernetes Services and the
        # CoreDNS pods (3); the fleet: nodes, leftover namespaces, create namespace, one watch, delete namespace (5), and
        # per node one pod and one exec (2 x 3).
        $Story.Before.Requests | Should -Be (2 + 3 + 5 + 2 * 3)
    }

    It 'fails pod to pod between k3s-agent-2 and the others, both ways, and passes between the others' {
        Skip-WithoutLab
        foreach ($peer in 'k3s-server', 'k3s-agent-1') {
            (Get-Result $Story.Before k3s-agent-2 PodToPod $peer).Verdict | Should -Be Failed
            (Get-Result $Story.Before $peer PodToPod k3s-agent-2).Verdict | Should -Be Failed
        }
        (Get-Result $Story.Before k3s-server PodToPod k3s-agent-1).Verdict | Should -Be Healthy
        (Get-Result $Story.Before k3s-agent-1 PodToPod k3s-server).Verdict | Should -Be Healthy
        (Get-Result $Story.Before k3s-agent-1 PodToPod k3s-server).RoundTripMs | Should -BeGreaterThan 0
    }

    It 'says pods on k3s-agent-2 cannot resolve names, because the cluster DNS runs on k3s-server across VXLAN' {
        Skip-WithoutLab
        $dns = Get-Result $Story.Before k3s-agent-2 ClusterDns
        $dns.Verdict | Should -Be Failed
        $dns.Reason | Should -BeLike 'Pods on k3s-agent-2 cannot resolve names: the cluster DNS (10.43.0.10) runs on k3s-server, which they cannot reach through VXLAN (UDP 8472)*'
        (Get-Result $Story.Before k3s-agent-2 CoreDnsPod).Verdict | Should -Be Failed
        $egress = Get-Result $Story.Before k3s-agent-2 Egress
        $egress.Verdict | Should -Be Failed
        $egress.Reason | Should -BeLike 'Pods on k3s-agent-2 cannot resolve ssm.us-east-1.amazonaws.com: the cluster DNS (10.43.0.10) runs on k3s-server*'
    }

    It 'resolves and connects from the other nodes, and reaches the kubernetes Service from every node (not through VXLAN)' {
        Skip-WithoutLab
        foreach ($node in 'k3s-server', 'k3s-agent-1') {
            (Get-Result $Story.Before $node ClusterDns).Verdict | Should -Be Healthy
            (Get-Result $Story.Before $node CoreDnsPod).Verdict | Should -Be Healthy
            $egress = Get-Result $Story.Before $node Egress
            $egress.Verdict | Should -Be Healthy -Because $egress.Reason
            $egress.DestinationAddress | Should -Be '198.51.100.10'
        }
        foreach ($node in 'k3s-server', 'k3s-agent-1', 'k3s-agent-2') {
            $api = Get-Result $Story.Before $node KubernetesService
            $api.Verdict | Should -Be Healthy -Because $api.Reason
            $api.DestinationAddress | Should -Be '10.43.0.1'
        }
    }

    It 'names Test-K3sVxlan''s verdict as the cause when its results are given' {
        Skip-WithoutLab
        $dns = Get-Result $Story.Explained k3s-agent-2 ClusterDns
        $dns.Cause | Should -Be VxlanBlocked
        $dns.Reason | Should -Match 'which they cannot reach through VXLAN \(UDP 8472\)\. Test-K3sVxlan: k3s-(server|agent-2) -> k3s-(server|agent-2) VxlanBlocked: '
        (Get-Result $Story.Explained k3s-server PodToPod k3s-agent-2).Cause | Should -Be VxlanBlocked
        (Get-Result $Story.Explained k3s-server PodToPod k3s-agent-1).Cause | Should -BeNullOrEmpty
    }

    It 'leaves nothing behind: no K3sNet namespace, no probe process, no network namespace' {
        Skip-WithoutLab
        $Story.Before.Left | Should -BeNullOrEmpty
        $Story.CleanBefore.Processes | Should -BeNullOrEmpty
        $Story.CleanBefore.Namespaces | Should -BeNullOrEmpty
    }
}

Describe 'Test-K3sPodNetwork where probes cannot run' {
    It 'gives NotTested results naming the kubelet''s reason when no pod can pull its image, and leaves nothing' {
        Skip-WithoutLab
        # Without -Egress: 5 per node.
        $Story.ImagePull.Results | Should -HaveCount 15
        $Story.ImagePull.Results | ForEach-Object {
            $_.Verdict | Should -Be NotTested
            $_.Reason | Should -Match 'ErrImagePull|ImagePullBackOff'
        }
        $Story.ImagePull.Left | Should -BeNullOrEmpty
    }

    It 'makes only the node whose kubelet refuses exec NotTested, and judges the others' {
        Skip-WithoutLab
        $fromAgent1 = @($Story.ExecRefused.Results | Where-Object Source -EQ 'k3s-agent-1')
        $fromAgent1 | Should -HaveCount 5
        $fromAgent1 | ForEach-Object {
            $_.Verdict | Should -Be NotTested
            $_.Reason | Should -BeLike 'The probes could not run in the pod on k3s-agent-1: *'
        }
        # Its pod still runs and answers: the server's pod reaches it; agent-2 is still cut off.
        (Get-Result $Story.ExecRefused k3s-server PodToPod k3s-agent-1).Verdict | Should -Be Healthy
        (Get-Result $Story.ExecRefused k3s-server PodToPod k3s-agent-2).Verdict | Should -Be Failed
        (Get-Result $Story.ExecRefused k3s-agent-2 ClusterDns).Verdict | Should -Be Failed
        $Story.ExecRefused.Left | Should -BeNullOrEmpty
    }

    It 'ends with KubeForbidden naming create pods/exec and the rule to add when RBAC refuses exec, and leaves nothing' {
        Skip-WithoutLab
        $Story.Forbidden.Id | Should -BeLike 'KubeForbidden,*'
        $Story.Forbidden.Category | Should -Be PermissionDenied
        $Story.Forbidden.Message | Should -Match 'create pods/exec'
        $Story.Forbidden.Action | Should -Match 'verbs: \["create"\]'
        $Story.Forbidden.Left | Should -BeNullOrEmpty
        $Story.CleanFaults.Processes | Should -BeNullOrEmpty
        $Story.CleanFaults.Namespaces | Should -BeNullOrEmpty
    }
}

Describe 'Test-K3sPodNetwork stopped with Ctrl+C' {
    It 'removes its namespace, pods and their processes when the pipeline is stopped mid-run' {
        Skip-WithoutLab
        $Story.Stopped.Seen | Should -HaveCount 1 -Because 'the run had made its namespace when it was stopped'
        $Story.Stopped.Running | Should -Be 3 -Because 'it was stopped while its pods ran the probes'
        $Story.Stopped.State | Should -Be Stopped
        $Story.Stopped.Left | Should -BeNullOrEmpty
        $Story.CleanStopped.Processes | Should -BeNullOrEmpty
        $Story.CleanStopped.Namespaces | Should -BeNullOrEmpty
    }
}

Describe 'Test-K3sPodNetwork after Grant-K3sNodeTraffic opened UDP 8472' {
    It 'is Healthy everywhere: pods reach each other, resolve names and the SSM endpoint, and connect' {
        Skip-WithoutLab
        @($Story.Grant).Count | Should -BeGreaterThan 0
        $Story.After.Results | Should -HaveCount 18
        $Story.After.Results | ForEach-Object { $_.Verdict | Should -Be Healthy -Because "$($_.Check) $($_.Source) -> $($_.Destination): $($_.Reason)" }
        $Story.After.Execs | Should -Be 3
    }

    It 'leaves nothing behind' {
        Skip-WithoutLab
        $Story.After.Left | Should -BeNullOrEmpty
        $Story.CleanAfter.Processes | Should -BeNullOrEmpty
        $Story.CleanAfter.Namespaces | Should -BeNullOrEmpty
    }

    It 'runs the docs example "<Title>" as documented' -ForEach $DocsExamples {
        Skip-WithoutLab
        $code = $Code.Replace("'", "''")
        $output = if ($Output) { "@('" + (($Output | ForEach-Object { $_.Replace("'", "''") }) -join "', '") + "')" } else { '$null' }
        Invoke-OnServer -WithPester "Assert-DocsExample -Code '$code' -Output $output; 'ran'" | Should -Be 'ran'
    }
}
