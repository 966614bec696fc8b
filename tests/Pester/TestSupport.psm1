# What every K3sNet Pester test needs: where the built module is, and a way to run code in a fresh pwsh.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force

$script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).ProviderPath

function Get-RepositoryRoot {
    $script:RepositoryRoot
}

function Get-BuiltModulePath {
    <# The built module folder: $env:K3SNET_MODULE_PATH (set by Invoke-PesterSuite.ps1), else out/K3sNet. #>
    $path = if ($env:K3SNET_MODULE_PATH) { $env:K3SNET_MODULE_PATH } else { Join-Path $script:RepositoryRoot 'out/K3sNet' }
    if (-not (Test-Path -LiteralPath (Join-Path $path 'K3sNet.psd1'))) {
        throw "No built module at '$path': run 'dotnet pwsh ./build.ps1 Build' first."
    }
    return $path
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
    Runs a script block in a new pwsh and returns the object it writes last, round-tripped through JSON.
    .DESCRIPTION
    The script block gets -ArgumentList as its parameters. Anything it writes to the host or the error stream comes
    back in the exception text when it fails, so a failing test shows why.
    #>
    param(
        [Parameter(Mandatory)]
        [scriptblock] $ScriptBlock,

        [hashtable] $Parameters = @{},

        [hashtable] $Environment = @{}
    )

    $json = ConvertTo-Json -InputObject $Parameters -Depth 5 -Compress
    $encodedParameters = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
    $command = @"
`$ErrorActionPreference = 'Stop'
`$parameters = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('$encodedParameters')) | ConvertFrom-Json -AsHashtable
`$result = & { $ScriptBlock } @parameters
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 8 -Compress)
"@
    $output = Invoke-PwshProcess -Command $command -Environment $Environment 2>&1 | ForEach-Object { "$_" }
    $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $marker) {
        throw "The child pwsh failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
    }
    return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
}

# Invoke-PwshProcess comes from tools/PwshProcess.psm1; re-exported so a test imports one module.
Export-ModuleMember -Function Get-RepositoryRoot, Get-BuiltModulePath, Invoke-FreshPwsh, Invoke-PwshProcess
