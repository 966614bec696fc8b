# Every default view, as a person sees it in a terminal 80 and 120 columns wide. The views lay out their widest column
# for the width the host reports (ViewText), so each width is a real terminal: a fresh pwsh under a pseudo-terminal
# (util-linux `script`) sized with stty, writing to the host through Out-Default, in the invariant culture, which
# PowerShell wraps character by character (a CI machine's LANG=C). Each view must keep its headers whole, fit the width,
# and show the values a person acts on whole, wrapped only between words.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force
    $ModulePath = Get-BuiltModulePath

    # The objects each view shows, built the way the cmdlets build them; the values are the long ones real clusters have.
    $Samples = {
        param([string] $ModulePath)
        $PSStyle.OutputRendering = 'PlainText'
        [cultureinfo]::CurrentCulture = [cultureinfo]::InvariantCulture
        Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
        function Show-View([string] $Name, [object[]] $Objects) { "<<VIEW $Name>>"; $Objects | Out-Host; '<<END>>' }

        Show-View SecurityGroupVerdict @(
            [K3sNet.SecurityGroupVerdict]@{ Source = 'ip-172-31-16-201'; Destination = 'ip-172-31-16-202'; Protocol = 'Udp'; FromPort = 8472; ToPort = 8472; Status = 'Blocked'; GroupId = 'sg-0123456789abcdef0'; SuggestedSource = 'sg-0fedcba9876543210' }
            [K3sNet.SecurityGroupVerdict]@{ Source = 'ip-172-31-16-202'; Destination = 'ip-172-31-16-201'; Protocol = 'Tcp'; FromPort = 2379; ToPort = 2380; Status = 'Allowed'; Allowed = $true; GroupId = 'sg-0fedcba9876543210' }
            [K3sNet.SecurityGroupVerdict]@{ Source = 'ip-172-31-16-202'; Destination = 'ip-172-31-16-201'; Protocol = 'Udp'; FromPort = 8472; ToPort = 8472; Status = 'Blocked'; GroupId = 'sg-0fedcba9876543210'; BlockedBy = 'acl-0123456789abcdef0 inbound rule 90 (deny udp/8472 from 10.0.0.5/32)' }
            [K3sNet.SecurityGroupVerdict]@{ Source = '0.0.0.0/0'; Destination = 'k3s-nodes'; Protocol = 'Tcp'; FromPort = 10250; ToPort = 10250; Status = 'Exposed'; Allowed = $true; GroupId = 'sg-0fedcba9876543210' }
        )
        Show-View SecurityGroupVerdictSummary @(
            [K3sNet.SecurityGroupVerdictSummary]@{ GroupId = 'sg-0123456789abcdef0'; Protocol = 'Udp'; FromPort = 8472; ToPort = 8472; Status = 'Blocked'; PairCount = 1234; SuggestedSource = 'sg-0fedcba9876543210' }
            [K3sNet.SecurityGroupVerdictSummary]@{ GroupId = 'sg-0fedcba9876543210'; Protocol = 'Tcp'; FromPort = 2379; ToPort = 2380; Status = 'Allowed'; Allowed = $true; PairCount = 6 }
        )
        Show-View SecurityGroupChange @(
            [K3sNet.SecurityGroupChange]@{ Action = 'Added'; GroupId = 'sg-0123456789abcdef0'; Protocol = 'Udp'; FromPort = 8472; ToPort = 8472; Source = 'sg-0123456789abcdef0'; Description = 'k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes)' }
            [K3sNet.SecurityGroupChange]@{ Action = 'AlreadyPresent'; GroupId = 'sg-0123456789abcdef0'; Protocol = 'Tcp'; FromPort = 2379; ToPort = 2380; Source = '203.0.113.25/32'; Description = 'k3s etcd client and peer traffic' }
        )
        Show-View K3sNode @(
            [K3sNet.K3sNode]@{ Name = 'ip-172-31-16-201'; Ready = $true; Roles = 'control-plane', 'etcd', 'master'; InternalIP = '172.31.16.201'; FlannelPublicIP = '203.0.113.250'; PodCidr = '10.42.100.0/24' }
            [K3sNet.K3sNode]@{ Name = 'k3s-agent-2'; Ready = $false; InternalIP = '10.0.1.22'; FlannelPublicIP = '203.0.113.25'; PodCidr = '10.42.2.0/24'; Problems = 'one', 'two' }
        )
        Show-View PortRequirement @(Get-K3sPortMatrix -Role Agent -EmbeddedRegistry)
        Show-View VxlanPathResult @(
            [K3sNet.VxlanPathResult]@{ Source = 'ip-172-31-16-201'; Destination = 'ip-172-31-16-202'; Verdict = 'VxlanBlocked'; Reason = 'ip-172-31-16-202 answers ping on 10.0.1.22 but not VXLAN on UDP 8472: its security group, NACL or firewall drops it.' }
            [K3sNet.VxlanPathResult]@{ Source = 'ip-172-31-16-201'; Destination = 'ip-172-31-16-203'; Verdict = 'Healthy'; RoundTripMs = 0.42; PathMtu = 1450; Reason = 'VXLAN and the underlay both answer.' }
        )
        $results = foreach ($source in 'server-1', 'agent-1', 'agent-2') {
            foreach ($destination in @('server-1', 'agent-1', 'agent-2') -ne $source) {
                $verdict = if ('agent-2' -in $source, $destination) { 'VxlanBlocked' } else { 'Healthy' }
                [K3sNet.VxlanPathResult]@{ Source = $source; Destination = $destination; Verdict = $verdict; Reason = "$source to $destination" }
            }
        }
        Show-View VxlanMatrix @($results | Show-K3sVxlanMatrix)
        Show-View VxlanMatrixCell @(($results | Where-Object Source -NE 'agent-1' | Show-K3sVxlanMatrix).UntestedPairs)
        $podResults = @(
            [K3sNet.PodNetworkResult]@{ Check = 'ClusterDns'; Source = 'ip-172-31-16-202'; Destination = 'cluster DNS'; Verdict = 'Failed'; Reason = 'Pods on ip-172-31-16-202 cannot resolve names: the cluster DNS (10.43.0.10) runs on ip-172-31-16-201, which they cannot reach through VXLAN (UDP 8472).' }
            [K3sNet.PodNetworkResult]@{ Check = 'KubernetesService'; Source = 'ip-172-31-16-201'; Destination = 'kubernetes'; Verdict = 'Healthy'; Reason = 'Pods on ip-172-31-16-201 connect to the kubernetes Service (10.43.0.1:443).' }
        )
        Show-View PodNetworkResult $podResults
        Show-View PodNetworkMatrix @(@(foreach ($source in 'server-1', 'agent-1', 'agent-2') {
                    foreach ($destination in @('server-1', 'agent-1', 'agent-2') -ne $source) {
                        $failed = 'agent-2' -in $source, $destination
                        [K3sNet.PodNetworkResult]@{ Check = 'PodToPod'; Source = $source; Destination = $destination; Verdict = if ($failed) { 'Failed' } else { 'Healthy' }; Reason = "pods on $source to $destination" }
                    }
                }) + $podResults[0] | Show-K3sVxlanMatrix)
        $dropped = [System.Collections.Generic.SortedDictionary[string, long]]::new()
        $dropped['InnerIPv4ReservedFlagSet'] = 1; $dropped['NotVxlan'] = 12; $dropped['RateLimited'] = 3
        Show-View VxlanResponderSummary @([K3sNet.VxlanResponderSummary]@{ Port = 8472; Vni = 1; Duration = [TimeSpan]::FromSeconds(30); Received = 100; Answered = 84; Dropped = 16; Sources = 2; DroppedByReason = $dropped })
    }

    function Get-TerminalView([int] $Width) {
        # One pseudo-terminal per width for every view: what Out-Default writes there, by view name.
        $command = "& { $Samples } -ModulePath '$ModulePath'"
        $pwsh = (@(Get-PwshCommandLine) + '-NoProfile', '-NonInteractive', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($command))) -join ' '
        $raw = & script -qec "stty cols $Width rows 50; $pwsh" /dev/null
        if ($LASTEXITCODE -ne 0) { throw "The pwsh in a $Width-column terminal failed: $($raw -join "`n")" }
        $views = @{}
        $name = $null
        foreach ($line in $raw) {
            # The terminal's mode switches and carriage returns are not text a person sees.
            $line = ($line -replace '\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]', '').TrimEnd("`r").TrimEnd()
            if ($line -match '^<<VIEW (\w+)>>$') { $name = $Matches[1]; $views[$name] = [Collections.Generic.List[string]]::new(); continue }
            if ($line -eq '<<END>>') { $name = $null; continue }
            if ($name) { $views[$name].Add($line) }
        }
        return $views
    }

    function Get-TableRow([string[]] $Lines, [string] $Header, [string] $Last) {
        # The rows of a table, each with the lines of its last column (header $Last) as a list.
        $at = [array]::IndexOf($Lines, ($Lines | Where-Object { $_ -match $Header } | Select-Object -First 1))
        $at | Should -BeGreaterOrEqual 0 -Because "the header '$Header' is on one line, no label broken"
        $start = $Lines[$at].LastIndexOf($Last)
        $rows = [Collections.Generic.List[object]]::new()
        foreach ($line in $Lines[($at + 2)..($Lines.Count - 1)]) {
            if (-not $line.Trim() -or $line -match '^\s+GroupId:') { continue }
            $last = if ($line.Length -gt $start) { $line.Substring($start).Trim() } else { '' }
            if ($line.Substring(0, [Math]::Min($start, $line.Length)).Trim()) {
                $rows.Add([pscustomobject]@{ Line = $line; Last = [Collections.Generic.List[string]]@($last) })
            }
            else { $rows[-1].Last.Add($last) }
        }
        return $rows
    }

    function ConvertTo-Words([string] $Text) {
        # A break may fall at a space or after a comma; anything else is a word cut in two.
        (($Text -replace '\s+', ' ') -replace ', ?', ',').Trim()
    }

    $Views = @{ 80 = Get-TerminalView 80; 120 = Get-TerminalView 120 }
}

