#Requires -Version 7.4
<#
.SYNOPSIS
The demo's story, run by tools/Demo.ps1 inside the lab's server node (ip netns exec): what an operator with a
kubeconfig types when pods on one k3s agent cannot reach an AWS endpoint, and what K3sNet answers.

.DESCRIPTION
Each step prints the command a user would type, then runs it. Nothing is installed on the nodes: Test-K3sVxlan
-AllNodes and Test-K3sPodNetwork run their probes in short-lived pods that Kubernetes (the API emulator's lab kubelet)
starts on every node, with k3s's own tools and the pause image the nodes already hold, and remove them. The one step
that stands in for another tool is "kubectl exec" into the workload pod on k3s-agent-2: the lab enters that pod's
namespaces (what the kubelet does for kubectl exec) and runs the pod's busybox.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Kubeconfig,
    # Region, AccessKey, SecretKey, EndpointUrl as JSON: the EC2 emulator on this node's loopback and its test keys.
    [Parameter(Mandatory)] [string] $AwsJson,
    # The workload pod on k3s-agent-2 as JSON: Name, Namespace, its node's InitPid and its network namespace.
    [Parameter(Mandatory)] [string] $PodJson
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
$Width = 120
$Egress = 'ssm.us-east-1.amazonaws.com:443'

function Show-Step([string] $Title, [string] $Command, [scriptblock] $Run) {
    # $Run stands in for $Command where the lab does what another tool would (kubectl exec); else $Command itself runs.
    Write-Host ''
    Write-Host "# $Title" -ForegroundColor Green
    foreach ($line in $Command -split "`n") { Write-Host "PS> $line" -ForegroundColor Yellow }
    if (-not $Run) { $Run = [scriptblock]::Create($Command) }
    $output = & $Run | Out-String -Width $Width
    if ($output.Trim()) { Write-Host ((Format-DemoText $output.TrimEnd()) -join [Environment]::NewLine) }
}

function Format-DemoText([string] $Text) {
    # Out-String fits tables and views to the width but leaves a long string as it is, and a terminal would break it
    # mid-word: wrap such lines at spaces, so a Reason reads whole.
    foreach ($line in $Text -split '\r?\n') {
        $rest = $line
        while ($rest.Length -gt $Width -and ($cut = $rest.LastIndexOf(' ', $Width)) -gt 0) {
            $rest.Substring(0, $cut)
            $rest = $rest.Substring($cut + 1)
        }
        $rest
    }
}

function Invoke-InPod([string[]] $Command) {
    # kubectl exec into the workload pod on k3s-agent-2: its node's PID and mount namespaces, its network namespace.
    & nsenter -t $Pod.InitPid -p -m -- ip netns exec $Pod.NetNamespace @Command 2>&1 | ForEach-Object { "$_" }
    "(exit code $LASTEXITCODE)"
}

$env:KUBECONFIG = $Kubeconfig
$Pod = $PodJson | ConvertFrom-Json
$awsSettings = $AwsJson | ConvertFrom-Json
$aws = [ordered]@{ Region = $awsSettings.Region; EndpointUrl = $awsSettings.EndpointUrl; AccessKey = $awsSettings.AccessKey; SecretKey = $awsSettings.SecretKey }
$kubectl = "kubectl exec -n $($Pod.Namespace) $($Pod.Name) --"
$resolve = @('busybox', 'nslookup', '-timeout=2', '-retry=1', 'ssm.us-east-1.amazonaws.com')
# The workload pod's image is busybox (docker.io/library/busybox has nc, unlike k3s's own): a TCP handshake to 443.
# kubectl exec without -i gives the command no stdin; here sh gives nc /dev/null for it.
$connect = @('sh', '-c', 'busybox nc -w 3 ssm.us-east-1.amazonaws.com 443 </dev/null && echo connected')
$connectShown = 'busybox nc -w 3 ssm.us-east-1.amazonaws.com 443'

Write-Host ''
Write-Host '# The cluster''s API through a kubeconfig, and the AWS settings (the EC2 endpoint is the lab''s, with test keys).' -ForegroundColor Green
Write-Host "PS> `$env:KUBECONFIG = '$Kubeconfig'" -ForegroundColor Yellow
Write-Host "PS> `$aws = @{ Region = '$($aws.Region)'; EndpointUrl = '$($aws.EndpointUrl)'; AccessKey = '$($aws.AccessKey)'; SecretKey = '$($aws.SecretKey)' }" -ForegroundColor Yellow

Show-Step '1. The symptom: a pod on k3s-agent-2 cannot resolve the region''s SSM endpoint. (The lab has no kubectl: it enters the pod''s namespaces, as the kubelet does for kubectl exec.)' `
    "$kubectl $($resolve -join ' ')" { Invoke-InPod $resolve }

Show-Step '2. The cluster: one server (CoreDNS runs there), two agents.' `
    'Get-K3sNode'

Show-Step '3. Every node tests every peer, through Kubernetes: a probe pod per node, nothing installed, all removed after.' `
    "`$paths = Get-K3sNode | Test-K3sVxlan -AllNodes`n`$paths | Show-K3sVxlanMatrix" `
    { $script:paths = @(Get-K3sNode | Test-K3sVxlan -AllNodes -ProgressAction SilentlyContinue); $paths | Show-K3sVxlanMatrix }

Show-Step '   Why, in each node''s own words.' `
    '$paths | Where-Object Verdict -NE Healthy | ForEach-Object { "$($_.Source) -> $($_.Destination): $($_.Reason)" }'

Show-Step '4. What pods see: pod to pod, the cluster DNS, the kubernetes Service, and the SSM endpoint, from every node.' `
    "`$pods = Get-K3sNode | Test-K3sPodNetwork -Egress $Egress -VxlanResult `$paths`n`$pods | Where-Object Verdict -NE Healthy | Format-Table Check, Source, Destination, Verdict, Cause" `
    { $script:pods = @(Get-K3sNode | Test-K3sPodNetwork -Egress $Egress -VxlanResult $paths -ProgressAction SilentlyContinue); $pods | Where-Object Verdict -NE Healthy | Format-Table Check, Source, Destination, Verdict, Cause }

Show-Step '   Why pods on k3s-agent-2 cannot resolve names, with the node-level cause.' `
    '$pods | Where-Object { $_.Check -eq ''ClusterDns'' -and $_.Verdict -ne ''Healthy'' } | ForEach-Object Reason'

Show-Step '5. Which security group drops it, and from whom?' `
    'Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed }'

Show-Step '6. The one-liner, with -WhatIf first: nothing changes yet.' `
    '$paths | Where-Object Verdict -EQ VxlanBlocked | Grant-K3sNodeTraffic @aws -WhatIf'

Show-Step '7. Apply the rules the security groups lack.' `
    'Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @aws -PassThru'

Show-Step '8. The same two commands: every path passes.' `
    "`$paths = Get-K3sNode | Test-K3sVxlan -AllNodes`n`$paths | Show-K3sVxlanMatrix" `
    { $script:paths = @(Get-K3sNode | Test-K3sVxlan -AllNodes -ProgressAction SilentlyContinue); $paths | Show-K3sVxlanMatrix }

Show-Step '   And what pods see.' `
    "Get-K3sNode | Test-K3sPodNetwork -Egress $Egress | Group-Object Check, Verdict -NoElement | Format-Table -AutoSize" `
    { Get-K3sNode | Test-K3sPodNetwork -Egress $Egress -ProgressAction SilentlyContinue | Group-Object Check, Verdict -NoElement | Format-Table -AutoSize }

Show-Step '9. The pod on k3s-agent-2 resolves the name and connects.' `
    "$kubectl $($resolve -join ' ')`n$kubectl $connectShown" { Invoke-InPod $resolve; Invoke-InPod $connect }

Show-Step '   Nothing of K3sNet is left in the cluster: every run removed its namespace, so there is nothing to remove.' `
    'Remove-K3sNetProbe -WhatIf'
