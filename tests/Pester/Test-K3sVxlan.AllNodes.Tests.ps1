# Test-K3sVxlan -AllNodes on the lab with its cloud: k3s-agent-2's security group admits no UDP 8472, the Kubernetes API
# emulator (--lab) on the server runs K3sNet's probe pods as processes on the lab's nodes, and exec into them runs the
# node agent with the node's k3s tools. The cmdlet runs as a user would from any machine with a kubeconfig: a fresh pwsh
# (here in the server's namespace, the only place the API answers). Every failure of part 1 and 3 of the issue has its
# test, and each one checks that nothing is left: no K3sNet namespace in the API, no probe pod process on the lab.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Test-K3sVxlan' | Where-Object { $_.Title -match '-AllNodes' })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force

    $ModulePath = Get-BuiltModulePath
    $NoLab = Test-K3sNetLabSupport
    $Lab = $null
    $Cloud = $null

    function Skip-WithoutLab {
        # Skipped with the reason; a failure under CI=true as root (Test-K3sNetLabRequired).
        Skip-K3sNetLabTest -Reason $NoLab -Because 'the probe pods run on the network-namespace lab, which cannot run here'
    }

    function Get-NetworkNamespaces { @(& ip netns list 2>$null | ForEach-Object { ($_ -split ' ')[0] }) }

    function Get-ServerCommand([string] $Script) {
        # A pwsh script for the server's namespace: K3sNet imported, KUBECONFIG the lab's, $Script's last object as JSON.
        @"
`$ErrorActionPreference = 'Stop'
`$ProgressPreference = 'SilentlyContinue'
Import-Module '$ModulePath/K3sNet.psd1'
`$env:KUBECONFIG = '$($Cloud.Kubeconfig)'
`$result = & { $Script }
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 6 -Compress -EnumsAsStrings)
"@
    }

    function Invoke-OnServer([string] $Script) {
        <# $Script in a fresh pwsh in the server's namespace; what it returns, through JSON. #>
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes((Get-ServerCommand $Script)))
        $output = & ip netns exec $Cloud.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
        if ($LASTEXITCODE -ne 0 -or -not $marker) { throw "The run on the server failed (exit code $LASTEXITCODE):`n$($output -join "`n")" }
        return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
    }

    function Invoke-Api([string] $Path, [string] $Method = 'GET') {
        # The API (or the emulator's control endpoints under /emulator) as the test harness, with the emulator's token,
        # from inside the server's namespace, where it answers.
        $text = & ip netns exec $Cloud.Namespace curl -sk --max-time 10 -X $Method -H "Authorization: Bearer $($Cloud.KubeApi.Token)" "$($Cloud.KubeApiUrl)$Path"
        if ($LASTEXITCODE -ne 0) { throw "curl $Method $Path failed ($LASTEXITCODE)" }
        if ("$text".Trim()) { "$text" | ConvertFrom-Json } else { $null }
    }

    function Get-ProbeNamespaces {
        # K3sNet's namespaces that are not on their way out.
        @((Invoke-Api '/api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk3snet').items |
                Where-Object { $_.status.phase -ne 'Terminating' } | ForEach-Object { $_.metadata.name })
    }

    function Get-ProbePodProcesses {
        # Processes of K3sNet's probe pods on this lab's nodes: k3s's busybox sleeping (the pod) or running the agent.
        $labNamespaces = @($Lab.Nodes.Namespace)
        @(Get-ChildItem /proc -Directory -ErrorAction Ignore | Where-Object Name -Match '^\d+$' | ForEach-Object {
                $line = try { (Get-Content -Raw -LiteralPath "/proc/$($_.Name)/cmdline" -ErrorAction Stop) -replace "`0", ' ' } catch { '' }
                if ($line -like '*/data/current/bin/busybox*') {
                    $netns = "$(& ip netns identify $_.Name 2>$null)".Trim()
                    if ($netns -in $labNamespaces) { [pscustomobject]@{ Pid = [int]$_.Name; CommandLine = $line.Trim() } }
                }
            })
    }

    function Assert-NothingLeft {
        # The namespace is gone from the API, the kubelet has stopped every pod process, and no network namespace stayed.
        Get-ProbeNamespaces | Should -BeNullOrEmpty -Because 'no K3sNet namespace may stay in the API'
        $deadline = [DateTime]::UtcNow.AddSeconds(20)
        while (@(Get-ProbePodProcesses).Count -gt 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
        Get-ProbePodProcesses | Should -BeNullOrEmpty -Because 'no probe pod process may stay on the lab'
        # Only this lab's names: other tests' labs come and go on the same machine.
        @(Get-NetworkNamespaces | Where-Object { $_.StartsWith("$($Lab.Prefix)-") -and $_ -notin $LabNetworkNamespaces }) | Should -BeNullOrEmpty -Because 'no network namespace may stay'
    }

    function Set-KubeletFault([string] $Node, [string] $Fault) { $null = Invoke-Api "/emulator/kubelets/$Node`?fault=$Fault" PUT }

    function Get-RequestsSinceReset { @(Invoke-Api '/emulator/requests') }

    # Used by the docs example (Assert-DocsExample runs its code in the DocsPages module's scope, so this is global).
    function global:Invoke-K3sNetAllNodesExample([string] $EncodedCode) {
        $code = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($EncodedCode))
        Invoke-OnServer "@(& { $code } | Out-String -Width 120 -Stream)"
    }

    if (-not $NoLab) {
        try {
            $Lab = New-K3sNetLab -NodeCount 3 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 -NoVxlanInto k3s-agent-2
            $Cloud = Start-K3sNetLabCloud -Lab $Lab
            $LabNetworkNamespaces = Get-NetworkNamespaces
        }
        catch {
            if ($Lab) { Remove-K3sNetLab -Lab $Lab }
            throw
        }
    }
}

