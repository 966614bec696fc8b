BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $ModulePath = Get-BuiltModulePath
    $ManifestPath = Join-Path $ModulePath 'K3sNet.psd1'
    $Manifest = Import-PowerShellDataFile -LiteralPath $ManifestPath
    $Module = Import-Module $ManifestPath -Force -PassThru
}

Describe 'The module manifest' {
    It 'is a valid manifest' {
        { Test-ModuleManifest -Path $ManifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'roots the module in K3sNet.dll and loads one format file per public type that has a view' {
        $Manifest.RootModule | Should -Be 'K3sNet.dll'
        $Manifest.FormatsToProcess | Should -Contain 'PortRequirement.format.ps1xml'
        foreach ($file in $Manifest.FormatsToProcess) {
            $file | Should -Match '^[A-Za-z][A-Za-z0-9]*\.format\.ps1xml$'
            $typeName = 'K3sNet.' + $file.Split('.')[0]
            $Module.ImplementingAssembly.GetType($typeName) | Should -Not -BeNullOrEmpty -Because "$file must be named after a public type"
            ([xml](Get-Content -Raw -LiteralPath (Join-Path $ModulePath $file))).Configuration.ViewDefinitions.View.ViewSelectedBy.TypeName |
                Should -Contain $typeName
        }
    }

    It 'declares PowerShell 7.4 or later, Core edition only' {
        $Manifest.PowerShellVersion | Should -Be '7.4'
        $Manifest.CompatiblePSEditions | Should -Be @('Core')
    }

    It 'exports cmdlets explicitly and no functions or aliases' {
        $Manifest.CmdletsToExport | Should -Not -Contain '*'
        $Manifest.FunctionsToExport | Should -HaveCount 0
        $Manifest.AliasesToExport | Should -HaveCount 0
    }

    It 'carries tags, a project URI and release notes for the gallery' {
        $Manifest.PrivateData.PSData.Tags | Should -Contain 'k3s'
        $Manifest.PrivateData.PSData.ProjectUri | Should -Match '^https://'
        $Manifest.PrivateData.PSData.ReleaseNotes | Should -Not -BeNullOrEmpty
    }

    It 'has release notes for this version that name every exported cmdlet and no other' {
        $notes = $Manifest.PrivateData.PSData.ReleaseNotes
        $notes | Should -BeLike "$($Manifest.ModuleVersion)*"
        $named = @([regex]::Matches($notes, '\b[A-Z][a-z]+-K3s[A-Za-z]+\b') | ForEach-Object Value | Sort-Object -Unique)
        $named | Should -Be @($Manifest.CmdletsToExport | Sort-Object)
    }

    It 'is stamped with the version in Directory.Build.props, the version of K3sNet.dll' {
        $props = [xml](Get-Content -Raw -LiteralPath (Join-Path (Get-RepositoryRoot) 'Directory.Build.props'))
        $expected = @($props.Project.PropertyGroup | ForEach-Object { $_['VersionPrefix'] } | Where-Object { $_ })[0].InnerText
        $Manifest.ModuleVersion | Should -Be $expected
        $Module.Version | Should -Be ([version]$expected)
        [Reflection.AssemblyName]::GetAssemblyName((Join-Path $ModulePath 'K3sNet.dll')).Version.ToString(3) | Should -Be $expected
    }
}

Describe 'The exported commands' {
    It 'exports every cmdlet the assembly defines, and nothing else' {
        $defined = $Module.ImplementingAssembly.GetExportedTypes() |
            Where-Object { $_.IsSubclassOf([System.Management.Automation.Cmdlet]) -and -not $_.IsAbstract } |
            ForEach-Object { $attribute = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0]; "$($attribute.VerbName)-$($attribute.NounName)" } |
            Sort-Object
        $defined | Should -Not -BeNullOrEmpty
        @($Manifest.CmdletsToExport | Sort-Object) | Should -Be @($defined)
        @($Module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($defined)
    }

    It 'uses approved verbs' {
        $approved = (Get-Verb).Verb
        foreach ($name in $Module.ExportedCmdlets.Keys) {
            $name.Split('-')[0] | Should -BeIn $approved -Because "$name must use an approved verb"
        }
    }
}

Describe 'The module folder' {
    It 'holds exactly what ships at its root' {
        (Get-ChildItem -LiteralPath $ModulePath -File).Name | Sort-Object |
            Should -Be (@('K3sNet.dll', 'K3sNet.pdb', 'K3sNet.psd1') + $Manifest.FormatsToProcess | Sort-Object)
    }

    It 'holds the help in en-US' {
        (Get-ChildItem -LiteralPath (Join-Path $ModulePath 'en-US')).Name | Sort-Object |
            Should -Be @('about_K3sNet.help.txt', 'K3sNet.dll-Help.xml')
    }

    It 'holds K3sNet.Cloud and its third-party assemblies in Dependencies/' {
        $names = (Get-ChildItem -LiteralPath (Join-Path $ModulePath 'Dependencies') -Filter *.dll).Name
        foreach ($expected in 'K3sNet.Cloud.dll', 'AWSSDK.Core.dll', 'AWSSDK.EC2.dll', 'KubernetesClient.dll', 'YamlDotNet.dll') {
            $names | Should -Contain $expected
        }
        $names | Should -Not -Contain 'K3sNet.dll' -Because 'a second copy of the module root would split its types'
    }

    It 'never ships System.Management.Automation.dll' {
        Get-ChildItem -LiteralPath $ModulePath -Recurse -Filter 'System.Management.Automation.dll' | Should -BeNullOrEmpty
    }
}

Describe 'Importing the module' {
    It 'loads no third-party assembly until a command needs the cloud' {
        $loaded = Invoke-FreshPwsh -Parameters @{ Manifest = $ManifestPath } -ScriptBlock {
            param($Manifest)
            Import-Module $Manifest
            $null = Get-K3sPortMatrix
            [AppDomain]::CurrentDomain.GetAssemblies().GetName().Name |
                Where-Object { $_ -match '^(K3sNet\.Cloud|AWSSDK\..*|KubernetesClient|YamlDotNet|Fractions)$' }
        }
        $loaded | Should -BeNullOrEmpty
    }
}
