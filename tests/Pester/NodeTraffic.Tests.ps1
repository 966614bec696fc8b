# Grant-K3sNodeTraffic and Revoke-K3sNodeTraffic against the EC2 emulator, through the built module and the real
# AWSSDK.EC2 client. Every test starts its own emulator, so each sees the state it sets up.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsPath = Join-Path $PSScriptRoot '../../docs'
    $DocsExamples = @(Get-DocsExampleCase -DocsPath $DocsPath -Name 'Grant-K3sNodeTraffic') + @(Get-DocsExampleCase -DocsPath $DocsPath -Name 'Revoke-K3sNodeTraffic')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

    # Explicit keys every time: the SDK's default chain would look for instance metadata.
    $Aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret' }
    $Group = 'sg-0123456789abcdef0'
    $Ids = 'i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002', 'i-0a1b2c3d4e5f60007'

    function Get-Ingress([string] $GroupId) { @((Get-Ec2EmulatorState $Emulator).securityGroups | Where-Object groupId -EQ $GroupId)[0].ingress }

    # Runs $Script in a child pwsh that can be asked questions (-Confirm, a Revoke without a port), with $aws aimed at
    # this test's emulator, answers them with -Answers (one line each on stdin), and returns its output lines. With
    # -NonInteractive a question is an error instead, which proves that none was asked.
    Import-Module (Join-Path (Get-RepositoryRoot) 'tools/PwshProcess.psm1') -Force
    function Invoke-AnsweredPwsh([string] $Script, [string[]] $Answers = @(), [switch] $NonInteractive) {
        $prelude = "`$ErrorActionPreference = 'Stop'; Import-Module '$(Join-Path (Get-BuiltModulePath) 'K3sNet.psd1')'; " +
            "`$aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret'; EndpointUrl = '$($Emulator.Url)' }`n"
        $commandLine = @(Get-PwshCommandLine)
        $start = [Diagnostics.ProcessStartInfo]::new($commandLine[0])
        $arguments = @($commandLine | Select-Object -Skip 1) + @('-NoProfile') + @(if ($NonInteractive) { '-NonInteractive' }) +
            @('-OutputFormat', 'Text', '-EncodedCommand', [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($prelude + $Script)))
        foreach ($argument in $arguments) { $start.ArgumentList.Add($argument) }
        $start.RedirectStandardInput = $true
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $start.UseShellExecute = $false
        $process = [Diagnostics.Process]::Start($start)
        foreach ($answer in $Answers) { $process.StandardInput.WriteLine($answer) }
        $process.StandardInput.Close()
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        if (-not $process.WaitForExit(180000)) {
            $process.Kill()
            throw "The child pwsh did not finish (waiting for an answer?): $($stdout.Result)"
        }
        @($stdout.Result -split "`r?`n") + @($stderr.Result -split "`r?`n")
    }
}

