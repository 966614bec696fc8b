# Help is built from docs/ into en-US/; these tests hold docs/, the built help and the cmdlets to each other.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    # Examples that need a test bed (an emulator, the network-namespace lab) run in the test file that builds it, which
    # calls Assert-DocsExample for each; every other page's examples run here.
    $ExamplesRunBy = @{
        'Get-K3sNode' = 'Get-K3sNode.Tests.ps1'
        'Test-K3sVxlan' = 'Test-K3sVxlan.Kernel.Tests.ps1'
        'Start-K3sVxlanResponder' = 'VxlanResponder.Tests.ps1'
        'Test-K3sSecurityGroup' = 'SecurityGroup.Tests.ps1'
        'Grant-K3sNodeTraffic'  = 'NodeTraffic.Tests.ps1'
        'Revoke-K3sNodeTraffic' = 'NodeTraffic.Tests.ps1'
        'Test-K3sPodNetwork' = 'Test-K3sPodNetwork.Tests.ps1'
        'Remove-K3sNetProbe'    = 'Remove-K3sNetProbe.Tests.ps1'
    }
    $Pages = @(Get-DocsCommandPage -DocsPath (Join-Path $PSScriptRoot '../../docs') | ForEach-Object {
            $runHere = -not $ExamplesRunBy.ContainsKey($_.Name)
            @{
                Name          = $_.Name
                Page          = $_
                RunElsewhere  = @(if (-not $runHere) { @{ Name = $_.Name; TestFile = $ExamplesRunBy[$_.Name] } })
                Examples      = @(if ($runHere) { $_.Examples | ForEach-Object { @{ Title = $_.Title; Code = $_.Code; Output = $_.Output } } })
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $Module = Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force -PassThru
    $DocsPath = Join-Path (Get-RepositoryRoot) 'docs'
    $CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
}

Describe 'docs/ and the cmdlets' {
    It 'has a docs page for every exported cmdlet' {
        foreach ($name in $Module.ExportedCmdlets.Keys) {
            Join-Path $DocsPath "$name.md" | Should -Exist -Because "every cmdlet needs its docs page"
        }
    }

    It 'has no cmdlet page for a cmdlet the module does not export' {
        foreach ($page in Get-DocsCommandPage -DocsPath $DocsPath) {
            $Module.ExportedCmdlets.Keys | Should -Contain $page.Name -Because "$($page.Path) documents a cmdlet"
        }
    }

    It 'has about_K3sNet.md' {
        Join-Path $DocsPath 'about_K3sNet.md' | Should -Exist
    }
}

Describe '<Name> help' -ForEach $Pages {
    BeforeAll {
        $Command = Get-Command $Name -Module K3sNet
        $Help = Get-Help $Name -Full
        # A DontShow parameter is plumbing a pipeline binds (Grant-K3sNodeTraffic's -Verdict), not one a user gives.
        $Declared = @($Command.Parameters.Values | Where-Object {
                $_.Name -notin $CommonParameters -and
                @($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and -not $_.DontShow }).Count -gt 0
            } | ForEach-Object Name)
    }

    It 'titles the page with the cmdlet name' {
        $Page.Title | Should -Be $Name
    }

    It 'documents every parameter the cmdlet has' {
        foreach ($parameter in $Declared) {
            $Page.Parameters.Name | Should -Contain $parameter -Because "$Name -$parameter needs a docs entry"
        }
    }

    It 'documents no parameter the cmdlet lacks' {
        foreach ($parameter in $Page.Parameters.Name) {
            $Declared | Should -Contain $parameter -Because "docs describe $Name -$parameter"
        }
    }

    It 'states each parameter''s position, whether it is required, and its accepted values as the cmdlet has them' {
        foreach ($documented in $Page.Parameters) {
            $attributes = @($Command.Parameters[$documented.Name].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] })
            $position = if ($attributes[0].Position -ge 0) { "$($attributes[0].Position)" } else { 'Named' }
            $documented.Position | Should -Be $position -Because "-$($documented.Name)'s position"
            $documented.Required | Should -Be $attributes[0].Mandatory -Because "-$($documented.Name)'s Required"
            $type = $Command.Parameters[$documented.Name].ParameterType
            $enum = if ($type.IsEnum) { $type } else { [Nullable]::GetUnderlyingType($type) }
            if ($enum -and $enum.IsEnum) {
                $documented.AcceptedValues | Should -Be ([Enum]::GetNames($enum)) -Because "-$($documented.Name)'s accepted values"
            }
        }
    }

    It 'shows the synopsis in Get-Help' {
        $Help.Synopsis | Should -Be $Page.Synopsis
    }

    It 'shows every parameter''s description in Get-Help -Full' {
        foreach ($documented in $Page.Parameters) {
            $shown = @($Help.parameters.parameter | Where-Object name -EQ $documented.Name)
            $shown | Should -HaveCount 1 -Because "Get-Help must list -$($documented.Name)"
            ($shown[0].description.Text -join ' ') -replace '\s+', ' ' | Should -Be ($documented.Description -replace '`', '') -Because "-$($documented.Name)"
        }
    }

    It 'shows every example in Get-Help -Full' {
        @($Help.examples.example).Count | Should -Be $Page.Examples.Count
        @($Help.examples.example).Count | Should -BeGreaterThan 0
        for ($i = 0; $i -lt $Page.Examples.Count; $i++) {
            @($Help.examples.example)[$i].code | Should -Be $Page.Examples[$i].Code
        }
    }

    It 'runs example "<Title>" as documented' -ForEach $Examples {
        Assert-DocsExample -Code $Code -Output $Output
    }

    It 'has its examples run by <TestFile>' -ForEach $RunElsewhere {
        $file = Join-Path $PSScriptRoot $TestFile
        $file | Should -Exist
        Get-Content -Raw -LiteralPath $file | Should -Match "Get-DocsExampleCase[^\r\n]*-Name\s+'?$Name'?" -Because "$TestFile must run the examples of $Name"
        Get-Content -Raw -LiteralPath $file | Should -Match 'Assert-DocsExample'
    }
}

Describe 'about_K3sNet' {
    It 'is shown by Get-Help' {
        $about = Get-Help about_K3sNet | Out-String
        $about | Should -Match 'K3sNet'
        $about | Should -Match 'Get-K3sPortMatrix'
    }
}