Describe 'Default views at <Width> columns' -ForEach @(@{ Width = 80 }, @{ Width = 120 }) {
    BeforeAll { $Shown = $Views[$Width] }

    It 'writes every view, and no line wider than the terminal' {
        $Shown.Keys | Sort-Object | Should -Be @('K3sNode', 'PodNetworkMatrix', 'PodNetworkResult', 'PortRequirement', 'SecurityGroupChange', 'SecurityGroupVerdict', 'SecurityGroupVerdictSummary', 'VxlanMatrix', 'VxlanMatrixCell', 'VxlanPathResult', 'VxlanResponderSummary')
        foreach ($name in $Shown.Keys) {
            $Shown[$name] | Where-Object Length -GT $Width | Should -BeNullOrEmpty -Because "$name fits $Width columns"
        }
    }

    It 'Test-K3sSecurityGroup: shows each flow with the group to change and the whole fix' {
        $rows = Get-TableRow $Shown.SecurityGroupVerdict '^Source\s+Destination\s+Port\s+Status\s+GroupId / Fix$' 'GroupId / Fix'
        $rows | Should -HaveCount 4
        $rows[0].Line | Should -Match '^ip-172-31-16-201 ip-172-31-16-202 udp/8472\s+Blocked sg-0123456789abcdef0:'
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'sg-0123456789abcdef0: grant from sg-0fedcba9876543210')
        $rows[1].Line | Should -Match '^ip-172-31-16-202 ip-172-31-16-201 tcp/2379-2380 Allowed sg-0fedcba9876543210$'
        ConvertTo-Words ($rows[2].Last -join ' ') | Should -Be (ConvertTo-Words 'sg-0fedcba9876543210: change acl-0123456789abcdef0 inbound rule 90 (deny udp/8472 from 10.0.0.5/32)')
        ConvertTo-Words ($rows[3].Last -join ' ') | Should -Be (ConvertTo-Words 'sg-0fedcba9876543210: open to 0.0.0.0/0, revoke it')
        if ($Width -ge 120) { $rows[0].Last | Should -HaveCount 1 -Because 'a wide terminal shows the fix on one line' }
    }

    It 'Test-K3sSecurityGroup -Summary: shows each group and flow with its pair count and the whole fix' {
        $rows = Get-TableRow $Shown.SecurityGroupVerdictSummary '^GroupId\s+Port\s+Status\s+Pairs\s+Fix$' 'Fix'
        $rows | Should -HaveCount 2
        $rows[0].Line | Should -Match '^sg-0123456789abcdef0 udp/8472\s+Blocked\s+1234 grant'
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'grant from sg-0fedcba9876543210')
        $rows[1].Line | Should -Match '^sg-0fedcba9876543210 tcp/2379-2380 Allowed\s+6$'
        if ($Width -ge 120) { $rows[0].Last | Should -HaveCount 1 -Because 'a wide terminal shows the fix on one line' }
    }

    It 'Grant/Revoke-K3sNodeTraffic: heads the rules with their group and shows each description whole' {
        $lines = $Shown.SecurityGroupChange
        $lines | Should -Contain '   GroupId: sg-0123456789abcdef0'
        $rows = Get-TableRow $lines '^Action\s+Port\s+Source\s+Description$' 'Description'
        $rows | Should -HaveCount 2
        $rows[0].Line | Should -Match '^Added\s+udp/8472\s+sg-0123456789abcdef0 k3s'
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes)')
        $rows[1].Line | Should -Match '^AlreadyPresent tcp/2379-2380 203\.0\.113\.25/32\s'
        ConvertTo-Words ($rows[1].Last -join ' ') | Should -Be (ConvertTo-Words 'k3s etcd client and peer traffic')
        if ($Width -ge 120) { $rows[0].Last | Should -HaveCount 1 }
    }

    It 'Get-K3sNode: shows the name, state and addresses whole, and the roles where there is room' {
        $lines = $Shown.K3sNode
        @($lines | Where-Object { $_ -match '^ip-172-31-16-201 True  0        172\.31\.16\.201   203\.0\.113\.250   10\.42\.100\.0/24(\s|$)' }) | Should -HaveCount 1
        @($lines | Where-Object { $_ -match '^k3s-agent-2      False 2        10\.0\.1\.22       203\.0\.113\.25    10\.42\.2\.0/24(\s|$)' }) | Should -HaveCount 1
        if ($Width -ge 120) {
            $rows = Get-TableRow $lines '^Name\s+Ready\s+Problems\s+InternalIP\s+PublicIP\s+PodCidr\s+Roles$' 'Roles'
            ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'control-plane,etcd,master')
            ConvertTo-Words ($rows[1].Last -join ' ') | Should -Be (ConvertTo-Words '<none>')
        }
        else {
            $lines | Should -Contain 'Name             Ready Problems InternalIP      PublicIP        PodCidr'
        }
        $lines | Should -Not -Match '…' -Because 'no value is cut'
    }

    It 'Get-K3sPortMatrix: shows every purpose whole' {
        $rows = Get-TableRow $Shown.PortRequirement '^Protocol\s+Port\s+Source\s+Destination\s+ClusterOnly\s+Purpose$' 'Purpose'
        $rows | Should -HaveCount 4
        ConvertTo-Words ($rows[-1].Last -join ' ') | Should -Be (ConvertTo-Words 'Embedded distributed registry (Spegel): every node serves it on the supervisor port')
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'Flannel VXLAN overlay (pod-to-pod traffic between nodes)')
    }

    It 'Test-K3sVxlan: shows the whole reason beside the verdict and the measurements' {
        $rows = Get-TableRow $Shown.VxlanPathResult '^Source\s+Destination\s+Verdict\s+RTT ms\s+MTU\s+Reason$' 'Reason'
        $rows | Should -HaveCount 2
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'ip-172-31-16-202 answers ping on 10.0.1.22 but not VXLAN on UDP 8472: its security group, NACL or firewall drops it.')
        $rows[1].Line | Should -Match '^ip-172-31-16-201 ip-172-31-16-203 Healthy\s+0\.42\s+1450 VXLAN'
    }

    It 'Show-K3sVxlanMatrix: draws the grid and wraps the reasons between words' {
        $lines = $Shown.VxlanMatrix
        $lines | Should -Contain '2 agent-2   B - B'
        $at = [array]::IndexOf($lines, 'Not healthy (4 of 6 paths):')
        $at | Should -BeGreaterThan 0
        $findings = ConvertTo-Words ($lines[($at + 1)..($lines.Count - 1)] -join ' ')
        $findings | Should -BeLike (ConvertTo-Words '*agent-2 drops inbound UDP 8472 (security group, NACL or firewall): every path to and from it is blocked while other paths pass.*')
    }

    It 'Test-K3sPodNetwork: shows the check, the nodes, the verdict and the whole reason' {
        $rows = Get-TableRow $Shown.PodNetworkResult '^Check\s+Source\s+Destination\s+Verdict\s+Reason$' 'Reason'
        $rows | Should -HaveCount 2
        $rows[0].Line | Should -Match '^ClusterDns\s+ip-172-31-16-202 cluster DNS\s+Failed\s+Pods'
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'Pods on ip-172-31-16-202 cannot resolve names: the cluster DNS (10.43.0.10) runs on ip-172-31-16-201, which they cannot reach through VXLAN (UDP 8472).')
        $rows[1].Line | Should -Match '^KubernetesService ip-172-31-16-201 kubernetes\s+Healthy'
    }

    It 'Show-K3sVxlanMatrix of pod results: draws the pod grid and lists the failed DNS check under it' {
        $lines = $Shown.PodNetworkMatrix
        $lines | Should -Contain '2 agent-2   X - X'
        $at = [array]::IndexOf($lines, 'Not healthy (4 of 6 paths):')
        $at | Should -BeGreaterThan 0
        ConvertTo-Words ($lines[($at + 1)..($lines.Count - 1)] -join ' ') | Should -BeLike (ConvertTo-Words '*ip-172-31-16-202 -> cluster DNS Failed*cannot resolve names: the cluster DNS (10.43.0.10) runs on ip-172-31-16-201, which they cannot reach through VXLAN (UDP 8472).*')
    }

    It 'the UntestedPairs table and the responder summary: reasons and drops whole' {
        $rows = Get-TableRow $Shown.VxlanMatrixCell '^Source\s+Destination\s+Verdict\s+Reason$' 'Reason'
        $rows | Should -HaveCount 2
        $rows | ForEach-Object { ConvertTo-Words ($_.Last -join ' ') | Should -Be (ConvertTo-Words 'No result for this path was piped in.') }
        $rows = Get-TableRow $Shown.VxlanResponderSummary '^\s*Port\s+Vni\s+Duration\s+Received\s+Answered\s+Dropped\s+DroppedByReason$' 'DroppedByReason'
        $rows[0].Line | Should -Match '^\s*8472\s+1\s+00:00:30\s+100\s+84\s+16 '
        ConvertTo-Words ($rows[0].Last -join ' ') | Should -Be (ConvertTo-Words 'InnerIPv4ReservedFlagSet 1,NotVxlan 12,RateLimited 3')
    }
}
