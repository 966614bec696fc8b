#Requires -Version 7.4
<#
.SYNOPSIS
The EC2 emulator's --on-change hook for a lab: renders the emulator's state into the lab's security groups (the
subnet's nftables, in the lab's bridge namespace).

.DESCRIPTION
Start-K3sNetLabCloud installs it. The emulator runs it after every security-group change, with the state's path in
K3SNET_EC2_STATE, and waits for it, so a Grant-K3sNodeTraffic that returned is already in effect in the lab. It reads
the lab from -LabPath's lab.json and touches only that lab's namespaces. A failure exits non-zero (the emulator logs
the exit code and still answers the request); the groups' table is replaced in one transaction, so a node has either
its old group or its new one, never half of it.
#>
[CmdletBinding()]
param([Parameter(Mandatory)] [string] $LabPath)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'K3sNetLab.psm1')
$lab = Get-Content -Raw -LiteralPath (Join-Path $LabPath 'lab.json') | ConvertFrom-Json
$state = Get-Content -Raw -LiteralPath $env:K3SNET_EC2_STATE | ConvertFrom-Json
Sync-K3sNetLabSecurityGroup -Lab $lab -State $state
