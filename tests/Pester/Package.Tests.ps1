# The .nupkg that build.ps1 Package writes is what a user installs: PSResourceGet must accept it from a local
# repository, and what it installs must import and work.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $PackagePath = $env:K3SNET_PACKAGE_PATH
    if (-not $PackagePath -or -not (Test-Path -LiteralPath $PackagePath)) {
        throw "No package at '$PackagePath': run 'dotnet pwsh ./build.ps1 Test' (it packages first)."
    }
    $ModulePath = Get-BuiltModulePath
}

Describe 'The K3sNet package' {
    BeforeAll {
        $work = Join-Path ([IO.Path]::GetTempPath()) "k3snet-package-$([guid]::NewGuid().ToString('n'))"
        $repository = Join-Path $work 'repository'
        $dataHome = Join-Path $work 'data'
        # Both must exist: .NET answers an empty path for a data folder that does not, and PSResourceGet would then keep
        # its settings relative to the working directory.
        $null = New-Item -ItemType Directory -Force -Path $repository, $dataHome
        Copy-Item -LiteralPath $PackagePath -Destination $repository

        # A data folder of its own, so registering the test repository never touches the user's PSResourceGet settings.
        $Installed = Invoke-FreshPwsh -Environment @{ XDG_DATA_HOME = $dataHome; AWS_EC2_METADATA_DISABLED = 'true' } -Parameters @{
            Repository = $repository; Destination = (Join-Path $work 'modules')
        } -ScriptBlock {
            param($Repository, $Destination)
            $null = New-Item -ItemType Directory -Force -Path $Destination
            Register-PSResourceRepository -Name K3sNetTest -Uri $Repository -Trusted
            $found = Find-PSResource -Name K3sNet -Repository K3sNetTest
            Save-PSResource -Name K3sNet -Repository K3sNetTest -Path $Destination -TrustRepository
            $env:PSModulePath = $Destination + [IO.Path]::PathSeparator + $env:PSModulePath
            $module = Import-Module K3sNet -PassThru
            [pscustomobject]@{
                FoundVersion = "$($found.Version)"
                ModuleBase   = $module.ModuleBase
                Version      = "$($module.Version)"
                Cmdlets      = @($module.ExportedCmdlets.Keys)
                Rules        = @(Get-K3sPortMatrix | ForEach-Object { '{0}/{1}' -f $_.Protocol, $_.Port })
                Help         = (Get-Help Get-K3sPortMatrix).Synopsis
                Files        = @(Get-ChildItem -LiteralPath $module.ModuleBase -Recurse -File |
                        ForEach-Object { [IO.Path]::GetRelativePath($module.ModuleBase, $_.FullName).Replace('\', '/') } |
                        Where-Object { $_ -notmatch '^(PSGetModuleInfo\.xml|K3sNet\.nuspec|\[Content_Types\]\.xml|_rels/.*|package/.*)$' } |
                        Sort-Object)
            }
        }
        Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction Ignore
        $Expected = @(Get-ChildItem -LiteralPath $ModulePath -Recurse -File |
                ForEach-Object { [IO.Path]::GetRelativePath($ModulePath, $_.FullName).Replace('\', '/') } | Sort-Object)
        $Manifest = Import-PowerShellDataFile -LiteralPath (Join-Path $ModulePath 'K3sNet.psd1')
    }

    It 'is found in a local repository at the module''s version' {
        $Installed.FoundVersion | Should -Be $Manifest.ModuleVersion
    }

    It 'installs into a K3sNet folder named for its version, which Import-Module finds by name' {
        $Installed.ModuleBase | Should -Match ([regex]::Escape("K3sNet$([IO.Path]::DirectorySeparatorChar)$($Manifest.ModuleVersion)") + '$')
        $Installed.Version | Should -Be $Manifest.ModuleVersion
    }

    It 'installs exactly the files of out/K3sNet' {
        $Installed.Files | Should -Be $Expected
    }

    It 'works once installed: cmdlets, format and help' {
        # Get-Command lists cmdlets by name, whatever order the manifest names them in.
        @($Installed.Cmdlets | Sort-Object) | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
        $Installed.Rules | Should -Be @('Tcp/6443', 'Udp/8472', 'Tcp/10250')
        $Installed.Help | Should -Be 'Lists the inbound rules a k3s cluster needs between its nodes.'
    }
}