AfterAll {
    if ($Lab) { Remove-K3sNetLab -Lab $Lab }
    Remove-Item -LiteralPath Function:\Invoke-K3sNetAllNodesExample -ErrorAction Ignore
}

Describe 'Test-K3sVxlan -AllNodes on a 3-node lab where k3s-agent-2 admits no UDP 8472' {
    AfterEach {
        if ($Cloud) {
            foreach ($node in $Lab.Nodes.Name) { Set-KubeletFault $node None }
            $null = Invoke-Api '/emulator/forbid' DELETE
        }
    }

    It 'judges every ordered pair from its own node: the paths to and from k3s-agent-2 VxlanBlocked, the rest Healthy; then nothing is left' {
        Skip-WithoutLab
        $null = Invoke-Api '/emulator/requests' DELETE

        # 3 s per probe: a machine that runs several labs at once must not turn a slow answer into NodeUnreachable.
        $results = @(Invoke-OnServer '@(Get-K3sNode | Test-K3sVxlan -AllNodes -TimeoutSeconds 3)')

        $results | Should -HaveCount 6
        foreach ($result in $results) {
            $expected = if ('k3s-agent-2' -in $result.Source, $result.Destination) { 'VxlanBlocked' } else { 'Healthy' }
            "$($result.Source) -> $($result.Destination): $($result.Verdict)" | Should -Be "$($result.Source) -> $($result.Destination): $expected" -Because $result.Reason
        }
        ($results | Where-Object { $_.Source -eq 'k3s-server' -and $_.Destination -eq 'k3s-agent-2' }).Reason | Should -Match "k3s-agent-2's security group"
        ($results | Where-Object { $_.Source -eq 'k3s-server' -and $_.Destination -eq 'k3s-agent-1' }).PathMtu | Should -BeGreaterThan 1000
        ($results | ForEach-Object { "$($_.Source)>$($_.Destination)" } | Sort-Object -Unique) | Should -HaveCount 6

        # 2 requests per node (its pod, its exec session) and 5 per run (node list, leftover list, namespace create, pod
        # watch, namespace delete), as docs/Test-K3sVxlan.md says; Get-K3sNode before it made 2 (nodes, CoreDNS pods).
        $requests = @(Get-RequestsSinceReset | Where-Object { $_.authenticatedAs -ne 'token' })
        $requests | Should -HaveCount (2 + 2 * 3 + 5) -Because ($requests | ForEach-Object { "$($_.method) $($_.pathAndQuery)" } | Out-String)
        @($requests | Where-Object { $_.pathAndQuery -like '*watch=true*' }) | Should -HaveCount 1
        @($requests | Where-Object { $_.pathAndQuery -like '*/exec?*' }) | Should -HaveCount 3
        @($requests | Where-Object { $_.method -eq 'POST' -and $_.pathAndQuery -like '/api/v1/namespaces/k3snet-*/pods*' }) | Should -HaveCount 3
        Assert-NothingLeft
    }

    It 'streams verbose notes prefixed with each node' {
        Skip-WithoutLab
        $verbose = @(Invoke-OnServer '@(Get-K3sNode | Test-K3sVxlan -AllNodes -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] } | ForEach-Object Message)')
        $verbose | Where-Object { $_ -match '^k3s-agent-1: ' } | Should -Not -BeNullOrEmpty
        $verbose | Where-Object { $_ -match '3 of 3 probe pod\(s\) ready in k3snet-[0-9a-f]{8}' } | Should -Not -BeNullOrEmpty
        Assert-NothingLeft
    }

    It 'gives NotTested with ErrImagePull, in the kubelet''s words, when the image cannot be pulled' {
        Skip-WithoutLab
        $results = @(Invoke-OnServer '@(Get-K3sNode | Test-K3sVxlan -AllNodes -Image fault.k3snet.invalid/image-pull -StartTimeoutSeconds 30)')
        $results | Should -HaveCount 6
        foreach ($result in $results) {
            $result.Verdict | Should -Be 'NotTested'
            $result.Reason | Should -Match "^The probe pod on $([regex]::Escape($result.Source)) could not start: (ErrImagePull|ImagePullBackOff): "
            $result.Remedy | Should -Match '-Image'
        }
        Assert-NothingLeft
    }

    It 'makes only the node whose kubelet refuses exec NotTested, and judges the others' {
        Skip-WithoutLab
        Set-KubeletFault k3s-agent-1 ExecRefused
        $results = @(Invoke-OnServer '@(Get-K3sNode | Test-K3sVxlan -AllNodes -TimeoutSeconds 3)')
        $results | Should -HaveCount 6
        $fromAgent1 = @($results | Where-Object Source -EQ 'k3s-agent-1')
        $fromAgent1 | Should -HaveCount 2
        $fromAgent1.Verdict | Should -Be @('NotTested', 'NotTested')
        $fromAgent1 | ForEach-Object { $_.Reason | Should -Match '^K3sNet could not exec into the probe pod on k3s-agent-1 \(k3snet-node-k3s-agent-1\): ' }
        ($results | Where-Object { $_.Source -eq 'k3s-server' -and $_.Destination -eq 'k3s-agent-1' }).Verdict | Should -Be 'Healthy'
        ($results | Where-Object { $_.Source -eq 'k3s-server' -and $_.Destination -eq 'k3s-agent-2' }).Verdict | Should -Be 'VxlanBlocked'
        Assert-NothingLeft
    }

    It 'stops with KubeForbidden naming create pods/exec when RBAC refuses exec, and leaves nothing' {
        Skip-WithoutLab
        $null = Invoke-Api '/emulator/forbid?verb=create&resource=pods%2Fexec' PUT
        $failure = Invoke-OnServer @'
try { $null = @(Get-K3sNode | Test-K3sVxlan -AllNodes); $null }
catch { @{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message; Action = $_.ErrorDetails.RecommendedAction } }
'@
        # RBAC refuses every node's exec alike: the run stops with the rule to add, not a NotTested for every path.
        $failure | Should -Not -BeNullOrEmpty
        $failure.Id | Should -BeLike 'KubeForbidden,*'
        $failure.Category | Should -Be 'PermissionDenied'
        $failure.Message | Should -Match 'K3sNet needs to create pods/exec in its probe namespace k3snet-[0-9a-f]{8}'
        $failure.Action | Should -Match 'resources: \["pods/exec"\], verbs: \["create"\]'
        Assert-NothingLeft
    }

    It 'stops with KubeForbidden naming create pods, with the ClusterRole to add, and leaves nothing' {
        Skip-WithoutLab
        $null = Invoke-Api '/emulator/forbid?verb=create&resource=pods' PUT
        $failure = Invoke-OnServer @'
try { $null = @(Get-K3sNode | Test-K3sVxlan -AllNodes); $null }
catch { @{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Message = $_.Exception.Message; Action = $_.ErrorDetails.RecommendedAction } }
'@
        $failure | Should -Not -BeNullOrEmpty
        $failure.Id | Should -BeLike 'KubeForbidden,*'
        $failure.Category | Should -Be 'PermissionDenied'
        $failure.Message | Should -Match 'K3sNet needs to create pods in its probe namespace k3snet-[0-9a-f]{8}'
        $failure.Action | Should -Match 'ClusterRole'
        $failure.Action | Should -Match 'pods/exec: create'
        Assert-NothingLeft
    }

    It 'removes its namespace when stopped with Ctrl+C (PowerShell.Stop from the same process) mid-run' {
        Skip-WithoutLab
        # Every exec hangs, so the run is surely mid-way (pods running, sessions open) when it is stopped.
        foreach ($node in $Lab.Nodes.Name) { Set-KubeletFault $node ExecHang }
        $outcome = Invoke-OnServer @"
`$ps = [powershell]::Create()
`$null = `$ps.AddScript("Import-Module '$ModulePath/K3sNet.psd1'; `$env:KUBECONFIG = '$($Cloud.Kubeconfig)'; Get-K3sNode | Test-K3sVxlan -AllNodes")
`$invocation = `$ps.BeginInvoke()
`$headers = @{ Authorization = 'Bearer $($Cloud.KubeApi.Token)' }
function Get-Running { @((Invoke-RestMethod '$($Cloud.KubeApiUrl)/api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk3snet' -Headers `$headers -SkipCertificateCheck).items | Where-Object { `$_.status.phase -eq 'Running' }) }
for (`$poll = 0; `$poll -lt 600 -and (Get-Running).Count -lt 3; `$poll++) { Start-Sleep -Milliseconds 100 }
`$running = (Get-Running).Count
Start-Sleep -Milliseconds 500
`$ps.Stop()
`$stopped = `$invocation.IsCompleted
@{ RunningBeforeStop = `$running; Stopped = `$stopped; State = "`$(`$ps.InvocationStateInfo.State)" }
"@
        $outcome.RunningBeforeStop | Should -Be 3
        $outcome.State | Should -Be 'Stopped'
        Assert-NothingLeft
    }

    It 'after kill -9 mid-run: the next run warns about the namespace left behind, and Remove-K3sNetProbe removes it' {
        Skip-WithoutLab
        foreach ($node in $Lab.Nodes.Name) { Set-KubeletFault $node ExecHang }
        $pwsh = Get-PwshCommandLine
        $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes((Get-ServerCommand '@(Get-K3sNode | Test-K3sVxlan -AllNodes)')))
        $start = [Diagnostics.ProcessStartInfo]::new('ip')
        foreach ($argument in @('netns', 'exec', $Cloud.Namespace) + $pwsh + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $child = [Diagnostics.Process]::Start($start)
        try {
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (@(Get-ProbeNamespaces).Count -eq 0 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 200 }
            $left = @(Get-ProbeNamespaces)
            $left | Should -HaveCount 1
            Start-Sleep -Seconds 2
        }
        finally {
            # ip netns exec execs pwsh: this pid is the run itself. SIGKILL: no finally of the cmdlet runs.
            & kill -9 $child.Id
            $child.WaitForExit()
        }
        foreach ($node in $Lab.Nodes.Name) { Set-KubeletFault $node None }
        Get-ProbeNamespaces | Should -Be $left -Because 'a killed run cannot remove its namespace'

        $next = Invoke-OnServer '@{ Results = @(Get-K3sNode | Test-K3sVxlan -AllNodes 3>$null -WarningVariable warned); Warnings = @($warned | ForEach-Object Message) }'
        $next.Results | Should -HaveCount 6
        $warning = @($next.Warnings | Where-Object { $_ -match [regex]::Escape($left[0]) })
        $warning | Should -HaveCount 1
        $warning[0] | Should -Match "^The namespace $($left[0]) of another K3sNet run is still in the cluster: made by \S+@\S+ \(pid \d+\), from 'Test-K3sVxlan -AllNodes', \d+ s old\. If that run has ended, Remove-K3sNetProbe removes it\.$"
        Get-ProbeNamespaces | Should -Be $left -Because 'a run removes only its own namespace'

        $removed = @(Invoke-OnServer '@(Remove-K3sNetProbe -PassThru -Confirm:$false)')
        $removed | Should -Be $left
        Assert-NothingLeft
    }

    It 'runs "<Title>" as documented' -ForEach @($DocsExamples) {
        Skip-WithoutLab
        $encoded = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($Code))
        Assert-DocsExample -Code "Invoke-K3sNetAllNodesExample -EncodedCode '$encoded'" -Output $Output
        Assert-NothingLeft
    }
}

