#Requires -Version 7.4
<#
.SYNOPSIS
Builds the network-namespace lab on its own, prints where its description is, and destroys it when you are done.

.DESCRIPTION
Run as root. The lab lives until you press Enter (or -Seconds pass), then it is removed, also when the script fails
or is stopped with Ctrl+C. Explore it meanwhile with, for example:
  ip netns exec <prefix>-node-a ping 10.42.1.0
  ip netns exec <prefix>-node-a dotnet pwsh -c 'Import-Module ./out/K3sNet/K3sNet.psd1; ...'
If a run was killed before it could clean up (kill -9), remove what it left with:
  Import-Module ./tests/Lab/K3sNetLab.psm1; Remove-StaleK3sNetLab

.EXAMPLE
sudo dotnet pwsh ./tests/Lab/Start-K3sNetLab.ps1 -NodeCount 3 -NoVxlanInto node-c
#>
[CmdletBinding()]
param(
    [ValidateRange(2, 240)]
    [int] $NodeCount = 3,

    [string[]] $NoVxlanInto = @(),

    # Keep the lab this long instead of waiting for Enter (0 = wait for Enter).
    [int] $Seconds = 0
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'K3sNetLab.psm1') -Force

$lab = $null
try {
    $lab = New-K3sNetLab -NodeCount $NodeCount -NoVxlanInto $NoVxlanInto
    Write-Host "Lab $($lab.Prefix): $NodeCount nodes"
    $lab.Nodes | Format-Table Name, Namespace, UnderlayAddress, VtepAddress, VtepMac -AutoSize | Out-Host
    Write-Host "Description: $($lab.Path) (nodes.json, pods.json, lab.json)"
    $lab.Path
    if ($Seconds -gt 0) {
        Start-Sleep -Seconds $Seconds
    }
    else {
        $null = Read-Host 'Press Enter to destroy the lab'
    }
}
finally {
    if ($lab) {
        Remove-K3sNetLab -Lab $lab
        Write-Host "Lab $($lab.Prefix) removed."
    }
}