Describe 'Grant-K3sNodeTraffic' {
    BeforeEach {
        $Emulator = Start-Ec2Emulator -State (New-Ec2DocsState)
        $Aws.EndpointUrl = $Emulator.Url
    }
    AfterEach { Stop-Ec2Emulator $Emulator }

    It 'Test | Where-Object { -not $_.Allowed } | Grant, then Test shows everything allowed' {
        Test-K3sSecurityGroup -InstanceId $Ids @Aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @Aws
        $after = Test-K3sSecurityGroup -InstanceId $Ids @Aws
        $after | Should -HaveCount 18
        @($after | Where-Object { -not $_.Allowed }) | Should -BeNullOrEmpty
        $vxlan = @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp')
        $vxlan | Should -HaveCount 1 -Because 'one self-referencing rule fixes every pair'
        $vxlan[0].referencedGroupId | Should -Be $Group
        $vxlan[0].description | Should -Be 'k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes) (K3sNet)'
    }

    It 'opens UDP 8472 for the paths Test-K3sVxlan found blocked, from the source nodes'' group, after -WhatIf changed nothing' {
        # What Test-K3sVxlan emits on k3s-server-1's peers when its group drops VXLAN: the mission's pipeline,
        # Get-K3sNode | Test-K3sVxlan | Where-Object Verdict -EQ VxlanBlocked | Grant-K3sNodeTraffic.
        $blocked = '10.0.1.21', '10.0.1.24' | ForEach-Object {
            [K3sNet.VxlanPathResult]@{ Source = "agent-$_"; Destination = 'k3s-server-1'; SourceAddress = $_; DestinationAddress = '10.0.1.10'; VtepAddress = '10.42.0.0'; Verdict = 'VxlanBlocked' }
        }

        $preview = $blocked | Grant-K3sNodeTraffic @Aws -WhatIf -PassThru
        @($preview | Where-Object Action -EQ WouldAdd) | Should -HaveCount 1 -Because 'both paths need the same rule in the same group'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse

        $changes = @($blocked | Grant-K3sNodeTraffic @Aws -PassThru)
        $added = @($changes | Where-Object Action -EQ Added)
        $added | Should -HaveCount 1
        $added[0].GroupId | Should -Be $Group
        $added[0].Protocol | Should -Be 'Udp'
        $added[0].FromPort, $added[0].ToPort | Should -Be @(8472, 8472)
        $added[0].Source | Should -Be $Group -Because 'both addresses are private in one VPC, so the source nodes'' group is the narrowest source'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1
        $rule = @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp')
        $rule.referencedGroupId | Should -Be $Group
        $rule.description | Should -Be 'k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes) (K3sNet)'
    }

    It 'opens a blocked VXLAN path at both ends: the reply needs UDP 8472 into the source''s group too' {
        # Three nodes, a group each; the groups of 10.0.0.4 and 10.0.0.5 admit UDP 8472 from every group, the group of
        # 10.0.0.6 (sg-…2) admits none: what Test-K3sVxlan run on 10.0.0.6 reports, as JSON carries it (Verdict a number).
        $state = New-Ec2ClusterState -Nodes 3 -Groups 3
        $groups = $state.securityGroups.groupId
        foreach ($open in $state.securityGroups[0, 1]) {
            $open.ingress += @($groups | ForEach-Object { [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; referencedGroupId = $_ } })
        }
        Stop-Ec2Emulator $Emulator
        $Emulator = Start-Ec2Emulator -State $state
        $Aws.EndpointUrl = $Emulator.Url
        $paths = '10.0.0.4', '10.0.0.5' | ForEach-Object {
            [K3sNet.VxlanPathResult]@{ Source = 'node-2'; Destination = $_; SourceAddress = '10.0.0.6'; DestinationAddress = $_; Verdict = 'VxlanBlocked' }
        } | ConvertTo-Json | ConvertFrom-Json

        $changes = @($paths | Grant-K3sNodeTraffic @Aws -PassThru)
        @($changes | Where-Object Action -EQ AlreadyPresent).GroupId | Should -Be @($groups[0], $groups[1]) -Because 'the destinations admit node-2 already'
        $added = @($changes | Where-Object Action -EQ Added)
        $added.GroupId | Sort-Object -Unique | Should -Be $groups[2]
        ($added.Source | Sort-Object) | Should -Be @($groups[0], $groups[1]) -Because 'the replies come from the destinations'' groups'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1

        Reset-Ec2EmulatorCallCount $Emulator
        (@($paths | Grant-K3sNodeTraffic @Aws -PassThru).Action | Sort-Object -Unique) | Should -Be 'AlreadyPresent'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
    }

    It 'changes only the group -GroupId names for a VXLAN path, and says the reply side was left' {
        $state = New-Ec2ClusterState -Nodes 3 -Groups 3
        $groups = $state.securityGroups.groupId
        Stop-Ec2Emulator $Emulator
        $Emulator = Start-Ec2Emulator -State $state
        $Aws.EndpointUrl = $Emulator.Url
        $path = [K3sNet.VxlanPathResult]@{ Source = 'node-2'; Destination = 'node-0'; SourceAddress = '10.0.0.6'; DestinationAddress = '10.0.0.4'; Verdict = 'VxlanBlocked' }

        $output = $path | Grant-K3sNodeTraffic -GroupId $groups[0] @Aws -PassThru -Verbose 4>&1
        $changes = @($output | Where-Object { $_ -is [K3sNet.SecurityGroupChange] })
        $changes.GroupId | Sort-Object -Unique | Should -Be $groups[0]
        $changes.Action | Should -Be 'Added'
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match 'the reply side \(UDP 8472 into the source''s group\) is left as it is'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1 -Because 'one group, one call'
    }

    It 'adds nothing for a VXLAN path that already passes or was not tested, and says so' {
        $paths = @(
            [K3sNet.VxlanPathResult]@{ Source = 'agent-1'; Destination = 'k3s-server-1'; SourceAddress = '10.0.1.21'; DestinationAddress = '10.0.1.10'; Verdict = 'Healthy' }
            [K3sNet.VxlanPathResult]@{ Source = 'agent-1'; Destination = 'agent-3'; SourceAddress = '10.0.1.21'; DestinationAddress = '10.0.1.24'; Verdict = 'NotTested' }
        )
        $verbose = $paths | Grant-K3sNodeTraffic @Aws -PassThru -Verbose 4>&1
        @($verbose | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }) | Should -BeNullOrEmpty
        ($verbose.Message -join "`n") | Should -Match '10\.0\.1\.21 -> 10\.0\.1\.10 is Healthy: VXLAN already passes both ways'
        (Get-Ec2EmulatorCallCount $Emulator).Count | Should -Be 0 -Because 'nothing needs EC2'
    }

    It 'adds no security-group rule for a path the node''s own firewall drops, and warns why' {
        $path = [K3sNet.VxlanPathResult]@{ Source = 'agent-1'; Destination = 'k3s-server-1'; SourceAddress = '10.0.1.21'; DestinationAddress = '10.0.1.10'; Verdict = 'HostFirewall' }
        $output = $path | Grant-K3sNodeTraffic @Aws -PassThru 3>&1
        @($output | Where-Object { $_ -isnot [System.Management.Automation.WarningRecord] }) | Should -BeNullOrEmpty
        ($output.Message -join "`n") | Should -Match '10\.0\.1\.21 -> 10\.0\.1\.10 is HostFirewall: the node''s own firewall drops it, not a security group'
        (Get-Ec2EmulatorCallCount $Emulator).Count | Should -Be 0 -Because 'no group change helps'
    }

    It 'makes zero Authorize calls the second time' {
        Get-K3sPortMatrix | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1
        Reset-Ec2EmulatorCallCount $Emulator
        $second = Get-K3sPortMatrix | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -PassThru
        $second.Action | Sort-Object -Unique | Should -Be 'AlreadyPresent'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
    }

    It 'adds all of one group''s missing rules in one call' {
        $changes = Get-K3sPortMatrix -EmbeddedRegistry -EmbeddedEtcd | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -PassThru
        @($changes | Where-Object Action -EQ Added).FromPort | Should -Be @(2379, 8472, 5001)
        ($changes | Where-Object Action -EQ Added)[0].RuleId | Should -BeLike 'sgr-*'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1
    }

    It 'counts a rule someone else added meanwhile (InvalidPermission.Duplicate) as already present' {
        Add-Ec2EmulatorRaceRule $Emulator -Action AuthorizeSecurityGroupIngress -GroupId $Group -Rule @{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; referencedGroupId = $Group }
        $changes = Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -PassThru
        ($changes | Where-Object FromPort -EQ 8472).Action | Should -Be 'AlreadyPresent'
        ($changes | Where-Object FromPort -EQ 5001).Action | Should -Be 'Added'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 2 -Because 'the first call failed as a whole'
        @(Get-Ingress $Group | Where-Object fromPort -EQ 8472) | Should -HaveCount 1
    }

    It 'names every rule exactly once in the record after a race, and asks -Confirm only once' {
        # The group had TCP 6443 and 10250 before; UDP 8472 arrives during the first Authorize; TCP 5001 is K3sNet's.
        Add-Ec2EmulatorRaceRule $Emulator -Action AuthorizeSecurityGroupIngress -GroupId $Group -Rule @{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; referencedGroupId = $Group }
        $output = Invoke-AnsweredPwsh -Answers 'y' -Script @"
`$changes = @(Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId '$Group' -SourceGroupId '$Group' @aws -PassThru -Confirm)
'RECORD:' + ((`$changes | ForEach-Object { '{0}/{1}={2}' -f `$_.Protocol, `$_.FromPort, `$_.Action }) -join ',')
"@
        $record = @($output | Where-Object { $_ -like 'RECORD:*' })
        $record | Should -HaveCount 1 -Because ($output -join "`n")
        @($record[0].Substring(7) -split ',' | Sort-Object) | Should -Be @('Tcp/10250=AlreadyPresent', 'Tcp/5001=Added', 'Tcp/6443=AlreadyPresent', 'Udp/8472=AlreadyPresent')
        @($output | Where-Object { $_ -match 'Are you sure you want to perform this action' }) | Should -HaveCount 1 -Because 'the retry adds only rules the user already approved'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 2
    }

    It 'records a declined -Confirm as Declined, not WouldAdd, and adds nothing; Yes adds' {
        $script = "'ACTIONS:' + (@(Grant-K3sNodeTraffic -GroupId '$Group' -SourceGroupId '$Group' @aws -Confirm -PassThru).Action -join ',')"
        $declined = Invoke-AnsweredPwsh -Script $script -Answers 'n'
        $declined | Should -Contain 'ACTIONS:Declined' -Because ($declined -join "`n")
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
        @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp') | Should -BeNullOrEmpty

        $approved = Invoke-AnsweredPwsh -Script $script -Answers 'y'
        $approved | Should -Contain 'ACTIONS:Added' -Because ($approved -join "`n")
        @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp') | Should -HaveCount 1
    }

    It 'writes an error for a piped port or protocol that does not convert, adds nothing for it, and goes on' {
        $rows = @(
            [pscustomobject]@{ GroupId = $Group; Protocol = 'Tcp'; FromPort = '9100-9100' }
            [pscustomobject]@{ GroupId = $Group; Protocol = 'Sctp'; FromPort = 9200 }
            [pscustomobject]@{ GroupId = $Group; Protocol = 'Tcp'; FromPort = '9300' }
        )
        $changes = @($rows | Grant-K3sNodeTraffic -SourceCidr 10.0.0.0/16 @Aws -PassThru -ErrorVariable bad -ErrorAction SilentlyContinue)
        $bad | Should -HaveCount 2
        $bad.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'TrafficPropertyInvalid,K3sNet.Commands.GrantK3sNodeTrafficCommand'
        $bad.CategoryInfo.Category | Sort-Object -Unique | Should -Be 'InvalidArgument'
        $bad[0].TargetObject.FromPort | Should -Be '9100-9100' -Because 'the target is the piped object itself'
        $bad[1].TargetObject.Protocol | Should -Be 'Sctp'
        $bad[1].Exception.Message | Should -Match "Protocol 'Sctp'"
        $changes.FromPort | Should -Be 9300
        $changes.Action | Should -Be 'Added'
        @(Get-Ingress $Group | Where-Object { $_.fromPort -in 8472, 9100, 9200 }) | Should -BeNullOrEmpty -Because 'no default port stands in for one that did not convert'
    }

    It 'reads ClusterOnly given as the text True (Import-Csv) and refuses the world for it' {
        $row = [pscustomobject]@{ GroupId = $Group; Protocol = 'Tcp'; FromPort = '9400'; ClusterOnly = 'True' }
        $row | Grant-K3sNodeTraffic -SourceCidr 0.0.0.0/0 @Aws -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'WorldOpenRefused,*'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
    }

    It 'makes no mutating call under -WhatIf' {
        $changes = Test-K3sSecurityGroup -InstanceId $Ids @Aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @Aws -WhatIf -PassThru
        $changes.Action | Should -Be 'WouldAdd'
        $calls = Get-Ec2EmulatorCallCount $Emulator
        $calls.ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
        $calls.ContainsKey('RevokeSecurityGroupIngress') | Should -BeFalse
        @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp') | Should -BeNullOrEmpty
    }

    It 'asks EC2 under -DryRun and changes nothing' {
        $changes = Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -DryRun -PassThru
        $changes.Action | Should -Be 'WouldAdd'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1
        @(Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp') | Should -BeNullOrEmpty
    }

    It 'reports a missing permission with the IAM action to allow' {
        Set-Ec2EmulatorFault $Emulator -Deny -Action AuthorizeSecurityGroupIngress
        Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -ErrorVariable denied -ErrorAction SilentlyContinue
        $denied | Should -HaveCount 1
        $denied[0].FullyQualifiedErrorId | Should -BeLike 'Ec2AccessDenied,*'
        $denied[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        $denied[0].Exception.Message | Should -Match 'ec2:AuthorizeSecurityGroupIngress'
        $denied[0].TargetObject | Should -Be $Group
    }

    It 'reports an unknown group and still changes the others' {
        $changes = 'sg-00000000000000bad', $Group | ForEach-Object { [pscustomobject]@{ GroupId = $_ } } |
            Grant-K3sNodeTraffic -SourceCidr 10.0.0.0/16 @Aws -PassThru -ErrorVariable missing -ErrorAction SilentlyContinue
        $missing | Should -HaveCount 1
        $missing[0].FullyQualifiedErrorId | Should -BeLike 'SecurityGroupNotFound,*'
        $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        $changes.GroupId | Should -Be $Group
        $changes.Action | Should -Be 'Added'
    }

    It 'refuses a cluster-only port to the world, and opens it with -Force and that CIDR' {
        Grant-K3sNodeTraffic -GroupId $Group -SourceCidr 0.0.0.0/0 @Aws -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused | Should -HaveCount 1
        $refused[0].FullyQualifiedErrorId | Should -BeLike 'WorldOpenRefused,*'
        $refused[0].CategoryInfo.Category | Should -Be 'SecurityError'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse

        Grant-K3sNodeTraffic -GroupId $Group -Protocol Tcp -FromPort 10250 -SourceCidr ::/0 -Force @Aws -WarningVariable warned -WarningAction SilentlyContinue
        $warned | Should -Not -BeNullOrEmpty
        @(Get-Ingress $Group | Where-Object cidrIpv6 -EQ '::/0').fromPort | Should -Be 10250
    }

    It 'adds IPv6 source rules as Ipv6Ranges, in canonical form' {
        $changes = Grant-K3sNodeTraffic -GroupId $Group -SourceCidr 2001:db8:0:a::1/64, 10.0.1.7/16 @Aws -PassThru
        $changes.Source | Should -Be @('2001:db8:0:a::/64', '10.0.0.0/16')
        $ingress = Get-Ingress $Group | Where-Object ipProtocol -EQ 'udp'
        ($ingress | Where-Object cidrIpv6).cidrIpv6 | Should -Be '2001:db8:0:a::/64'
        ($ingress | Where-Object cidrIpv4).cidrIpv4 | Should -Be '10.0.0.0/16'
    }

    It 'admits a public source address as a /32' {
        $changes = [pscustomobject]@{ SourceAddress = '203.0.113.9'; DestinationAddress = '10.0.1.10' } | Grant-K3sNodeTraffic @Aws -PassThru
        $changes.GroupId | Should -Be $Group
        $changes.Source | Should -Be '203.0.113.9/32'
    }

    It 'explains how to consolidate when a group is full, and still changes the other groups' {
        $state = New-Ec2DocsState
        $state.securityGroups += [ordered]@{ groupId = 'sg-0fffffffffffffff0'; groupName = 'full'; description = 'full'; vpcId = 'vpc-0a'
            ingress = @(1..60 | ForEach-Object { [ordered]@{ ipProtocol = 'tcp'; fromPort = 30000 + $_; toPort = 30000 + $_; cidrIpv4 = '10.0.0.0/16' } }) }
        Stop-Ec2Emulator $Emulator
        $Emulator = Start-Ec2Emulator -State $state
        $changes = 'sg-0fffffffffffffff0', $Group | ForEach-Object { [pscustomobject]@{ GroupId = $_ } } |
            Grant-K3sNodeTraffic -SourceCidr 10.0.1.10/32 @Aws -EndpointUrl $Emulator.Url -PassThru -ErrorVariable full -ErrorAction SilentlyContinue
        $full | Should -HaveCount 1
        $full[0].FullyQualifiedErrorId | Should -BeLike 'SecurityGroupRuleLimit,*'
        $full[0].ErrorDetails.RecommendedAction | Should -Match 'self-referencing'
        $changes.GroupId | Should -Be $Group
    }

    It 'calls the emulator''s change hook with the new state' {
        Stop-Ec2Emulator $Emulator
        $seen = Join-Path ([IO.Path]::GetTempPath()) "k3snet-hook-$([guid]::NewGuid().ToString('n')).json"
        $Emulator = Start-Ec2Emulator -State (New-Ec2DocsState) -OnChange "cat > '$seen'"
        try {
            Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws -EndpointUrl $Emulator.Url
            $state = Get-Content -Raw -LiteralPath $seen | ConvertFrom-Json
            @($state.securityGroups[0].ingress | Where-Object fromPort -EQ 8472) | Should -HaveCount 1
        }
        finally {
            Remove-Item -LiteralPath $seen -ErrorAction Ignore
        }
    }
}

Describe 'Get-K3sNode | Test-K3sSecurityGroup | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic' {
    BeforeAll {
        # The Kubernetes API emulator's fixture cluster, and EC2 instances behind four of its nodes: k3s-agent-2 has no
        # AWS provider id (found by its InternalIP) and, like k3s-edge-1 in the other subnet, sends VXLAN from a public
        # address, which no security-group reference matches.
        $Kube = Start-KubeApiEmulator
        $state = New-Ec2DocsState
        $state.instances = @(
            [ordered]@{ instanceId = 'i-0a1b2c3d4e5f60001'; privateIpAddress = '10.0.1.10'; subnetId = 'subnet-0a' }
            [ordered]@{ instanceId = 'i-0a1b2c3d4e5f60002'; privateIpAddress = '10.0.1.21'; subnetId = 'subnet-0a' }
            [ordered]@{ instanceId = 'i-0a1b2c3d4e5f60003'; privateIpAddress = '10.0.1.22'; subnetId = 'subnet-0a'; publicIpAddress = '203.0.113.25' }
            [ordered]@{ instanceId = 'i-0a1b2c3d4e5f60004'; privateIpAddress = '10.0.2.40'; subnetId = 'subnet-0b'; publicIpAddress = '198.51.100.40' }
        )
        foreach ($instance in $state.instances) { $instance.vpcId = 'vpc-0a'; $instance.groupIds = @($Group) }
        $Emulator = Start-Ec2Emulator -State $state
        $Aws.EndpointUrl = $Emulator.Url
        $Names = 'k3s-server-1', 'k3s-agent-1', 'k3s-agent-2', 'k3s-edge-1'
    }
    AfterAll {
        Stop-Ec2Emulator $Emulator
        Stop-KubeApiEmulator $Kube
    }

    It 'grants what is missing in one call per group, and Test then shows everything allowed' {
        $before = Get-K3sNode -Name $Names -Kubeconfig $Kube.Kubeconfig | Test-K3sSecurityGroup @Aws
        $blocked = @($before | Where-Object { -not $_.Allowed })
        # The fixture's nodes run the embedded registry (Get-K3sNode reads it from k3s.io/node-args), so the inferred
        # matrix also needs TCP 5001; the group lacks it, and UDP 8472, between all four nodes.
        @($blocked | Where-Object FromPort -EQ 8472) | Should -HaveCount 12
        @($blocked | Where-Object FromPort -EQ 5001) | Should -HaveCount 12
        $blocked | Should -HaveCount 24
        ($blocked | Where-Object Source -EQ 'k3s-agent-2')[0].SuggestedSource | Should -Be '203.0.113.25/32'
        ($blocked | Where-Object Source -EQ 'k3s-server-1')[0].SuggestedSource | Should -Be $Group

        $changes = Get-K3sNode -Name $Names -Kubeconfig $Kube.Kubeconfig | Test-K3sSecurityGroup @Aws |
            Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @Aws -PassThru
        @($changes | Where-Object FromPort -EQ 8472 | ForEach-Object Source | Sort-Object) | Should -Be @('198.51.100.40/32', '203.0.113.25/32', $Group)
        @($changes | Where-Object FromPort -EQ 5001).Source | Should -Be $Group
        $changes.Action | Sort-Object -Unique | Should -Be 'Added'
        (Get-Ec2EmulatorCallCount $Emulator)['AuthorizeSecurityGroupIngress'] | Should -Be 1

        $after = Get-K3sNode -Name $Names -Kubeconfig $Kube.Kubeconfig | Test-K3sSecurityGroup @Aws
        $after | Should -HaveCount $before.Count
        @($after | Where-Object { -not $_.Allowed }) | Should -BeNullOrEmpty
    }
}

Describe 'Revoke-K3sNodeTraffic' {
    BeforeEach {
        $Emulator = Start-Ec2Emulator -State (New-Ec2DocsState)
        $Aws.EndpointUrl = $Emulator.Url
    }
    AfterEach { Stop-Ec2Emulator $Emulator }

    It 'removes the rules K3sNet added and leaves the others' {
        Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        $revoked = Revoke-K3sNodeTraffic -GroupId $Group @Aws -PassThru -Confirm:$false
        @($revoked.FromPort | Sort-Object) | Should -Be @(5001, 8472)
        $revoked.Action | Sort-Object -Unique | Should -Be 'Revoked'
        @((Get-Ingress $Group).fromPort | Sort-Object) | Should -Be @(6443, 10250)
        (Get-Ec2EmulatorCallCount $Emulator)['RevokeSecurityGroupIngress'] | Should -Be 1
    }

    It 'reports a rule that is not there as NotPresent and makes no Revoke call' {
        $result = Get-K3sPortMatrix | Where-Object FromPort -EQ 8472 | Revoke-K3sNodeTraffic -GroupId $Group @Aws -PassThru
        $result.Action | Should -Be 'NotPresent'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('RevokeSecurityGroupIngress') | Should -BeFalse
    }

    It 'asks EC2 under -DryRun and removes nothing; a missing permission names the IAM action' {
        Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        (Revoke-K3sNodeTraffic -GroupId $Group @Aws -DryRun -PassThru).Action | Should -Be 'WouldRevoke'
        @(Get-Ingress $Group) | Should -HaveCount 3
        Set-Ec2EmulatorFault $Emulator -Deny -Action RevokeSecurityGroupIngress
        Revoke-K3sNodeTraffic -GroupId $Group @Aws -DryRun -ErrorVariable denied -ErrorAction SilentlyContinue
        $denied | Should -HaveCount 1
        $denied[0].Exception.Message | Should -Match 'ec2:RevokeSecurityGroupIngress'
    }

    It 'asks before removing every K3sNet rule of a group when no port is given, and records No as Declined' {
        Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        $output = Invoke-AnsweredPwsh -Answers 'n' -Script "'ACTIONS:' + (@(Revoke-K3sNodeTraffic -GroupId '$Group' @aws -PassThru).Action -join ',')"
        $output | Should -Contain 'ACTIONS:Declined,Declined' -Because ($output -join "`n")
        ($output -join "`n") | Should -Match 'No port was given'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('RevokeSecurityGroupIngress') | Should -BeFalse
        @(Get-Ingress $Group) | Should -HaveCount 4
    }

    It 'asks nothing for a given port, nor with -Force or -Confirm:$false' {
        Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        # -NonInteractive: a question would stop the child with an error instead of waiting.
        $port = Invoke-AnsweredPwsh -NonInteractive -Script "'ACTIONS:' + (@(Revoke-K3sNodeTraffic -GroupId '$Group' -Protocol Tcp -FromPort 5001 @aws -PassThru).Action -join ',')"
        $port | Should -Contain 'ACTIONS:Revoked' -Because ($port -join "`n")
        $force = Invoke-AnsweredPwsh -NonInteractive -Script "'ACTIONS:' + (@(Revoke-K3sNodeTraffic -GroupId '$Group' @aws -Force -PassThru).Action -join ',')"
        $force | Should -Contain 'ACTIONS:Revoked' -Because ($force -join "`n")
        Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        $confirmOff = Invoke-AnsweredPwsh -NonInteractive -Script "'ACTIONS:' + (@(Revoke-K3sNodeTraffic -GroupId '$Group' @aws -Confirm:`$false -PassThru).Action -join ',')"
        $confirmOff | Should -Contain 'ACTIONS:Revoked' -Because ($confirmOff -join "`n")
        @((Get-Ingress $Group).fromPort | Sort-Object) | Should -Be @(6443, 10250)
    }

    It 'writes an error for a piped port or protocol that does not convert, and removes nothing for it' {
        Get-K3sPortMatrix -EmbeddedRegistry | Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        # -Force: if the check failed, the unset port would mean every rule, and they would all be gone.
        $rows = @(
            [pscustomobject]@{ GroupId = $Group; Protocol = 'Udp'; FromPort = '8472-8472' }
            [pscustomobject]@{ GroupId = $Group; Protocol = 'Sctp' }
        )
        $rows | Revoke-K3sNodeTraffic @Aws -Force -ErrorVariable bad -ErrorAction SilentlyContinue
        $bad | Should -HaveCount 2
        $bad.FullyQualifiedErrorId | Sort-Object -Unique | Should -Be 'TrafficPropertyInvalid,K3sNet.Commands.RevokeK3sNodeTrafficCommand'
        $bad.CategoryInfo.Category | Sort-Object -Unique | Should -Be 'InvalidArgument'
        $bad[0].TargetObject.FromPort | Should -Be '8472-8472'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('RevokeSecurityGroupIngress') | Should -BeFalse
        @(Get-Ingress $Group) | Should -HaveCount 4
    }

    It 'removes nothing under -WhatIf' {
        Grant-K3sNodeTraffic -GroupId $Group -SourceGroupId $Group @Aws
        (Revoke-K3sNodeTraffic -GroupId $Group @Aws -WhatIf -PassThru).Action | Should -Be 'WouldRevoke'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('RevokeSecurityGroupIngress') | Should -BeFalse
        @(Get-Ingress $Group) | Should -HaveCount 3
    }
}

Describe 'Grant-K3sNodeTraffic and Revoke-K3sNodeTraffic docs examples' {
    BeforeAll {
        # The examples start at Get-K3sNode: the Kubernetes API emulator serves the nodes the EC2 instances run.
        $Kube = Start-KubeApiEmulator
        $SavedKubeconfig = $env:KUBECONFIG
        $env:KUBECONFIG = $Kube.Kubeconfig
    }
    AfterAll {
        $env:KUBECONFIG = $SavedKubeconfig
        Stop-KubeApiEmulator $Kube
    }
    BeforeEach {
        # The examples work in the story's region, and the emulator, like EC2, accepts only signatures for its own.
        $Emulator = Start-Ec2Emulator -State (New-Ec2DocsState) -Region ap-northeast-2
        $env:AWS_ENDPOINT_URL_EC2 = $Emulator.Url
        $env:AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
        $env:AWS_SECRET_ACCESS_KEY = 'test-secret'
    }
    AfterEach {
        Remove-Item Env:AWS_ENDPOINT_URL_EC2, Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction Ignore
        Stop-Ec2Emulator $Emulator
    }

    It '<Name>: runs example "<Title>" as documented' -ForEach $DocsExamples {
        Assert-DocsExample -Code $Code -Output $Output
    }
}
