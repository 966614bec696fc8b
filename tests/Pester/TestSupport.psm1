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

function Start-KubeApiEmulator {
    <#
    .SYNOPSIS
    Starts the Kubernetes API emulator (tests/Emulators/KubeApi) in a child process and returns where it is.
    .DESCRIPTION
    The emulator writes a kubeconfig for itself (its URL, -Token, -Context) and prints one JSON ready line, which this
    reads. It exits with this process (--parent-pid) if Stop-KubeApiEmulator never runs. The result has Url, Kubeconfig,
    Context, Token and Process. Built by 'dotnet build K3sNet.sln' (build.ps1 Build).
    By default it listens on a free loopback port. -NetworkNamespace starts it with 'ip netns exec' inside a lab node's
    namespace, where -ListenAddress and -Port put it where a k3s server's API is (the node's address, 6443); 'ip netns
    exec' execs the emulator, so Process is the emulator itself and Stop-KubeApiEmulator ends it.
    #>
    param(
        [string] $NodesPath = (Join-Path $script:RepositoryRoot 'tests/Emulators/KubeApi/Fixtures/nodes.json'),
        [string] $PodsPath = (Join-Path $script:RepositoryRoot 'tests/Emulators/KubeApi/Fixtures/pods.json'),
        [string] $Token = ('k3snet-pester-' + [guid]::NewGuid().ToString('N')),
        [string] $Context = 'k3snet-emulator',
        [string] $KubeconfigPath = (Join-Path ([IO.Path]::GetTempPath()) "k3snet-kubeapi-$([guid]::NewGuid().ToString('N')).yaml"),
        [int] $PageSize = 0,
        [ipaddress] $ListenAddress = [ipaddress]::Loopback,
        [ValidateRange(0, 65535)]
        [int] $Port = 0,
        # A network namespace the lab made (ip netns); the emulator's traffic then stays inside the lab.
        [string] $NetworkNamespace,
        [string[]] $ArgumentList = @()
    )

    $emulator = @('Release', 'Debug') |
        ForEach-Object { Join-Path $script:RepositoryRoot "tests/Emulators/KubeApi/bin/$_/net10.0/K3sNet.Emulators.KubeApi.dll" } |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not $emulator) {
        throw "The Kubernetes API emulator is not built: run 'dotnet pwsh ./build.ps1 Build' first."
    }
    $dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }

    $command = @($dotnet, $emulator)
    if ($NetworkNamespace) { $command = @('ip', 'netns', 'exec', $NetworkNamespace) + $command }
    $start = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('--nodes', $NodesPath, '--token', $Token, '--context', $Context, '--kubeconfig', $KubeconfigPath,
            '--listen', "$ListenAddress", '--port', "$Port", '--page-size', "$PageSize", '--parent-pid', "$PID") + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    if ($PodsPath) {
        $start.ArgumentList.Add('--pods')
        $start.ArgumentList.Add($PodsPath)
    }
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    # The emulator prints nothing on stdout but this line, so reading it cannot block on a full pipe later.
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) {
        $process.WaitForExit()
        throw "The Kubernetes API emulator exited before it was ready (exit code $($process.ExitCode))."
    }
    $ready = $line | ConvertFrom-Json
    [pscustomobject]@{
        Url        = $ready.url
        Kubeconfig = $ready.kubeconfig
        Context    = $ready.context
        Token      = $Token
        Process    = $process
    }
}

function Stop-KubeApiEmulator {
    param([Parameter(Mandatory)] $Emulator)
    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit()
    }
    $Emulator.Process.Dispose()
    Remove-Item -LiteralPath $Emulator.Kubeconfig -ErrorAction Ignore
}

function Invoke-KubeApiEmulatorControl {
    <#
    .SYNOPSIS
    Calls the emulator's control endpoints: GET requests (the recorded requests), GET active (requests in flight),
    DELETE requests, DELETE faults, PUT faults/<resource>?fault=Forbidden|Hang|Slow|ServerError|None.
    #>
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'GET'
    )
    Invoke-RestMethod -Method $Method -Uri "$($Emulator.Url)/emulator/$Path" -Headers @{ Authorization = "Bearer $($Emulator.Token)" }
}

# Invoke-PwshProcess comes from tools/PwshProcess.psm1; re-exported so a test imports one module.
Export-ModuleMember -Function Get-RepositoryRoot, Get-BuiltModulePath, Invoke-FreshPwsh, Invoke-PwshProcess, Start-KubeApiEmulator, Stop-KubeApiEmulator, Invoke-KubeApiEmulatorControl
