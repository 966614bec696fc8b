# The README (and about_K3sNet, whose examples no test runs) is where people copy commands from: hold its code to the
# cmdlets, and its quick start to what CI runs. Recipes that need a real cluster, AWS account or SSH cannot run here;
# what can drift (a renamed cmdlet or parameter, parameters that no parameter set takes together, a quick start CI no
# longer runs) is checked against the built module.
BeforeDiscovery {
    $PowerShellBlocks = @(foreach ($file in 'README.md', 'docs/about_K3sNet.md') {
            $text = Get-Content -Raw -LiteralPath (Join-Path $PSScriptRoot "../../$file")
            $blocks = [regex]::Matches($text, '(?ms)^```powershell\r?\n(.*?)^```')
            for ($i = 0; $i -lt $blocks.Count; $i++) {
                @{ File = $file; Index = $i + 1; Code = $blocks[$i].Groups[1].Value }
            }
        })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $Module = Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force -PassThru
    $Root = Get-RepositoryRoot
    $Readme = Get-Content -Raw -LiteralPath (Join-Path $Root 'README.md')
    $CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters +
        [System.Management.Automation.PSCmdlet]::OptionalCommonParameters

    function Get-K3sNetCommandCall([string] $Code) {
        # Every call of one of K3sNet's cmdlets in a script, with the parameter names it gives.
        $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref]$null, [ref]$errors)
        if ($errors) { throw "The README's code does not parse: $($errors[0].Message) ('$($errors[0].Extent.Text)')" }
        $ast.FindAll({ param($n) $n -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { $_.GetCommandName() -like '*-K3s*' } |
            ForEach-Object {
                [pscustomobject]@{
                    Name       = $_.GetCommandName()
                    Parameters = @($_.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] } |
                            ForEach-Object ParameterName)
                    Text       = $_.Extent.Text
                }
            }
    }
}

Describe 'README.md and about_K3sNet.md' {
    It '<File> PowerShell block <Index> calls only K3sNet cmdlets and parameters that exist, in a set that takes them together' -ForEach $PowerShellBlocks {
        foreach ($call in Get-K3sNetCommandCall $Code) {
            $Module.ExportedCmdlets.Keys | Should -Contain $call.Name -Because "$File calls '$($call.Text)'"
            $command = Get-Command $call.Name
            $named = foreach ($parameter in $call.Parameters) {
                # A splat (@aws) is not a parameter name; prefixes are not used in the docs, so names must match.
                if ($parameter -in $CommonParameters) { continue }
                $match = @($command.Parameters.Values | Where-Object { $_.Name -eq $parameter -or $_.Aliases -contains $parameter })
                $match.Count | Should -Be 1 -Because "'$($call.Text)' uses -$parameter, which $($call.Name) does not have"
                $match[0].Name
            }
            # Parameters that exist but belong to different parameter sets (-VtepAddress with -Probe) cannot bind.
            $sets = @($command.ParameterSets | Where-Object {
                    $inSet = $_.Parameters.Name
                    @($named | Where-Object { $_ -notin $inSet }).Count -eq 0
                })
            $sets.Count | Should -BeGreaterThan 0 -Because "'$($call.Text)' combines -$($named -join ', -'), which no parameter set of $($call.Name) takes together"
        }
    }

    It 'shows in its story the matrix Show-K3sVxlanMatrix draws for the demo''s verdicts' {
        # The excerpt comes from the demo (Demo.Tests asserts the verdicts): agent-2's group admits no UDP 8472, so
        # every path to and from agent-2 is VxlanBlocked and the rest are Healthy. The view must still draw it so.
        $excerpt = [regex]::Match($Readme, '(?ms)^```output\r?\n(VXLAN paths between.*?)^```').Groups[1].Value
        $excerpt | Should -Not -BeNullOrEmpty -Because 'the story shows the demo''s matrix'
        Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
        $code = {
            $nodes = 'k3s-server', 'k3s-agent-1', 'k3s-agent-2'
            $results = foreach ($source in $nodes) {
                foreach ($destination in $nodes -ne $source) {
                    $verdict = if ('k3s-agent-2' -in $source, $destination) { 'VxlanBlocked' } else { 'Healthy' }
                    [K3sNet.VxlanPathResult]@{ Source = $source; Destination = $destination; Verdict = $verdict; Reason = '-' }
                }
            }
            $results | Show-K3sVxlanMatrix
        }
        Assert-DocsExample -Code $code.ToString() -Output $excerpt
    }

    It 'lists every exported cmdlet in its table' {
        foreach ($name in $Module.ExportedCmdlets.Keys) {
            $Readme | Should -Match ([regex]::Escape("``$name``")) -Because 'the README table is where users meet the cmdlets'
        }
    }

    It 'gives as its test command exactly what CI runs' {
        $ci = Get-Content -Raw -LiteralPath (Join-Path $Root '.ci/run')
        $ci | Should -Match 'dotnet tool restore'
        $ci | Should -Match ([regex]::Escape('dotnet pwsh ./build.ps1 Test'))
        $Readme | Should -Match ([regex]::Escape('dotnet tool restore && dotnet pwsh ./build.ps1 Test'))
    }

    It 'gives as its main job a task build.ps1 has' {
        $Readme | Should -Match ([regex]::Escape('dotnet tool restore && dotnet pwsh ./build.ps1 Demo'))
        # The ValidateSet alone: under the suite's strict mode, the other attributes have no ValidValues to enumerate.
        $set = (Get-Command (Join-Path $Root 'build.ps1')).Parameters['Task'].Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
        $set.ValidValues | Should -Contain 'Demo'
    }
}
