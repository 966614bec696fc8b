#Requires -Version 7.4
<#
.SYNOPSIS
Measures `Get-K3sNode | Test-K3sVxlan -AllNodes` on a 50-node lab through Kubernetes, end to end, against a serial
`kubectl exec` ping loop over the same nodes, and counts the API requests of each.

.DESCRIPTION
Builds a network-namespace lab (tests/Lab) of -NodeCount nodes with no workload pods, makes the last -Blocked nodes'
security groups drop UDP 8472, and starts the lab's cloud (the Kubernetes API emulator with its lab kubelet, which runs
each pod's processes on its lab node). Then, from the server's namespace, as a user with a kubeconfig:
  - K3sNet: a fresh pwsh imports the module and runs `Get-K3sNode | Test-K3sVxlan -AllNodes`: one probe pod per node,
    each node's own checks against every peer through an exec session, every ordered pair judged from both ends
    (N x (N-1) results), and the probe namespace deleted. Timed in the process (the pipeline) and from outside (pwsh
    start to exit: what the user waits for from the prompt).
  - kubectl: the same requests kubectl would make, through KubernetesClient from the module's Dependencies folder
    (tools/Bench/KubectlExecLoop.cs; there is no kubectl here): a namespace, one hostNetwork pod per node, then
    `kubectl exec <pod> -- busybox ping -c 1 -W <timeout> <peer's VTEP>` for every ordered pair, one after another,
    and the namespace deleted.
  - Test-K3sPodNetwork the same way: a pod per node on the pod network, what pods see (pod to pod, DNS, the API).
-Tool picks some of the three.
Both count their requests from the emulator's request log (GET /emulator/requests), by kind and per node. Returns
one object per tool. Needs root: without it, it says so and measures nothing. The lab is removed at the end, also on
failure, and the script checks no K3sNet namespace was left in the API.

.EXAMPLE
sudo dotnet pwsh ./tools/Bench/AllNodes.ps1 -ModulePath ./out/K3sNet
#>
[CmdletBinding()]
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../../out/K3sNet'),

    [ValidateRange(3, 240)]
    [int] $NodeCount = 50,

    # How many nodes (the last ones) drop UDP 8472.
    [ValidateRange(0, 239)]
    [int] $Blocked = 5,

    [ValidateRange(1, 10)]
    [int] $TimeoutSeconds = 1,

    # K3sNet's -StartTimeoutSeconds: how long the probe pods may take to start (the lab's kubelet on a loaded 2-core
    # machine takes longer than a real node's).
    [ValidateRange(1, 3600)]
    [int] $StartTimeoutSeconds = 60,

    # K3sNet's -ThrottleLimit (parallel exec sessions); 0 leaves the cmdlet's default.
    [ValidateRange(0, 1000)]
    [int] $ThrottleLimit = 0,

    # Which to measure: K3sNet (Test-K3sVxlan -AllNodes), PodNetwork (Test-K3sPodNetwork), Kubectl (the serial exec
    # loop).
    [ValidateSet('K3sNet', 'PodNetwork', 'Kubectl')]
    [string[]] $Tool = @('K3sNet', 'PodNetwork', 'Kubectl')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tests/Lab/K3sNetLab.psm1') -Force
# After the lab: its own import of TestSupport.psm1 imports PwshProcess.psm1 again with -Force.
Import-Module (Join-Path $PSScriptRoot '../PwshProcess.psm1') -Force

if ($whyNot = Test-K3sNetLabSupport) {
    Write-Warning "Test-K3sVxlan -AllNodes benchmark skipped: $whyNot. Run it as root on Linux with iproute2 and nftables."
    return
}
if ($Blocked -ge $NodeCount) { throw "-Blocked ($Blocked) must leave at least one of the $NodeCount nodes whole." }
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).ProviderPath

