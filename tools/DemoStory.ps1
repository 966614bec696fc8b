#Requires -Version 7.4
<#
.SYNOPSIS
The demo's story, run by tools/Demo.ps1 inside the lab's server node (ip netns exec): what a user types on a k3s
server whose cluster has one agent that drops VXLAN, and what K3sNet answers.

.DESCRIPTION
Each step prints the command a user would type, then runs it. Where a user would ask the other nodes with
Invoke-Command -HostName (PowerShell remoting over SSH), the lab runs the same pipeline in each node's namespace, on
the server's nodes serialized as remoting serializes $using:nodes (agents have no kubeconfig of their own).
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $Kubeconfig,
    # Region, AccessKey, SecretKey, EndpointUrl as JSON: the EC2 emulator on this node's loopback and its test keys.
    [Parameter(Mandatory)] [string] $AwsJson,
    # Node name -> network namespace, as JSON: where "Invoke-Command -HostName <node>" runs in the lab.
    [Parameter(Mandatory)] [string] $NodeNamespacesJson
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
Import-Module (Join-Path $PSScriptRoot 'PwshProcess.psm1')
$Width = 120

function Show-Step([string] $Title, [string] $Command, [scriptblock] $Run) {
    # $Run stands in for $Command where the lab does what a real cluster would (remoting); else $Command itself runs.
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

function Invoke-OnEveryNode {
    <#
    What `Invoke-Command -HostName $nodes.InternalIP { $using:nodes | Test-K3sVxlan }` returns on a real cluster: here
    one fresh pwsh per node, in that node's namespace, in parallel, on the server's nodes as CLIXML (what $using:
    sends), without a kubeconfig. The results come back as VxlanPathResult-shaped objects.
    #>
    $namespaces = $NodeNamespacesJson | ConvertFrom-Json -AsHashtable
    $pwsh = Get-PwshCommandLine
    $nodesFile = Join-Path ([IO.Path]::GetTempPath()) "k3snet-demo-nodes-$PID.xml"
    Get-K3sNode | Export-Clixml -LiteralPath $nodesFile
    $script = "Import-Module '$ModulePath/K3sNet.psd1'; Remove-Item Env:KUBECONFIG -ErrorAction Ignore; " +
        "ConvertTo-Json -InputObject @(Import-Clixml -LiteralPath '$nodesFile' | Test-K3sVxlan) -Depth 3 -EnumsAsStrings"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
    try {
        $results = $namespaces.Keys | Sort-Object { $_ -ne 'k3s-server' }, { $_ } | ForEach-Object -ThrottleLimit 3 -Parallel {
            $json = & ip netns exec ($using:namespaces)[$_] @using:pwsh -NoProfile -NonInteractive -OutputFormat Text -EncodedCommand $using:encoded
            if ($LASTEXITCODE -ne 0) { throw "Test-K3sVxlan on $_ failed: $json" }
            [pscustomobject]@{ Node = $_; Paths = ($json -join "`n") | ConvertFrom-Json }
        }
    }
    finally {
        Remove-Item -LiteralPath $nodesFile -ErrorAction Ignore
    }
    foreach ($node in $results | Sort-Object { $_.Node -ne 'k3s-server' }, Node) {
        foreach ($path in $node.Paths) {
            $path.PSObject.TypeNames.Insert(0, 'K3sNet.VxlanPathResult')
            $path
        }
    }
}

$env:KUBECONFIG = $Kubeconfig
$awsSettings = $AwsJson | ConvertFrom-Json
$aws = [ordered]@{ Region = $awsSettings.Region; EndpointUrl = $awsSettings.EndpointUrl; AccessKey = $awsSettings.AccessKey; SecretKey = $awsSettings.SecretKey }
$remoting = 'Invoke-Command -HostName $nodes.InternalIP { $using:nodes | Test-K3sVxlan }'

Write-Host ''
Write-Host '# On k3s-server: the cluster''s API and the AWS settings (the EC2 endpoint is this node''s loopback, with test keys).' -ForegroundColor Green
Write-Host "PS> `$env:KUBECONFIG = '$Kubeconfig'" -ForegroundColor Yellow
Write-Host "PS> `$aws = @{ Region = '$($aws.Region)'; EndpointUrl = '$($aws.EndpointUrl)'; AccessKey = '$($aws.AccessKey)'; SecretKey = '$($aws.SecretKey)' }" -ForegroundColor Yellow

Show-Step '1. The cluster: one server (CoreDNS runs there), two agents.' `
    'Get-K3sNode'

Show-Step '2. Does VXLAN (UDP 8472) pass between this node and every other? Pods on k3s-agent-2 say "no such host".' `
    'Get-K3sNode | Test-K3sVxlan'

Show-Step '3. What would fix it? The one-liner, with -WhatIf: nothing changes yet.' `
    'Get-K3sNode | Test-K3sVxlan | Where-Object Verdict -EQ VxlanBlocked | Grant-K3sNodeTraffic @aws -WhatIf'

Show-Step '4. The server sees only its own paths; ask every node (the lab runs this in each node''s namespace).' `
    "`$nodes = Get-K3sNode`n`$paths = $remoting`n`$paths | Show-K3sVxlanMatrix" `
    { $script:paths = @(Invoke-OnEveryNode); $paths | Show-K3sVxlanMatrix }

Show-Step '   Why, in k3s-agent-2''s own words.' `
    '$paths | Where-Object Source -EQ k3s-agent-2 | ForEach-Object Reason'

Show-Step '5. Which security group drops it, and from whom?' `
    'Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed }'

Show-Step '6. Apply the rules it names.' `
    'Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @aws -PassThru'

Show-Step '7. VXLAN passes now.' `
    'Get-K3sNode | Test-K3sVxlan'

Show-Step '   From every node too.' `
    "`$paths = $remoting`n`$paths | Group-Object Verdict -NoElement" `
    { $script:paths = @(Invoke-OnEveryNode); $paths | Group-Object Verdict -NoElement }

Show-Step '   Every pair at a glance.' '$paths | Show-K3sVxlanMatrix'
