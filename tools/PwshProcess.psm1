# Starting a fresh PowerShell process, the same build of PowerShell that runs this one. Shared by build.ps1 and the
# Pester tests: a binary module cannot be unloaded, so every import of the built module happens in a child process.
Set-StrictMode -Version Latest

function Get-PwshCommandLine {
    <#
    .SYNOPSIS
    The executable and leading arguments that start this PowerShell again.
    .DESCRIPTION
    Under `dotnet pwsh` (the dotnet tool) the process is dotnet itself, so the child must be `dotnet <PSHOME>/pwsh.dll`.
    #>
    [OutputType([string[]])]
    param()

    $self = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($self) -eq 'dotnet') {
        return @($self, (Join-Path $PSHOME 'pwsh.dll'))
    }
    return @($self)
}

function Invoke-PwshProcess {
    <#
    .SYNOPSIS
    Runs a script or command in a fresh `pwsh -NoProfile -NonInteractive` and returns its output lines.
    .DESCRIPTION
    Sets $LASTEXITCODE to the child's exit code. -Environment adds variables for the child only.
    #>
    [CmdletBinding(DefaultParameterSetName = 'Command')]
    param(
        [Parameter(Mandatory, ParameterSetName = 'Command', Position = 0)]
        [string] $Command,

        [Parameter(Mandatory, ParameterSetName = 'File')]
        [string] $File,

        [Parameter(ParameterSetName = 'File')]
        [string[]] $ArgumentList = @(),

        [hashtable] $Environment = @{},

        [string] $WorkingDirectory = (Get-Location).ProviderPath
    )

    $commandLine = Get-PwshCommandLine
    # Text, not the CLIXML a pwsh child otherwise sends a pwsh parent: errors stay readable in logs.
    $arguments = @($commandLine | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text')
    if ($PSCmdlet.ParameterSetName -eq 'File') {
        $arguments += @('-File', $File) + $ArgumentList
    }
    else {
        # -EncodedCommand survives any quoting the command holds.
        $arguments += @('-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Command)))
    }

    $saved = @{}
    foreach ($name in $Environment.Keys) {
        $saved[$name] = [Environment]::GetEnvironmentVariable($name)
        [Environment]::SetEnvironmentVariable($name, [string]$Environment[$name])
    }
    Push-Location -LiteralPath $WorkingDirectory
    try {
        & $commandLine[0] @arguments
    }
    finally {
        Pop-Location
        foreach ($name in $saved.Keys) {
            [Environment]::SetEnvironmentVariable($name, $saved[$name])
        }
    }
}

Export-ModuleMember -Function Get-PwshCommandLine, Invoke-PwshProcess