# The child processes' shared prelude: the emulator's control endpoint (its request log) and a request-kind namer.
$prelude = @'
$ErrorActionPreference = 'Stop'
function Invoke-Emulator([string] $Method, [string] $Path) {
    Invoke-RestMethod -Method $Method -Uri "$env:K3SNET_BENCH_API/$Path" -Headers @{ Authorization = "Bearer $env:K3SNET_BENCH_TOKEN" } -SkipCertificateCheck
}
function Get-RequestKind($Request) {
    # "VERB /path" with names taken out, as RBAC sees a request: GET /api/v1/namespaces/{ns}/pods/{pod}/exec.
    $path = $Request.pathAndQuery -replace '\?.*$', ''
    $path = $path -replace '/namespaces/[^/]+', '/namespaces/{ns}' -replace '/pods/[^/]+', '/pods/{pod}' -replace '/nodes/[^/]+', '/nodes/{node}' -replace '/services/[^/]+', '/services/{service}'
    if ($Request.pathAndQuery -match '[?&]watch=(1|true)') { $path += '?watch' }
    elseif ($Request.pathAndQuery -match '[?&]labelSelector=') { $path += '?labelSelector' }
    "$($Request.method) $path"
}
function Get-RequestSummary {
    # A request is logged when it ends: wait (5 s at most) until none is in flight, the last exec's close included.
    for ($poll = 0; $poll -lt 250 -and [int](Invoke-Emulator GET 'emulator/active') -gt 0; $poll++) { Start-Sleep -Milliseconds 20 }
    $requests = @(Invoke-Emulator GET 'emulator/requests' | ForEach-Object { $_ } | Where-Object { $_.pathAndQuery -notlike '/emulator/*' })
    $byKind = [ordered]@{}
    foreach ($group in $requests | Group-Object { Get-RequestKind $_ } | Sort-Object Count -Descending) { $byKind[$group.Name] = $group.Count }
    [ordered]@{ Total = $requests.Count; ByKind = $byKind }
}
'@

