#Requires -Version 7.4
<#
.SYNOPSIS
The main job: shows what K3sNet does, on the built module. build.ps1 Demo runs it in a fresh pwsh.

.DESCRIPTION
Until the network-namespace lab lands, the story is the port matrix: which inbound rules three kinds of k3s cluster
need between their nodes, which of them must never face the internet, and how they pipe into scripts. Each step
prints the command a user would type, then its output.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Show-Step([string] $Title, [string] $Command) {
    Write-Host ''
    Write-Host "# $Title" -ForegroundColor Green
    Write-Host "PS> $Command" -ForegroundColor Yellow
    & ([scriptblock]::Create($Command)) | Out-Host
}

Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
$module = Get-Module K3sNet
Write-Host "K3sNet $($module.Version): why pods on one k3s node cannot reach another, and the rules that fix it." -ForegroundColor Cyan

Show-Step 'A default cluster: flannel VXLAN, one server, agents. UDP 8472 is the rule people forget.' `
    'Get-K3sPortMatrix'

Show-Step 'An HA cluster with embedded etcd: servers also admit etcd from each other.' `
    'Get-K3sPortMatrix -EmbeddedEtcd'

Show-Step 'A WireGuard cluster, dual-stack: 51820 and 51821 replace 8472, and every rule admits IPv6 sources too.' `
    'Get-K3sPortMatrix -FlannelBackend wireguard-native -IPv6 | Format-Table Protocol, Port, Source, Destination, IPFamily, Purpose'

Show-Step 'What an agent must admit, as JSON for a runbook or a change ticket.' `
    'Get-K3sPortMatrix -Role Agent | Select-Object Protocol, FromPort, ToPort, Source, ClusterOnly | ConvertTo-Json -Compress -EnumsAsStrings'

Show-Step 'Ports that must never be open to 0.0.0.0/0 or ::/0 in an HA cluster with the embedded registry.' `
    'Get-K3sPortMatrix -EmbeddedEtcd -EmbeddedRegistry | Where-Object ClusterOnly | Select-Object Protocol, Port, Purpose'

Write-Host ''
Write-Host 'Next: Get-Help Get-K3sPortMatrix -Examples, and Get-Help about_K3sNet.' -ForegroundColor Cyan
