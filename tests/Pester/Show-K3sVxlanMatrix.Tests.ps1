# Show-K3sVxlanMatrix only reads its input, so the built module is loaded in this process (as Help.Tests does).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

    # Every ordered pair of the nodes; paths to or from $Blocked are VxlanBlocked, the rest Healthy.
    function New-PairResult([string[]] $Nodes, [string] $Blocked) {
        foreach ($source in $Nodes) {
            foreach ($destination in $Nodes -ne $source) {
                $verdict = if ($Blocked -in $source, $destination) { 'VxlanBlocked' } else { 'Healthy' }
                [K3sNet.VxlanPathResult]@{
                    Source = $source; Destination = $destination; Verdict = $verdict; Reason = "$source to $destination"
                    SourceAddress = "10.0.1.$($Nodes.IndexOf($source) + 10)"; DestinationAddress = "10.0.1.$($Nodes.IndexOf($destination) + 10)"
                }
            }
        }
    }

    $Three = 'server-1', 'agent-1', 'agent-2'
}

Describe 'Show-K3sVxlanMatrix' {
    Context 'pipeline input' {
        It 'collects VxlanPathResult objects into one VxlanMatrix, nodes in natural order' {
            $matrix = New-PairResult -Nodes 'node-10', 'node-2', 'node-1' -Blocked 'node-2' | Show-K3sVxlanMatrix

            $matrix | Should -HaveCount 1
            $matrix | Should -BeOfType ([K3sNet.VxlanMatrix])
            $matrix.Nodes | Should -Be 'node-1', 'node-2', 'node-10'
            $matrix.Cells | Should -HaveCount 6
            $matrix.FailedPairs.ForEach({ "$($_.Source)->$($_.Destination)" }) | Should -Be 'node-1->node-2', 'node-2->node-1', 'node-2->node-10', 'node-10->node-2'
            $matrix.Counts['VxlanBlocked'] | Should -Be 4
            $matrix.IsHealthy | Should -BeFalse
        }

        It 'reads results saved with ConvertTo-Json (Verdict as a number) and keeps the traffic properties for Grant-K3sNodeTraffic' {
            $json = New-PairResult -Nodes $Three -Blocked 'agent-2' | ConvertTo-Json
            $json | Should -Match '"Verdict": 1' -Because 'ConvertTo-Json writes enums as numbers'

            $matrix = $json | ConvertFrom-Json | Show-K3sVxlanMatrix

            $matrix.Counts['VxlanBlocked'] | Should -Be 4
            $failed = $matrix.FailedPairs | Where-Object Source -EQ 'server-1'
            $failed | Should -BeOfType ([K3sNet.VxlanPathResult])
            $failed.Destination | Should -Be 'agent-2'
            $failed.DestinationAddress | Should -Be '10.0.1.12'
            $failed.Protocol | Should -Be ([K3sNet.TrafficProtocol]::Udp)
            $failed.FromPort | Should -Be 8472
            $failed.Reason | Should -Be 'server-1 to agent-2'
        }

        It 'reads results saved with -EnumsAsStrings, one JSON file per node, read back together' {
            foreach ($source in $Three) {
                New-PairResult -Nodes $Three -Blocked 'agent-1' | Where-Object Source -EQ $source |
                    ConvertTo-Json -EnumsAsStrings | Set-Content -LiteralPath "TestDrive:/$source.json"
            }

            $matrix = Get-ChildItem TestDrive:/*.json | ForEach-Object { Get-Content -Raw -LiteralPath $_.FullName | ConvertFrom-Json } | Show-K3sVxlanMatrix

            $matrix.UntestedPairs | Should -BeNullOrEmpty
            $matrix.GetCell('agent-1', 'server-1').Verdict | Should -Be ([K3sNet.VxlanVerdict]::VxlanBlocked)
            $matrix.GetCell('server-1', 'agent-2').Verdict | Should -Be ([K3sNet.VxlanVerdict]::Healthy)
        }

        It 'reads deserialized results, as remoting and Import-Clixml return them' {
            New-PairResult -Nodes $Three -Blocked 'agent-2' | Export-Clixml -LiteralPath TestDrive:/results.xml
            $imported = Import-Clixml -LiteralPath TestDrive:/results.xml
            $imported[0].PSObject.TypeNames[0] | Should -Be 'Deserialized.K3sNet.VxlanPathResult'

            $matrix = $imported | Show-K3sVxlanMatrix

            $matrix.Counts['Healthy'] | Should -Be 2
            $matrix.Counts['VxlanBlocked'] | Should -Be 4
        }

        It 'takes results by position too, and the later result for a pair wins' {
            $first = [K3sNet.VxlanPathResult]@{ Source = 'a'; Destination = 'b'; Verdict = 'NodeUnreachable' }
            $rerun = [K3sNet.VxlanPathResult]@{ Source = 'a'; Destination = 'b'; Verdict = 'Healthy' }
            $back = [K3sNet.VxlanPathResult]@{ Source = 'b'; Destination = 'a'; Verdict = 'Healthy' }

            (Show-K3sVxlanMatrix $first, $back, $rerun).IsHealthy | Should -BeTrue
            (Show-K3sVxlanMatrix $rerun, $back, $first).IsHealthy | Should -BeFalse
        }

        It 'writes nothing and no error when nothing comes in' {
            @(@() | Show-K3sVxlanMatrix -ErrorVariable errors) | Should -HaveCount 0
            @($null | Show-K3sVxlanMatrix -AsMarkdown -ErrorVariable +errors) | Should -HaveCount 0
            $errors | Should -BeNullOrEmpty
        }

        It 'reports an object without Source or Destination as InvalidData, names it, and shows the rest' {
            $bad = [pscustomobject]@{ Name = 'agent-1'; Verdict = 'Healthy' }
            $results = @(New-PairResult -Nodes $Three -Blocked 'agent-2') + $bad

            $matrix = $results | Show-K3sVxlanMatrix -ErrorVariable errors -ErrorAction SilentlyContinue

            $errors | Should -HaveCount 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'ResultWithoutSourceOrDestination,K3sNet.Commands.ShowK3sVxlanMatrixCommand'
            $errors[0].CategoryInfo.Category | Should -Be ([System.Management.Automation.ErrorCategory]::InvalidData)
            $errors[0].TargetObject | Should -Be $bad
            $errors[0].ErrorDetails.RecommendedAction | Should -Match 'Test-K3sVxlan'
            $matrix.Nodes | Should -Be 'agent-1', 'agent-2', 'server-1'
            $matrix.Cells | Should -HaveCount 6
        }

        It 'reports a Verdict that is no VxlanVerdict as ResultPropertyInvalid' {
            $bad = [pscustomobject]@{ Source = 'a'; Destination = 'b'; Verdict = 'Fine' }

            $matrix = $bad, [pscustomobject]@{ Source = 'a'; Destination = 'c'; Verdict = 99 } | Show-K3sVxlanMatrix -ErrorVariable errors -ErrorAction SilentlyContinue

            $matrix | Should -BeNullOrEmpty
            $errors.FullyQualifiedErrorId | Should -Be @(
                'ResultPropertyInvalid,K3sNet.Commands.ShowK3sVxlanMatrixCommand'
                'ResultPropertyInvalid,K3sNet.Commands.ShowK3sVxlanMatrixCommand')
            $errors[0].TargetObject | Should -Be $bad
            $errors[1].Exception.Message | Should -Match "Verdict '99'"
        }
    }

    Context 'the view' {
        # The view draws for the host's width (Views.Tests.ps1 shows it at 80 and 120 columns); ToGrid(120) is that drawing
        # in a 120-column terminal, whatever the width of the terminal running these tests.
        It 'draws the grid, the legend and the failed paths' {
            $text = (New-PairResult -Nodes $Three -Blocked 'agent-2' | Show-K3sVxlanMatrix).ToGrid(120)
            $lines = $text -split "`r?`n"

            $lines | Should -Contain 'VXLAN paths between 3 nodes: 2 Healthy, 4 VxlanBlocked'
            $lines | Should -Contain 'From \ To   1 2 3'
            $lines | Should -Contain '1 agent-1   - B .'
            $lines | Should -Contain '2 agent-2   B - B'
            $lines | Should -Contain '3 server-1  . B -'
            $lines | Should -Contain 'Legend: . Healthy  B VxlanBlocked  - self'
            # Every path to and from agent-2 blocked while the others pass: one line that names agent-2's inbound port.
            $lines | Should -Contain 'Not healthy (4 of 6 paths):'
            # The reason is wrapped whole under itself, not cut: a person acts on all of it.
            $lines | Should -Contain 'agent-2 <-> every other node  VxlanBlocked  agent-2 drops inbound UDP 8472 (security group, NACL or firewall): every'
            $lines | Should -Contain '                                            path to and from it is blocked while other paths pass.'
        }

        It 'lists each blocked path when the blocked paths do not single out a node' {
            $text = (New-PairResult -Nodes $Three -Blocked 'agent-2' | Where-Object { $_.Source -ne 'agent-2' } | Show-K3sVxlanMatrix).ToGrid(120)
            $lines = $text -split "`r?`n"
            @($lines -match '^server-1 -> agent-2\s+VxlanBlocked\s+server-1 to agent-2$') | Should -HaveCount 1
            @($lines -match '<->') | Should -BeNullOrEmpty
        }

        It 'shows a pair nobody tested as "no result" in the table of UntestedPairs' {
            $matrix = New-PairResult -Nodes $Three -Blocked 'agent-2' | Where-Object Source -NE 'agent-1' | Show-K3sVxlanMatrix
            # The reason wraps to the terminal's width: read the rows as words.
            $words = (($matrix.UntestedPairs | Out-String -Width 120) -replace '\s+', ' ').Trim()

            $words | Should -BeLike 'Source Destination Verdict Reason ------ ----------- ------- ------ *'
            $words | Should -BeLike '* agent-1 agent-2 no result No result for this path was piped in. *'
            $words | Should -BeLike '* agent-1 server-1 no result No result for this path was piped in.'
        }

        It 'fits 50 nodes with EC2 names in 120 columns, one row per node' {
            $nodes = 1..50 | ForEach-Object { "ip-172-31-16-$(200 + $_)" }
            $text = (New-PairResult -Nodes $nodes -Blocked 'ip-172-31-16-207' | Show-K3sVxlanMatrix).ToGrid(120)
            $lines = $text -split "`r?`n"

            $lines | Where-Object Length -GT 120 | Should -BeNullOrEmpty
            $rows = @($lines | Where-Object { $_ -match '^\s?\d+ ip-172-31-16-\d+\s' })
            $rows | Should -HaveCount 50
            $rows[0] | Should -BeLike ' 1 ip-172-31-16-201  - . . . . . B . *'
            $rows[6] | Should -BeLike ' 7 ip-172-31-16-207  B B B B B B - B *'
        }
    }

    Context '-AsMarkdown and -AsMermaid' {
        It 'writes Markdown as one string: the grid table, the legend and every failed path' {
            $markdown = New-PairResult -Nodes $Three -Blocked 'agent-2' | Show-K3sVxlanMatrix -AsMarkdown

            $markdown | Should -HaveCount 1
            $markdown | Should -BeOfType ([string])
            $lines = $markdown -split "`n"
            $lines | Should -Contain '| 2 agent-2 | **B** | - | **B** |'
            $lines | Should -Contain '| server-1 | agent-2 | VxlanBlocked | server-1 to agent-2 |  |'
            @($lines | Where-Object { $_ -like '| * | * | VxlanBlocked |*' }) | Should -HaveCount 4
        }

        It 'writes Mermaid as one fenced string with an arrow for each failed path' {
            $mermaid = New-PairResult -Nodes $Three -Blocked 'agent-2' | Show-K3sVxlanMatrix -AsMermaid

            $mermaid | Should -HaveCount 1
            $lines = $mermaid -split "`n"
            $lines[0] | Should -Be '```mermaid'
            $lines[-1] | Should -Be '```'
            $lines | Should -Contain 'flowchart LR'
            $lines | Should -Contain '    agent_2["agent-2"]'
            $lines | Should -Contain '    agent_1 <-->|"VxlanBlocked"| agent_2'
            $lines | Should -Contain '    agent_2 <-->|"VxlanBlocked"| server_1'
            @($lines | Where-Object { $_ -match '-->' }) | Should -HaveCount 2 -Because 'healthy paths are not drawn'
        }

        It 'declares a VxlanMatrix for the default set and a string for the others, and refuses both switches at once' {
            $command = Get-Command Show-K3sVxlanMatrix
            $command.DefaultParameterSet | Should -Be 'Grid'
            $declared = $command.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $false) |
                ForEach-Object { foreach ($set in $_.ParameterSetName) { '{0}={1}' -f $set, $_.Type[0].Type.FullName } } | Sort-Object
            $declared | Should -Be 'Grid=K3sNet.VxlanMatrix', 'Markdown=System.String', 'Mermaid=System.String'
            { $Three | Show-K3sVxlanMatrix -AsMarkdown -AsMermaid -ErrorAction Stop } | Should -Throw -ErrorId 'AmbiguousParameterSet,K3sNet.Commands.ShowK3sVxlanMatrixCommand'
        }
    }
}
