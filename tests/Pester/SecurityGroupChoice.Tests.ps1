# Instances with several security groups and interfaces, and groups that need many sources: how Grant-K3sNodeTraffic and
# Test-K3sSecurityGroup choose, against the EC2 emulator's multi-group fixture through the real AWSSDK.EC2 client.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

    # Explicit keys every time: the SDK's default chain would look for instance metadata.
    $Aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret' }
    $Default = 'sg-0d0000000000000d0'
    $Nodes = 'sg-0c0000000000000c0'
    $Monitoring = 'sg-0e0000000000000e0'
    $NodeIds = 'i-0b10000000000001', 'i-0b10000000000002', 'i-0b10000000000003'

    function Get-Ingress([string] $GroupId) { @(@((Get-Ec2EmulatorState $Emulator).securityGroups | Where-Object groupId -EQ $GroupId)[0].ingress) }
    function Start-Fixture($State) {
        $script:Emulator = Start-Ec2Emulator -State $State
        $Aws.EndpointUrl = $script:Emulator.Url
    }
}

Describe 'Several security groups per instance' {
    AfterEach { Stop-Ec2Emulator $Emulator }

    It 'Test names k3s-nodes to change and to admit, and Grant widens neither default nor monitoring' {
        Start-Fixture (New-Ec2MultiGroupState)
        $blocked = @(Test-K3sSecurityGroup -InstanceId $NodeIds @Aws | Where-Object { -not $_.Allowed })
        $blocked | Should -HaveCount 6
        $blocked.GroupId | Sort-Object -Unique | Should -Be $Nodes -Because 'the default group comes first on two of them, monitoring on one'
        $blocked.SuggestedSource | Sort-Object -Unique | Should -Be $Nodes

        $changes = @($blocked | Grant-K3sNodeTraffic @Aws -PassThru)
        $changes | Should -HaveCount 1
        ($changes.GroupId, $changes.Source) | Should -Be @($Nodes, $Nodes)
        Get-Ingress $Default | Should -BeNullOrEmpty
        (Get-Ingress $Monitoring).fromPort | Should -Be 9100
        @(Test-K3sSecurityGroup -InstanceId $NodeIds @Aws | Where-Object { -not $_.Allowed }) | Should -BeNullOrEmpty
    }

    It '-WhatIf shows the choice of k3s-nodes over the default group, and why' {
        Start-Fixture (New-Ec2MultiGroupState)
        $module = Join-Path (Get-BuiltModulePath) 'K3sNet.psd1'
        $lines = Invoke-PwshProcess -Environment @{ AWS_EC2_METADATA_DISABLED = 'true' } -Command @"
Import-Module '$module'
[K3sNet.VxlanPathResult]@{ Source = 'k3s-agent-1'; Destination = 'k3s-server-1'; SourceAddress = '10.1.1.21'; DestinationAddress = '10.1.1.10'; Verdict = 'VxlanBlocked' } |
    Grant-K3sNodeTraffic -Region us-east-1 -AccessKey AKIDEXAMPLE -SecretKey test-secret -EndpointUrl '$($Emulator.Url)' -WhatIf
"@
        $text = $lines -join "`n"
        $LASTEXITCODE | Should -Be 0 -Because $text
        $text | Should -Match 'What if: Add 1 inbound rule\(s\) to sg-0c0000000000000c0 \(k3s-nodes\): udp/8472 from sg-0c0000000000000c0\.'
        $text | Should -Match 'sg-0d0000000000000d0 \(default\) is the VPC''s default group, which K3sNet never widens unless -GroupId names it'
        # Grant knows two nodes here: k3s-agent-2 carries k3s-nodes too, an instance outside what it was given.
        $text | Should -Match 'sg-0c0000000000000c0 \(k3s-nodes\) carries the fewest others \(1\); sg-0e0000000000000e0 \(monitoring\) also carries 2 instances outside the cluster'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('AuthorizeSecurityGroupIngress') | Should -BeFalse
    }

    It 'never admits the monitoring group, which prometheus also carries: the address alone' {
        $state = New-Ec2MultiGroupState
        $state.instances[2].groupIds = @($Default, $Monitoring)   # k3s-agent-2 without k3s-nodes
        Start-Fixture $state
        $blocked = @(Test-K3sSecurityGroup -InstanceId $NodeIds @Aws | Where-Object { -not $_.Allowed })
        ($blocked | Where-Object SourceInstanceId -EQ $NodeIds[2]).SuggestedSource | Sort-Object -Unique | Should -Be '10.1.2.22/32'
        ($blocked | Where-Object DestinationInstanceId -EQ $NodeIds[2]).SuggestedSource | Sort-Object -Unique | Should -Be $Nodes

        $changes = @($blocked | Where-Object DestinationInstanceId -EQ $NodeIds[0] | Grant-K3sNodeTraffic @Aws -PassThru)
        @($changes.Source | Sort-Object -Unique) | Should -Be @('10.1.2.22/32', $Nodes) -Because 'tcp 6443, 10250 and udp 8472 from k3s-agent-2 are blocked'
        @(Get-Ingress $Nodes | Where-Object referencedGroupId -EQ $Monitoring) | Should -BeNullOrEmpty
    }

    It 'stops for the instance whose two groups are equally narrow, lists them, and grants the others' {
        $state = New-Ec2MultiGroupState
        $state.securityGroups += @('a', 'b' | ForEach-Object { [ordered]@{ groupId = "sg-0a1000000000000$_"; groupName = "k3s-agent-1-$_"; description = 'x'; vpcId = 'vpc-0b1'; ingress = @() } })
        $state.instances[1].groupIds = @($Default, 'sg-0a1000000000000a', 'sg-0a1000000000000b')
        Start-Fixture $state
        $paths = '10.1.1.21', '10.1.2.22' | ForEach-Object {
            [K3sNet.VxlanPathResult]@{ Source = 'k3s-server-1'; Destination = $_; SourceAddress = '10.1.1.10'; DestinationAddress = $_; Verdict = 'VxlanBlocked' }
        }

        $changes = @($paths | Grant-K3sNodeTraffic @Aws -PassThru -ErrorVariable ambiguous -ErrorAction SilentlyContinue)
        $ambiguous | Should -HaveCount 2 -Because 'k3s-agent-1 as destination and as the replies'' source'
        $ambiguous.FullyQualifiedErrorId | ForEach-Object { $_ | Should -BeLike 'AmbiguousSecurityGroup,*' }
        $ambiguous[0].CategoryInfo.Category | Should -Be 'InvalidData'
        $ambiguous.Exception.Message | ForEach-Object { $_ | Should -Match 'sg-0a1000000000000a, sg-0a1000000000000b' }
        ($ambiguous.ErrorDetails.RecommendedAction -join "`n") | Should -Match '-GroupId'
        ($ambiguous.ErrorDetails.RecommendedAction -join "`n") | Should -Match '-SourceGroupId'
        ($changes.GroupId, $changes.Source, $changes.Action) | Should -Be @($Nodes, $Nodes, 'Added') -Because 'k3s-server-1 and k3s-agent-2 still get their rule'
    }
}

