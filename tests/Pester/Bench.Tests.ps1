# Every benchmark still runs: tools/Bench.ps1 (what build.ps1 Bench runs) with -Quick on the built module, each
# benchmark once in its small form. No figure is asserted (docs/benchmarks.md reports them); a benchmark that breaks
# fails here. Not build.ps1 Bench itself: that would rebuild out/K3sNet under the running suite.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../Lab/K3sNetLab.psm1') -Force
    $NoLab = Test-K3sNetLabSupport
    $bench = Join-Path (Get-RepositoryRoot) 'tools/Bench.ps1'
    $Output = @(Invoke-PwshProcess -Command "& '$bench' -ModulePath '$(Get-BuiltModulePath)' -Quick" 2>&1 | ForEach-Object { "$_" })
    $ExitCode = $LASTEXITCODE
    # Without colour codes, also where NO_COLOR is not set (a file run by hand).
    $Text = ($Output -join "`n") -replace '\x1b\[[0-9;]*m', ''

    function Get-Section([string] $Name) {
        # What one benchmark printed, between Bench.ps1's "--- Name (load ...)" and "--- Name took N s".
        if ($Text -notmatch "(?s)--- $Name \(load average[^\n]*\n(.*?)--- $Name took \d+ s") {
            throw "tools/Bench.ps1 -Quick did not run the $Name benchmark to its end:`n$Text"
        }
        return $Matches[1]
    }
}

Describe 'tools/Bench.ps1 -Quick' {
    It 'runs every benchmark and succeeds' {
        $ExitCode | Should -Be 0 -Because $Text
        $Text | Should -Not -Match 'benchmark failed'
    }

    It 'measures the import with one pair of processes' {
        Get-Section Import | Should -Match 'ImportModuleAloneMedianMs\s*:\s*-?\d'
    }

    It 'runs the codec''s encode and decode benchmarks' {
        $codec = Get-Section Codec
        $codec | Should -Match '\|\s*Encode\s*\|'
        $codec | Should -Match '\|\s*Decode\s*\|'
    }

    It 'judges a small cluster''s security groups' {
        # 10 nodes (3 servers): UDP 8472 and TCP 10250 for each of the 90 ordered pairs, TCP 6443 from 7 agents to 3 servers.
        Get-Section SecurityGroup | Should -Match 'Verdicts\s*:\s*201\b'
    }

    It 'tests VXLAN on a small lab, healthy and with a blocked peer' {
        Skip-K3sNetLabTest -Reason $NoLab
        $vxlan = Get-Section Vxlan
        $vxlan | Should -Match 'Case: 0 of 2 peers drop UDP 8472'
        $vxlan | Should -Match 'Case: 1 of 2 peers drop UDP 8472'
        $vxlan | Should -Match '2 results: .*VxlanBlocked=1'
    }

    It 'runs Test-K3sVxlan -AllNodes through Kubernetes on a small lab: every ordered pair from both ends, one pod and one exec per node, nothing left' {
        Skip-K3sNetLabTest -Reason $NoLab
        $all = Get-Section AllNodes
        # 3 nodes, the last one's group drops UDP 8472: its 4 pairs blocked, judged from all 3 nodes.
        $all | Should -Match 'Test-K3sVxlan -AllNodes: [\d.]+ s in the pipeline, [\d.]+ s from the prompt \(pwsh start to exit\); 6 results from 3 nodes: Healthy=2, VxlanBlocked=4; 0 K3sNet namespaces left\.'
        $all | Should -Match 'Test-K3sVxlan -AllNodes:\s+3 x (GET|POST) /api/v1/namespaces/\{ns\}/pods/\{pod\}/exec'
        $all | Should -Match '(?m)Test-K3sVxlan -AllNodes:\s+3 x POST /api/v1/namespaces/\{ns\}/pods$'
        $all | Should -Match '(?m)Test-K3sVxlan -AllNodes:\s+1 x POST /api/v1/namespaces$'
        $all | Should -Match '(?m)Test-K3sVxlan -AllNodes:\s+1 x DELETE /api/v1/namespaces/\{ns\}$'
        # What pods see, the same way: a pod and one exec per node, every pod pair, nothing left.
        $all | Should -Match 'Test-K3sPodNetwork: [\d.]+ s in the pipeline, [\d.]+ s from the prompt; \d+ results \(6 pod pairs\): .*; 0 K3sNet namespaces left\.'
        $all | Should -Match 'Test-K3sPodNetwork:\s+3 x (GET|POST) /api/v1/namespaces/\{ns\}/pods/\{pod\}/exec'
        $all | Should -Match '(?m)Test-K3sPodNetwork:\s+3 x POST /api/v1/namespaces/\{ns\}/pods$'
        # The comparison: one exec per ordered pair, serially.
        $all | Should -Match 'Serial kubectl exec ping loop: .* for 6 execs one at a time, .*; 2 answered, 4 not\.'
        $all | Should -Match 'kubectl exec loop:\s+6 x (GET|POST) /api/v1/namespaces/\{ns\}/pods/\{pod\}/exec'
    }
}
