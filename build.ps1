#Requires -Version 7.4
<#
.SYNOPSIS
Builds, tests, documents, packages and demonstrates K3sNet.

.DESCRIPTION
Tasks (run in the order given; default Build):
  Build    Publish both assemblies and lay out out/K3sNet/ exactly as it ships, help included.
  Docs     Turn docs/ (PlatyPS markdown) into out/K3sNet/en-US/ MAML and about_ help.
  Package  Build, then write out/K3sNet.<version>.nupkg that Install-PSResource accepts from a local repository.
  Test     Build and Package, run xunit, then Pester in a fresh pwsh; the last line is "N passed, N failed, N skipped".
  Demo     Build, then tell the story on the built module and a 3-node lab (the main job; root on Linux with iproute2
           and nftables, else it shows the port matrix and says what it needs).
  Bench    Build, then measure and print the benchmarks docs/benchmarks.md reports (tools/Bench.ps1): all of them,
           or those -Bench names. Vxlan and AllNodes need root; without it, they are skipped with the reason. About
           15 minutes (AllNodes' serial kubectl exec loop over 50 nodes takes most of it).
           -Quick runs each once in a small form, which proves they run (CI does it in the Pester suite).
  Clean    Remove out/, artifacts/ and every bin/ and obj/.

.EXAMPLE
dotnet tool restore && dotnet pwsh ./build.ps1 Test

.EXAMPLE
dotnet pwsh ./build.ps1 Bench -Bench Codec,SecurityGroup
#>
[CmdletBinding()]
param(
    # Several tasks may follow each other: build.ps1 Build Test.
    [Parameter(Position = 0, ValueFromRemainingArguments)]
    [ValidateSet('Build', 'Docs', 'Package', 'Test', 'Demo', 'Bench', 'Clean')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # The benchmarks the Bench task runs (default all): Import, Codec, SecurityGroup, Vxlan, AllNodes. Commas also separate them,
    # because `pwsh -File build.ps1 -Bench Codec,Vxlan` (the way a shell calls it) passes one string.
    [string[]] $Bench = @('Import', 'Codec', 'SecurityGroup', 'Vxlan', 'AllNodes'),

    # Bench: every benchmark once, on few nodes, one iteration: proves they run; the figures mean nothing.
    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot 'tools/PwshProcess.psm1') -Force

$Root = $PSScriptRoot
$BenchNames = @('Import', 'Codec', 'SecurityGroup', 'Vxlan', 'AllNodes')
$Bench = @($Bench -split ',' | ForEach-Object Trim | Where-Object { $_ })
if ($unknown = @($Bench | Where-Object { $_ -notin $BenchNames })) {
    throw "Unknown benchmark '$($unknown -join "', '")'. -Bench takes $($BenchNames -join ', ')."
}
$script:Built = $false
$OutRoot = Join-Path $Root 'out'
$ModuleOut = Join-Path $OutRoot 'K3sNet'
$Artifacts = Join-Path $Root 'artifacts'
$TestResults = Join-Path $Artifacts 'test-results'

# What ships, file by file. A file missing from publish fails the build; a dll publish produced that is not named here
# fails it too, so a new dependency cannot slip into (or out of) the module unnoticed. The format files are the ones
# the manifest loads: one list, so a view cannot ship without being loaded or be loaded without shipping.
$ModuleFiles = @('K3sNet.dll', 'K3sNet.pdb') + (Import-PowerShellDataFile -LiteralPath (Join-Path $Root 'K3sNet.psd1')).FormatsToProcess
$DependencyFiles = @(
    'K3sNet.Cloud.dll', 'K3sNet.Cloud.pdb',
    'AWSSDK.Core.dll', 'AWSSDK.EC2.dll',
    'KubernetesClient.dll', 'YamlDotNet.dll', 'Fractions.dll'
)
$HelpFiles = @('K3sNet.dll-Help.xml', 'about_K3sNet.help.txt')

function Write-Step([string] $Message) {
    Write-Host "==> $Message" -ForegroundColor Cyan
}

function Invoke-Dotnet {
    # dotnet's own output goes to the host, not to the pipeline: callers only want it to succeed.
    & dotnet @args | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    $props = [xml](Get-Content -Raw -LiteralPath (Join-Path $Root 'Directory.Build.props'))
    $version = @($props.Project.PropertyGroup | ForEach-Object { $_['VersionPrefix'] } | Where-Object { $_ })[0].InnerText
    return [version]$version
}

function Get-NuGetPackageRoot {
    if ($env:NUGET_PACKAGES) {
        return $env:NUGET_PACKAGES
    }
    $line = & dotnet nuget locals global-packages --list | Select-Object -First 1
    return ($line -replace '^global-packages:\s*', '').Trim()
}

function Copy-ExplicitFiles([string] $From, [string] $To, [string[]] $Names) {
    $null = New-Item -ItemType Directory -Force -Path $To
    foreach ($name in $Names) {
        $source = Join-Path $From $name
        if (-not (Test-Path -LiteralPath $source -PathType Leaf)) {
            throw "Build output is missing '$name' (looked in '$From')."
        }
        Copy-Item -LiteralPath $source -Destination $To
    }
}

function Assert-NoUnlistedAssembly([string] $PublishDir, [string[]] $Listed, [string[]] $Ignored = @()) {
    $unlisted = Get-ChildItem -LiteralPath $PublishDir -Filter *.dll |
        Where-Object { $_.Name -notin $Listed -and $_.Name -notin $Ignored }
    if ($unlisted) {
        throw "Publish produced assemblies the module's file list does not name: $($unlisted.Name -join ', '). " +
            'Add them to $DependencyFiles in build.ps1, or remove the reference that brings them.'
    }
}

function Invoke-Build {
    # Package, Test, Demo and Bench need a build; one run of this script builds once, whatever tasks it is given.
    if ($script:Built) {
        return
    }
    Write-Step "Build ($Configuration)"
    Invoke-Dotnet build (Join-Path $Root 'K3sNet.sln') -c $Configuration --nologo -v q

    $publish = Join-Path $Artifacts 'publish'
    Remove-Item -LiteralPath $publish -Recurse -Force -ErrorAction Ignore
    Invoke-Dotnet publish (Join-Path $Root 'src/K3sNet/K3sNet.csproj') -c $Configuration --no-build --nologo -v q -o (Join-Path $publish 'K3sNet')
    Invoke-Dotnet publish (Join-Path $Root 'src/K3sNet.Cloud/K3sNet.Cloud.csproj') -c $Configuration --no-build --nologo -v q -o (Join-Path $publish 'K3sNet.Cloud')

    Remove-Item -LiteralPath $ModuleOut -Recurse -Force -ErrorAction Ignore
    Copy-ExplicitFiles (Join-Path $publish 'K3sNet') $ModuleOut $ModuleFiles
    Assert-NoUnlistedAssembly (Join-Path $publish 'K3sNet') $ModuleFiles
    Copy-ExplicitFiles (Join-Path $publish 'K3sNet.Cloud') (Join-Path $ModuleOut 'Dependencies') $DependencyFiles
    # This also refuses K3sNet.dll there: the module root is PowerShell's to load, and a second copy in Dependencies/
    # would split its types in two.
    Assert-NoUnlistedAssembly (Join-Path $publish 'K3sNet.Cloud') $DependencyFiles

    $version = Get-ModuleVersion
    $manifest = Get-Content -Raw -LiteralPath (Join-Path $Root 'K3sNet.psd1')
    $versionLine = "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'"
    if ($manifest -notmatch $versionLine) {
        throw "K3sNet.psd1 has no ModuleVersion = '...' line to stamp."
    }
    $stamped = $manifest -replace $versionLine, "`${1}'$version'"
    Set-Content -LiteralPath (Join-Path $ModuleOut 'K3sNet.psd1') -Value $stamped -NoNewline -Encoding utf8

    Invoke-Docs

    $sma = Get-ChildItem -LiteralPath $OutRoot -Recurse -Filter 'System.Management.Automation.dll'
    if ($sma) {
        throw "out/ must never ship System.Management.Automation.dll: $($sma.FullName -join ', ')"
    }
    Write-Host "Module: $ModuleOut ($version)"
    $script:Built = $true
}

function Invoke-Docs {
    Write-Step 'Docs'
    $helpOut = Join-Path $ModuleOut 'en-US'
    Remove-Item -LiteralPath $helpOut -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path $helpOut
    $docs = Join-Path $Root 'docs'

    # The build's own converter always runs: it checks every page and writes the about topics. PlatyPS is published
    # only on the PowerShell Gallery; where it is installed, its MAML replaces ours.
    $builder = Join-Path $Root "tools/HelpBuilder/bin/$Configuration/net10.0/K3sNet.HelpBuilder.dll"
    if (-not (Test-Path -LiteralPath $builder)) {
        Invoke-Dotnet build (Join-Path $Root 'tools/HelpBuilder/HelpBuilder.csproj') -c $Configuration --nologo -v q
    }
    Invoke-Dotnet $builder --docs $docs --out $helpOut --assembly K3sNet.dll

    $platyPS = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS, platyPS | Sort-Object Version -Descending | Select-Object -First 1
    if ($platyPS) {
        Write-Host "Writing MAML with $($platyPS.Name) $($platyPS.Version)"
        $staging = Join-Path $Artifacts 'platyps'
        Remove-Item -LiteralPath $staging -Recurse -Force -ErrorAction Ignore
        $null = New-Item -ItemType Directory -Force -Path $staging
        Import-Module $platyPS
        $pages = Get-ChildItem -LiteralPath $docs -Filter *.md |
            Where-Object { (Get-Content -LiteralPath $_.FullName -TotalCount 5) -match '^external help file:' }
        if ($platyPS.Name -eq 'Microsoft.PowerShell.PlatyPS') {
            $pages.FullName | Import-MarkdownCommandHelp | Export-MamlCommandHelp -OutputFolder $staging -Force | Out-Null
        }
        else {
            New-ExternalHelp -Path $pages.FullName -OutputPath $staging -Force | Out-Null
        }
        $maml = @(Get-ChildItem -LiteralPath $staging -Recurse -Filter '*.xml')
        if ($maml.Count -ne 1) {
            throw "$($platyPS.Name) wrote $($maml.Count) MAML files; expected one."
        }
        Copy-Item -LiteralPath $maml[0].FullName -Destination (Join-Path $helpOut 'K3sNet.dll-Help.xml') -Force
    }

    foreach ($name in $HelpFiles) {
        if (-not (Test-Path -LiteralPath (Join-Path $helpOut $name) -PathType Leaf)) {
            throw "Help generation did not write en-US/$name."
        }
    }
}

function Invoke-Package {
    Invoke-Build
    Write-Step 'Package'
    $version = Get-ModuleVersion
    $repository = Join-Path $Artifacts 'package-repository'
    Remove-Item -LiteralPath $repository -Recurse -Force -ErrorAction Ignore
    $null = New-Item -ItemType Directory -Force -Path $repository

    # PSResourceGet writes the nupkg. It runs in a child process with its own data folder so registering the
    # temporary repository never touches the user's PSResourceGet configuration.
    $script = {
        param($ModulePath, $Repository)
        $ErrorActionPreference = 'Stop'
        Register-PSResourceRepository -Name K3sNetBuild -Uri $Repository -Trusted
        Publish-PSResource -Path $ModulePath -Repository K3sNetBuild -SkipDependenciesCheck
    }
    $command = "& { $script } -ModulePath '$ModuleOut' -Repository '$repository'"
    $dataHome = Join-Path $Artifacts 'psresourceget-data'
    Remove-Item -LiteralPath $dataHome -Recurse -Force -ErrorAction Ignore
    # It must exist: .NET answers an empty path for a data folder that does not, and PSResourceGet would then keep its
    # settings relative to the working directory.
    $null = New-Item -ItemType Directory -Force -Path $dataHome
    Invoke-PwshProcess -Command $command -Environment @{ XDG_DATA_HOME = $dataHome } | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "Publish-PSResource failed with exit code $LASTEXITCODE."
    }

    $package = Join-Path $repository "K3sNet.$version.nupkg"
    if (-not (Test-Path -LiteralPath $package)) {
        throw "Publish-PSResource did not write $package."
    }
    Get-ChildItem -LiteralPath $OutRoot -Filter 'K3sNet.*.nupkg' | Remove-Item -Force
    Copy-Item -LiteralPath $package -Destination $OutRoot
    Write-Host "Package: $(Join-Path $OutRoot "K3sNet.$version.nupkg")"
}

function Read-XunitCounts([string] $TrxPath) {
    $trx = [xml](Get-Content -Raw -LiteralPath $TrxPath)
    $counters = $trx.TestRun.ResultSummary.Counters
    return [pscustomobject]@{
        Passed  = [int]$counters.passed
        Failed  = [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
        Skipped = [int]$counters.notExecuted
    }
}

function Invoke-Test {
    Invoke-Package

    Write-Step 'xunit'
    Remove-Item -LiteralPath $TestResults -Recurse -Force -ErrorAction Ignore
    $trxName = 'xunit.trx'
    & dotnet test (Join-Path $Root 'tests/K3sNet.Tests/K3sNet.Tests.csproj') -c $Configuration --no-build --nologo `
        --logger "trx;LogFileName=$trxName" --logger 'console;verbosity=minimal' --results-directory $TestResults | Out-Host
    $xunitExit = $LASTEXITCODE
    $trxPath = Join-Path $TestResults $trxName
    if (-not (Test-Path -LiteralPath $trxPath)) {
        throw "xunit wrote no results (dotnet test exit code $xunitExit)."
    }
    $xunit = Read-XunitCounts $trxPath
    if ($xunitExit -ne 0 -and $xunit.Failed -eq 0) {
        # The run broke without reporting a failed test (a crash in the host, say): count it as one failure.
        $xunit.Failed = 1
    }

    Write-Step 'Pester'
    $summaryPath = Join-Path $TestResults 'pester-summary.json'
    $packages = Get-NuGetPackageRoot
    Invoke-PwshProcess -File (Join-Path $Root 'tests/Pester/Invoke-PesterSuite.ps1') -ArgumentList @(
        '-ModulePath', $ModuleOut,
        '-PackagePath', (Join-Path $OutRoot "K3sNet.$(Get-ModuleVersion).nupkg"),
        '-NuGetPackageRoot', $packages,
        '-ResultDirectory', $TestResults
    ) | Out-Host
    $pesterExit = $LASTEXITCODE
    if (-not (Test-Path -LiteralPath $summaryPath)) {
        throw "Pester wrote no summary (exit code $pesterExit)."
    }
    $pester = Get-Content -Raw -LiteralPath $summaryPath | ConvertFrom-Json

    $passed = $xunit.Passed + $pester.Passed
    $failed = $xunit.Failed + $pester.Failed
    $skipped = $xunit.Skipped + $pester.Skipped
    Write-Host ("xunit: {0} passed, {1} failed, {2} skipped; Pester: {3} passed, {4} failed, {5} skipped" -f
        $xunit.Passed, $xunit.Failed, $xunit.Skipped, $pester.Passed, $pester.Failed, $pester.Skipped)
    # The closing line CI reads: alone on its line, last. It always counts the skips: a run that skipped the lab must
    # say so, even where skipping is allowed.
    $line = "$passed passed, $failed failed, $skipped skipped"
    [Console]::Out.WriteLine($line)
    if ($failed -gt 0 -or $passed -eq 0) {
        exit 1
    }
}

function Invoke-ModuleScript([string] $Name, [string] $Script) {
    # Demo and Bench run on the built module in a fresh pwsh, so this session never locks K3sNet.dll.
    Invoke-Build
    Write-Step $Name
    Invoke-PwshProcess -File (Join-Path $Root $Script) -ArgumentList @('-ModulePath', $ModuleOut) | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "$Name failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Demo {
    Invoke-ModuleScript 'Demo' 'tools/Demo.ps1'
}

function Invoke-Bench {
    # Not Invoke-ModuleScript: a list of benchmark names does not survive pwsh -File's argument binding.
    Invoke-Build
    Write-Step "Bench ($($Bench -join ', '))"
    Invoke-PwshProcess -Command "& '$(Join-Path $Root 'tools/Bench.ps1')' -ModulePath '$ModuleOut' -Bench $($Bench -join ', ') -Quick:`$$Quick" | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "Bench failed with exit code $LASTEXITCODE."
    }
}

function Invoke-Clean {
    Write-Step 'Clean'
    foreach ($path in @($OutRoot, $Artifacts)) {
        Remove-Item -LiteralPath $path -Recurse -Force -ErrorAction Ignore
    }
    Get-ChildItem -LiteralPath $Root -Directory -Recurse -Include bin, obj |
        Where-Object FullName -NotLike (Join-Path $Root '.git*') |
        Remove-Item -Recurse -Force -ErrorAction Ignore
}

Push-Location -LiteralPath $Root
try {
    foreach ($name in $Task) {
        & "Invoke-$name"
    }
}
finally {
    Pop-Location
}