Describe 'Many source groups' {
    BeforeAll {
        # k3s-server-1 and twenty agents, each agent in a group of its own, in two subnets: k3s-nodes lacks UDP 8472 from all.
        function New-ManyGroupState {
            $state = New-Ec2MultiGroupState
            $state.instances = @($state.instances[0])
            foreach ($n in 1..20) {
                $group = 'sg-0f00000000000{0:x4}' -f $n
                $state.securityGroups += [ordered]@{ groupId = $group; groupName = "k3s-agent-$n"; description = 'one agent'; vpcId = 'vpc-0b1'; ingress = @() }
                $state.instances += [ordered]@{
                    instanceId = 'i-0b2000000000{0:x4}' -f $n; vpcId = 'vpc-0b1'; subnetId = @('subnet-0b1a', 'subnet-0b1b')[$n % 2]
                    privateIpAddress = '10.1.{0}.{1}' -f ($n % 2 + 1), (100 + $n); groupIds = @($Default, $group)
                }
            }
            $state
        }
        $Vxlan = @(Get-K3sPortMatrix | Where-Object FromPort -EQ 8472)
    }
    AfterEach { Stop-Ec2Emulator $Emulator }

    It 'adds one rule from the CIDR over their subnets instead of twenty' {
        Start-Fixture (New-ManyGroupState)
        $ids = (Get-Ec2EmulatorState $Emulator).instances.instanceId
        $blocked = @(Test-K3sSecurityGroup -InstanceId $ids -Requirement $Vxlan @Aws | Where-Object { -not $_.Allowed -and $_.DestinationInstanceId -eq $ids[0] })
        $blocked | Should -HaveCount 20
        @($blocked.SuggestedSource | Sort-Object -Unique) | Should -HaveCount 20

        $output = $blocked | Grant-K3sNodeTraffic @Aws -PassThru -Verbose 4>&1
        $changes = @($output | Where-Object { $_ -is [K3sNet.SecurityGroupChange] })
        $changes | Should -HaveCount 1
        ($changes.GroupId, $changes.Source, $changes.Action) | Should -Be @($Nodes, '10.1.0.0/22', 'Added')
        ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n" |
            Should -Match '20 sources of udp/8472 into sg-0c0000000000000c0 \(more than 5\) become one rule from 10\.1\.0\.0/22'
        @(Get-Ingress $Nodes | Where-Object fromPort -EQ 8472).cidrIpv4 | Should -Be '10.1.0.0/22'
        $calls = Get-Ec2EmulatorCallCount $Emulator
        $calls['AuthorizeSecurityGroupIngress'] | Should -Be 1
        $calls['DescribeSubnets'] | Should -Be 1
    }

    It 'adds one rule from the prefix list -PrefixListId names' {
        Start-Fixture (New-ManyGroupState)
        $ids = (Get-Ec2EmulatorState $Emulator).instances.instanceId
        $changes = @(Test-K3sSecurityGroup -InstanceId $ids -Requirement $Vxlan @Aws |
                Where-Object { -not $_.Allowed -and $_.DestinationInstanceId -eq $ids[0] } |
                Grant-K3sNodeTraffic @Aws -PrefixListId pl-0123456789abcdef0 -PassThru)
        ($changes.GroupId, $changes.Source) | Should -Be @($Nodes, 'pl-0123456789abcdef0')
        (Get-Ingress $Nodes | Where-Object fromPort -EQ 8472).prefixListId | Should -Be 'pl-0123456789abcdef0'
        (Get-Ec2EmulatorCallCount $Emulator).ContainsKey('DescribeSubnets') | Should -BeFalse
    }

    It 'refuses a malformed -PrefixListId before any call' {
        { Grant-K3sNodeTraffic -GroupId $Nodes -PrefixListId sg-0123 -Region us-east-1 -AccessKey AKIDEXAMPLE -SecretKey test-secret -EndpointUrl http://127.0.0.1:9/ } |
            Should -Throw -ErrorId 'InvalidPrefixListId,*'
    }
}