function Invoke-InServer([string] $Script, [hashtable] $Environment) {
    # A fresh pwsh in the server's namespace, as a user runs it; its last <<BENCH>> line as an object, and the time
    # from its start to its exit.
    $pwsh = Get-PwshCommandLine
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes("$prelude`n$Script"))
    $saved = @{}
    foreach ($name in $Environment.Keys) { $saved[$name] = [Environment]::GetEnvironmentVariable($name); [Environment]::SetEnvironmentVariable($name, $Environment[$name]) }
    try {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $output = & ip netns exec $server.Namespace @pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $encoded 2>&1 | ForEach-Object { "$_" }
        $processSeconds = $clock.Elapsed.TotalSeconds
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
    $line = $output | Where-Object { $_.StartsWith('<<BENCH>>') } | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $line) { throw "The benchmark's pwsh failed (exit code $LASTEXITCODE):`n$($output -join "`n")" }
    $measured = $line.Substring(9) | ConvertFrom-Json
    $measured | Add-Member -NotePropertyName ProcessSeconds -NotePropertyValue $processSeconds
    $measured
}

function Write-Requests([string] $Tool, $Requests, [int] $Nodes) {
    Write-Host ("  {0}: {1} API requests, {2:0.0} per node:" -f $Tool, $Requests.Total, ($Requests.Total / $Nodes))
    foreach ($kind in $Requests.ByKind.PSObject.Properties) { Write-Host ("    {0}: {1,5} x {2}" -f $Tool, $kind.Value, $kind.Name) }
}

function Measure-K3sNet {
    # Test-K3sVxlan -AllNodes from the prompt, in a fresh pwsh in the server's namespace.
    $throttle = if ($ThrottleLimit) { "-ThrottleLimit $ThrottleLimit" } else { '' }
    $k3snet = Invoke-InServer -Environment $environment -Script @"
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$null = Invoke-Emulator DELETE 'emulator/requests'
`$clock = [Diagnostics.Stopwatch]::StartNew()
# When the first and the last result come: before the first, pods start and the node agents read each node's state;
# after the last, the namespace is deleted.
`$first = `$null; `$last = `$null
`$results = @(Get-K3sNode | Test-K3sVxlan -AllNodes -TimeoutSeconds $TimeoutSeconds -StartTimeoutSeconds $StartTimeoutSeconds $throttle -ProgressAction SilentlyContinue | ForEach-Object {
    if (`$null -eq `$first) { `$first = `$clock.Elapsed.TotalSeconds }
    `$last = `$clock.Elapsed.TotalSeconds
    `$_
})
`$seconds = `$clock.Elapsed.TotalSeconds
`$requests = Get-RequestSummary
`$left = @((Invoke-Emulator GET 'api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk3snet').items)
'<<BENCH>>' + (@{
    Seconds = `$seconds; First = `$first; Last = `$last; Count = `$results.Count; Sources = @(`$results.Source | Sort-Object -Unique).Count
    Verdicts = @(`$results | Group-Object Verdict | Sort-Object Name | ForEach-Object { "`$(`$_.Name)=`$(`$_.Count)" })
    # Why pairs were not judged, names and numbers taken out so alike reasons group.
    NotJudged = @(`$results | Where-Object Verdict -in 'NotTested', 'NodeUnreachable' | Group-Object { (`$_.Reason -replace 'k3s-[a-z0-9-]+', '<node>' -replace '[0-9]+(\.[0-9]+)*', 'N').Substring(0, [math]::Min(160, (`$_.Reason -replace 'k3s-[a-z0-9-]+', '<node>' -replace '[0-9]+(\.[0-9]+)*', 'N').Length)) } |
        Sort-Object Count -Descending | Select-Object -First 3 | ForEach-Object { "`$(`$_.Count) x `$(`$_.Name)" })
    Requests = `$requests; Leftovers = `$left.Count
} | ConvertTo-Json -Compress -Depth 5)
"@
    foreach ($reason in $k3snet.NotJudged) { Write-Host "  not judged: $reason" }
    Write-Host ("Test-K3sVxlan -AllNodes: {0:0.0} s in the pipeline, {1:0.0} s from the prompt (pwsh start to exit); {2} results from {3} nodes: {4}; {5} K3sNet namespaces left." -f
        $k3snet.Seconds, $k3snet.ProcessSeconds, $k3snet.Count, $k3snet.Sources, ($k3snet.Verdicts -join ', '), $k3snet.Leftovers)
    Write-Host ("  first result after {0:0.0} s (pods started, node state read), last after {1:0.0} s, then {2:0.0} s to the end (the namespace deleted)." -f
        $k3snet.First, $k3snet.Last, ($k3snet.Seconds - $k3snet.Last))
    Write-Requests 'Test-K3sVxlan -AllNodes' $k3snet.Requests $NodeCount
    [pscustomobject]@{
        Tool = 'Test-K3sVxlan -AllNodes'; NodeCount = $NodeCount; BlockedNodes = $Blocked; Pairs = $pairs; Results = $k3snet.Count
        PipelineSeconds = [math]::Round($k3snet.Seconds, 1); PromptSeconds = [math]::Round($k3snet.ProcessSeconds, 1)
        FirstResultSeconds = [math]::Round($k3snet.First, 1); LastResultSeconds = [math]::Round($k3snet.Last, 1)
        Requests = $k3snet.Requests.Total; RequestsPerNode = [math]::Round($k3snet.Requests.Total / $NodeCount, 1)
        Verdicts = $k3snet.Verdicts -join ', '; Leftovers = $k3snet.Leftovers
    }
}

function Measure-PodNetwork {
    # Test-K3sPodNetwork from the prompt: the pod-network probes (a pod per node on the pod network, one exec each).
    $pods = Invoke-InServer -Environment $environment -Script @"
Import-Module (Join-Path '$ModulePath' 'K3sNet.psd1')
`$null = Invoke-Emulator DELETE 'emulator/requests'
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$results = @(Get-K3sNode | Test-K3sPodNetwork -StartTimeoutSeconds $StartTimeoutSeconds -ProgressAction SilentlyContinue)
`$seconds = `$clock.Elapsed.TotalSeconds
`$requests = Get-RequestSummary
`$left = @((Invoke-Emulator GET 'api/v1/namespaces?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dk3snet').items)
'<<BENCH>>' + (@{
    Seconds = `$seconds; Count = `$results.Count; PodPairs = @(`$results | Where-Object { "`$(`$_.Check)" -eq 'PodToPod' }).Count
    Verdicts = @(`$results | Group-Object Verdict | Sort-Object Name | ForEach-Object { "`$(`$_.Name)=`$(`$_.Count)" })
    Requests = `$requests; Leftovers = `$left.Count
} | ConvertTo-Json -Compress -Depth 5)
"@
    Write-Host ("Test-K3sPodNetwork: {0:0.0} s in the pipeline, {1:0.0} s from the prompt; {2} results ({3} pod pairs): {4}; {5} K3sNet namespaces left." -f
        $pods.Seconds, $pods.ProcessSeconds, $pods.Count, $pods.PodPairs, ($pods.Verdicts -join ', '), $pods.Leftovers)
    Write-Requests 'Test-K3sPodNetwork' $pods.Requests $NodeCount
    [pscustomobject]@{
        Tool = 'Test-K3sPodNetwork'; NodeCount = $NodeCount; BlockedNodes = $Blocked; Pairs = $pairs; Results = $pods.Count
        PipelineSeconds = [math]::Round($pods.Seconds, 1); PromptSeconds = [math]::Round($pods.ProcessSeconds, 1)
        Requests = $pods.Requests.Total; RequestsPerNode = [math]::Round($pods.Requests.Total / $NodeCount, 1)
        Verdicts = $pods.Verdicts -join ', '; Leftovers = $pods.Leftovers
    }
}

function Measure-KubectlLoop {
    # The serial kubectl exec ping loop, in a fresh pwsh in the server's namespace.
    $image = ((Get-Content -Raw -LiteralPath $lab.NodesPath | ConvertFrom-Json).items[0].status.images.names | Where-Object { $_ -match '/mirrored-pause:' } | Select-Object -First 1)
    $dependencies = Join-Path $ModulePath 'Dependencies'
    $names = ($lab.Nodes.Name | ForEach-Object { "'$_'" }) -join ','
    $vteps = ($lab.Nodes.VtepAddress | ForEach-Object { "'$_'" }) -join ','
    $serial = Invoke-InServer -Environment $environment -Script @"
foreach (`$dll in 'Fractions.dll', 'YamlDotNet.dll', 'KubernetesClient.dll') { Add-Type -LiteralPath (Join-Path '$dependencies' `$dll) }
Add-Type -TypeDefinition (Get-Content -Raw -LiteralPath '$(Join-Path $PSScriptRoot 'KubectlExecLoop.cs')') -ReferencedAssemblies (Join-Path '$dependencies' 'KubernetesClient.dll'), System.Net.Http, System.Net.Primitives, System.Collections, System.Linq, System.Runtime, System.Threading, netstandard -IgnoreWarnings -WarningAction SilentlyContinue
`$null = Invoke-Emulator DELETE 'emulator/requests'
`$clock = [Diagnostics.Stopwatch]::StartNew()
`$loop = [K3sNetBench.KubectlExecLoop]::Run(`$env:KUBECONFIG, @($names), @($vteps), '$image', '$($lab.K3sToolDirectory)', $TimeoutSeconds)
`$seconds = `$clock.Elapsed.TotalSeconds
'<<BENCH>>' + (@{
    Seconds = `$seconds; PodStart = `$loop.PodStartSeconds; Exec = `$loop.ExecSeconds; Cleanup = `$loop.CleanupSeconds
    Execs = `$loop.Execs; Answered = `$loop.Answered; Failed = `$loop.Failed; Requests = Get-RequestSummary
} | ConvertTo-Json -Compress -Depth 5)
"@
    Write-Host ("Serial kubectl exec ping loop: {0:0.0} s in the process ({1:0.0} s pod start, {2:0.0} s for {3} execs one at a time, {4:0.0} s cleanup), {5:0.0} s from the prompt; {6} answered, {7} not." -f
        $serial.Seconds, $serial.PodStart, $serial.Exec, $serial.Execs, $serial.Cleanup, $serial.ProcessSeconds, $serial.Answered, $serial.Failed)
    Write-Requests 'kubectl exec loop' $serial.Requests $NodeCount
    [pscustomobject]@{
        Tool = 'serial kubectl exec ping loop'; NodeCount = $NodeCount; BlockedNodes = $Blocked; Pairs = $pairs; Results = $serial.Execs
        PipelineSeconds = [math]::Round($serial.Seconds, 1); PromptSeconds = [math]::Round($serial.ProcessSeconds, 1)
        Requests = $serial.Requests.Total; RequestsPerNode = [math]::Round($serial.Requests.Total / $NodeCount, 1)
        Verdicts = "Answered=$($serial.Answered), Unanswered=$($serial.Failed)"; Leftovers = 0
    }
}

$lab = $null
try {
    $built = [Diagnostics.Stopwatch]::StartNew()
    $lab = New-K3sNetLab -NodeCount $NodeCount -PodsPerNode 0
    foreach ($node in @($lab.Nodes | Select-Object -Last $Blocked)) {
        Set-K3sNetLabFault -Lab $lab -Fault VxlanBlocked -Node $node.Name
    }
    $cloud = Start-K3sNetLabCloud -Lab $lab
    $server = $lab.Nodes | Where-Object IsServer | Select-Object -First 1
    $pairs = $NodeCount * ($NodeCount - 1)
    Write-Host ("Lab of {0} nodes and its cloud built in {1:0.0} s; {2} of them drop UDP 8472; {3} ordered pairs; timeout {4} s." -f
        $NodeCount, $built.Elapsed.TotalSeconds, $Blocked, $pairs, $TimeoutSeconds)
    $environment = @{ K3SNET_BENCH_API = $cloud.KubeApi.Url; K3SNET_BENCH_TOKEN = $cloud.KubeApi.Token; KUBECONFIG = $cloud.Kubeconfig }

    if ('K3sNet' -in $Tool) { Measure-K3sNet }
    if ('PodNetwork' -in $Tool) { Measure-PodNetwork }
    if ('Kubectl' -in $Tool) { Measure-KubectlLoop }
}
finally {
    if ($lab) { Remove-K3sNetLab -Lab $lab }
}