Describe 'The errors of a probe run' {
    # Pod Security admission refuses nothing in the lab (K3sNet labels its namespace privileged), so the record a
    # refusal becomes is built here from the API's own words, through the module's internal error factory.
    BeforeAll {
        Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force
        $Assembly = [K3sNet.K3sNode].Assembly
        $Errors = $Assembly.GetType('K3sNet.Commands.ClusterErrors', $true)
        function New-Refusal([string] $Verb, [string] $Resource, [string] $Namespace, [string] $Message) {
            $request = [Activator]::CreateInstance($Assembly.GetType('K3sNet.Kubernetes.ClusterRequest', $true), @([uri]'https://10.0.1.10:6443', $Verb, $Resource, $Namespace))
            $failure = [Enum]::Parse($Assembly.GetType('K3sNet.Kubernetes.ClusterRequestFailure', $true), 'Forbidden')
            [Activator]::CreateInstance($Assembly.GetType('K3sNet.Kubernetes.ClusterRequestException', $true),
                [Reflection.BindingFlags]'Instance, Public, NonPublic', $null, @($failure, $request, $Message, [Net.HttpStatusCode]::Forbidden, $null), $null)
        }
        function ConvertTo-ProbeError($Refusal) { $Errors.GetMethod('FromProbeRequest').Invoke($null, @($Refusal, 30)) }
    }

    It 'says which Pod Security level the namespace needs, and why, when admission refuses the probe pods' {
        $record = ConvertTo-ProbeError (New-Refusal create pods k3snet-0badc0de 'pods "k3snet-node-k3s-agent-2" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), privileged (container "probe" must not set securityContext.privileged=true)')
        $record.FullyQualifiedErrorId | Should -Be 'ProbePodSecurityRefused'
        $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $record.TargetObject | Should -Be 'k3snet-0badc0de/pods'
        $record.Exception.Message | Should -Match 'violates PodSecurity "baseline:latest"'
        $record.Exception.Message | Should -Match 'pod-security\.kubernetes\.io/enforce=privileged'
        $record.Exception.Message | Should -Match 'hostNetwork, hostPID and privileged'
        $record.Exception.Message | Should -Match "mounts k3s's tool directory read-only"
        $record.Exception.Message | Should -Match "the node's own network state"
        $record.ErrorDetails.RecommendedAction | Should -Match 'enforce=privileged'
    }

    It 'names the verb, the resource and the ClusterRole rule on a 403' {
        $record = ConvertTo-ProbeError (New-Refusal create pods/exec k3snet-0badc0de 'pods "k3snet-node-k3s-server" is forbidden: User "ops" cannot create resource "pods/exec" in API group "" in the namespace "k3snet-0badc0de"')
        $record.FullyQualifiedErrorId | Should -Be 'KubeForbidden'
        $record.Exception.Message | Should -Match 'K3sNet needs to create pods/exec in its probe namespace k3snet-0badc0de\.$'
        $record.ErrorDetails.RecommendedAction | Should -Match '^Grant a ClusterRole with the rule \{apiGroups: \[""\], resources: \["pods/exec"\], verbs: \["create"\]\}'
        $record.ErrorDetails.RecommendedAction | Should -Match 'pods/exec: create'
    }
}
