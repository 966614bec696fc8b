# Test-K3sSecurityGroup against the EC2 emulator, through the built module and the real AWSSDK.EC2 client.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Test-K3sSecurityGroup')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

    # Explicit keys every time: the SDK's default chain would look for instance metadata.
    $Aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret' }

    function Get-Flow { process { '{0}->{1} {2}/{3} {4}' -f $_.Source, $_.Destination, "$($_.Protocol)".ToLowerInvariant(), $_.FromPort, $_.Status } }
}

Describe 'Test-K3sSecurityGroup' {
    Context 'a three-node cluster whose group lacks UDP 8472' {
        BeforeAll {
            $Emulator = Start-Ec2Emulator -State (New-Ec2DocsState)
            $Aws.EndpointUrl = $Emulator.Url
            $Ids = 'i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002', 'i-0a1b2c3d4e5f60007'
            # The docs examples start at Get-K3sNode: the Kubernetes API emulator serves the nodes these instances run.
            $Kube = Start-KubeApiEmulator
        }
        AfterAll {
            Stop-Ec2Emulator $Emulator
            Stop-KubeApiEmulator $Kube
        }

        It 'judges every required flow for every ordered pair and blocks exactly VXLAN' {
            $verdicts = Test-K3sSecurityGroup -InstanceId $Ids @Aws
            $verdicts | Should -HaveCount 18   # 3 rules x 6 ordered pairs
            $verdicts | Should -BeOfType ([K3sNet.SecurityGroupVerdict])
            @($verdicts | Where-Object { -not $_.Allowed }).FromPort | Sort-Object -Unique | Should -Be 8472
            $blocked = $verdicts | Where-Object { -not $_.Allowed } | Select-Object -First 1
            $blocked.Status | Should -Be 'Blocked'
            $blocked.GroupId | Should -Be 'sg-0123456789abcdef0'
            $blocked.SuggestedSource | Should -Be 'sg-0123456789abcdef0'
            $blocked.Reason | Should -Match 'udp/8472'
        }

        It 'maps nodes by provider id first, else by InternalIP, and judges by role' {
            $nodes = @(
                [K3sNet.K3sNode]@{ Name = 'server-1'; IsServer = $true; ProviderId = 'aws:///us-east-1a/i-0a1b2c3d4e5f60001'; InternalIP = '10.0.1.10' }
                [K3sNet.K3sNode]@{ Name = 'agent-1'; InternalIP = '10.0.1.21' }
            )
            $flows = $nodes | Test-K3sSecurityGroup @Aws | Get-Flow
            $flows | Should -Contain 'agent-1->server-1 tcp/6443 Allowed'
            $flows | Should -Not -Contain 'server-1->agent-1 tcp/6443 Allowed' -Because 'agents do not serve the API'
            $flows | Should -Contain 'server-1->agent-1 udp/8472 Blocked'
        }

        It 'writes one error for a node it cannot find and judges the others' {
            $verdicts = Test-K3sSecurityGroup -InstanceId ($Ids + 'i-0000000000000dead') @Aws -ErrorVariable missing -ErrorAction SilentlyContinue
            $missing | Should -HaveCount 1
            $missing[0].FullyQualifiedErrorId | Should -BeLike 'InstanceNotFound,*'
            $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $verdicts | Should -HaveCount 18
        }

        It 'runs example "<Title>" as documented' -ForEach $DocsExamples {
            $savedKubeconfig = $env:KUBECONFIG
            $env:KUBECONFIG = $Kube.Kubeconfig
            $env:AWS_ENDPOINT_URL_EC2 = $Emulator.Url
            $env:AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
            $env:AWS_SECRET_ACCESS_KEY = 'test-secret'
            # The examples work in the story's region; the emulator, like EC2, accepts only signatures for the region it serves.
            Set-Ec2EmulatorRegion $Emulator ap-northeast-2
            try {
                Assert-DocsExample -Code $Code -Output $Output
            }
            finally {
                Set-Ec2EmulatorRegion $Emulator us-east-1
                Remove-Item Env:AWS_ENDPOINT_URL_EC2, Env:AWS_ACCESS_KEY_ID, Env:AWS_SECRET_ACCESS_KEY -ErrorAction Ignore
                $env:KUBECONFIG = $savedKubeconfig
            }
        }
    }

    Context '200 nodes in 5 security groups' {
        BeforeAll {
            $Emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 200 -Groups 5)
            $Aws.EndpointUrl = $Emulator.Url
        }
        AfterAll { Stop-Ec2Emulator $Emulator }

        It 'reads them in one DescribeInstances, one DescribeSecurityGroups, one DescribeNetworkAcls and one DescribeNetworkInterfaces' {
            $nodes = 0..199 | ForEach-Object { [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ } }
            $blocked = 0
            $nodes | Test-K3sSecurityGroup @Aws | ForEach-Object { if (-not $_.Allowed) { $blocked++ } }
            $blocked | Should -Be (200 * 199) -Because 'every ordered pair lacks UDP 8472'
            $calls = Get-Ec2EmulatorCallCount $Emulator
            $calls['DescribeInstances'] | Should -Be 1
            $calls['DescribeSecurityGroups'] | Should -Be 1
            $calls['DescribeNetworkAcls'] | Should -Be 1
            $calls['DescribeNetworkInterfaces'] | Should -Be 1 -Because 'who else carries the groups decides the suggested source'
            ($calls.Values | Measure-Object -Sum).Sum | Should -Be 4
        }

        It '-NotAllowed writes exactly the verdicts Where-Object { -not $_.Allowed } keeps, and no others' {
            $nodes = 0..199 | ForEach-Object { [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ } }
            $filtered = @($nodes | Test-K3sSecurityGroup @Aws -NotAllowed)
            $filtered | Should -HaveCount (200 * 199) -Because 'every ordered pair lacks UDP 8472, and nothing else is blocked'
            @($filtered | Where-Object Allowed) | Should -BeNullOrEmpty
            $sample = $nodes | Select-Object -First 12
            @($sample | Test-K3sSecurityGroup @Aws -NotAllowed | Get-Flow) |
                Should -Be @($sample | Test-K3sSecurityGroup @Aws | Where-Object { -not $_.Allowed } | Get-Flow)
        }

        It '-Summary writes one object per group, flow, status and fix, 33 for 200 nodes instead of 80,191 verdicts' {
            $nodes = 0..199 | ForEach-Object { [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ } }
            $summaries = @($nodes | Test-K3sSecurityGroup @Aws -Summary)
            # UDP 8472 blocked: 5 destination groups x 5 source groups (the fix differs by source group); TCP 10250
            # allowed into each of the 5 groups; TCP 6443 allowed into the 3 servers' groups.
            $summaries | Should -HaveCount 33
            $summaries | Should -BeOfType ([K3sNet.SecurityGroupVerdictSummary])
            ($summaries | Measure-Object PairCount -Sum).Sum | Should -Be (2 * 200 * 199 + 197 * 3)
            $blocked = @($nodes | Test-K3sSecurityGroup @Aws -Summary -NotAllowed)
            $blocked | Should -HaveCount 25
            $blocked.Status | Sort-Object -Unique | Should -Be 'Blocked'
            ($blocked | Measure-Object PairCount -Sum).Sum | Should -Be (200 * 199)
            $one = $blocked | Where-Object { $_.GroupId -eq 'sg-00000000000000001' -and $_.SuggestedSource -eq 'sg-00000000000000002' }
            $one.PairCount | Should -Be (40 * 40) -Because '40 nodes in each group'
            $one.Pairs[0].ToString() | Should -Match '^node-\d+ -> node-\d+$'
            $one.Reason | Should -Match 'No rule in sg-00000000000000001 admits udp/8472 for 1,600 pair\(s\), from 40 nodes to 40 nodes'
        }

        It 'pipes -NotAllowed -Summary into Grant-K3sNodeTraffic: one rule per summary' {
            $nodes = 0..199 | ForEach-Object { [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 3; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ } }
            $plan = @($nodes | Test-K3sSecurityGroup @Aws -NotAllowed -Summary | Grant-K3sNodeTraffic @Aws -WhatIf -PassThru)
            $plan | Should -HaveCount 25
            $plan.Action | Sort-Object -Unique | Should -Be 'WouldAdd'
            @($plan | Where-Object { $_.Protocol -ne 'Udp' -or $_.FromPort -ne 8472 }) | Should -BeNullOrEmpty
        }
    }

    Context '-Summary agrees with the per-pair verdicts' {
        BeforeAll {
            # Twelve nodes in three groups over two subnets; node 5 also carries a second group and sends VXLAN from a
            # public address, and the ACL denies UDP 8472 from one address: summaries of every kind.
            $state = New-Ec2ClusterState -Nodes 12 -Groups 3
            $state.securityGroups[0].ingress += [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; referencedGroupId = 'sg-00000000000000000' }
            $state.instances[5].groupIds = @('sg-00000000000000002', 'sg-00000000000000000')
            $state.instances[7].publicIpAddress = '203.0.113.7'
            $state.networkAcls[0].entries = @([ordered]@{ ruleNumber = 50; protocol = '17'; ruleAction = 'deny'; egress = $false; cidrBlock = '10.0.0.9/32'; fromPort = 8472; toPort = 8472 }) + $state.networkAcls[0].entries
            $Emulator = Start-Ec2Emulator -State $state
            $Aws.EndpointUrl = $Emulator.Url
            $Nodes = 0..11 | ForEach-Object {
                $node = [K3sNet.K3sNode]@{ Name = "node-$_"; IsServer = $_ -lt 2; ProviderId = 'aws:///us-east-1a/i-{0:x17}' -f $_ }
                if ($_ -eq 7) { $node.FlannelPublicIP = '203.0.113.7' }
                $node
            }
        }
        AfterAll { Stop-Ec2Emulator $Emulator }

        It 'groups exactly the pairs the verdicts give, with the same group, status, blocker and fix' {
            $key = { '{0}|{1}/{2}-{3}|{4}|{5}|{6}' -f $_.GroupId, $_.Protocol, $_.FromPort, $_.ToPort, $_.Status, $_.BlockedBy, $_.SuggestedSource }
            $expected = @{}
            foreach ($verdict in $Nodes | Test-K3sSecurityGroup @Aws) {
                $k = $verdict | ForEach-Object $key
                if (-not $expected.ContainsKey($k)) { $expected[$k] = [Collections.Generic.List[string]]::new() }
                $expected[$k].Add("$($verdict.Source)->$($verdict.Destination)")
            }
            $summaries = @($Nodes | Test-K3sSecurityGroup @Aws -Summary)
            $summaries | Should -HaveCount $expected.Count
            @($summaries.Status | Sort-Object -Unique) | Should -Be @('Allowed', 'Blocked')
            foreach ($summary in $summaries) {
                $k = $summary | ForEach-Object $key
                $expected.ContainsKey($k) | Should -BeTrue -Because "the verdicts have a group $k"
                @($summary.Pairs | ForEach-Object { "$($_.Source)->$($_.Destination)" } | Sort-Object) | Should -Be @($expected[$k] | Sort-Object) -Because $k
                $summary.PairCount | Should -Be $expected[$k].Count
            }
            @($summaries | Where-Object { $_.BlockedBy -like 'acl-*' }) | Should -Not -BeNullOrEmpty -Because 'the ACL entry blocks some pairs'
            @($summaries | Where-Object SuggestedSource -EQ '203.0.113.7/32') | Should -Not -BeNullOrEmpty -Because 'a public source gets its /32'
        }
    }

    Context 'EC2 faults' {
        BeforeEach {
            $Emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 3)
            $Aws.EndpointUrl = $Emulator.Url
        }
        AfterEach { Stop-Ec2Emulator $Emulator }

        It 'still succeeds when the first two calls are throttled' {
            Set-Ec2EmulatorFault $Emulator -Throttle 2
            (Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws) | Should -HaveCount 6
            (Get-Ec2EmulatorCallCount $Emulator)['DescribeInstances'] | Should -Be 3
        }

        It 'stops with a clear error that names the IAM action when EC2 answers 403' {
            Set-Ec2EmulatorFault $Emulator -Deny -Action DescribeSecurityGroups
            $thrown = { Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'Ec2AccessDenied,*'
            $thrown.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $thrown.Exception.Message | Should -Match 'ec2:DescribeSecurityGroups'
            $thrown.ErrorDetails.RecommendedAction | Should -Match 'Allow ec2:DescribeSecurityGroups'
        }
    }

    Context 'network ACLs, prefix lists, exposures and IPv6' {
        AfterEach { Stop-Ec2Emulator $Emulator }

        It 'finds a network ACL entry that denies VXLAN between subnets and names it' {
            $state = New-Ec2ClusterState -Nodes 2 -VxlanOpen
            $state.networkAcls[0].entries += [ordered]@{ ruleNumber = 90; protocol = '17'; ruleAction = 'deny'; egress = $false; cidrBlock = '10.0.0.5/32'; fromPort = 8472; toPort = 8472 }
            $Emulator = Start-Ec2Emulator -State $state
            $verdicts = Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws -EndpointUrl $Emulator.Url
            $denied = @($verdicts | Where-Object { -not $_.Allowed })
            $denied | Should -HaveCount 1
            $denied[0].SourceAddress | Should -Be '10.0.0.5'
            $denied[0].BlockedBy | Should -BeLike 'acl-0default inbound rule 90 *'
            $denied[0].Reason | Should -Match 'Network ACL'
        }

        It 'warns about a node whose instance is not running' {
            $state = New-Ec2ClusterState -Nodes 2 -VxlanOpen
            $state.instances[1].state = 'stopped'
            $Emulator = Start-Ec2Emulator -State $state
            $verdicts = Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws -EndpointUrl $Emulator.Url -WarningVariable warned -WarningAction SilentlyContinue
            $verdicts | Should -HaveCount 6
            $warned | Should -HaveCount 1
            "$warned" | Should -Match 'i-00000000000000001 .*stopped'
        }

        It 'warns that one node makes no pair to judge, and still reports its exposures' {
            $state = New-Ec2ClusterState -Nodes 2 -VxlanOpen
            $state.securityGroups[0].ingress += [ordered]@{ ipProtocol = 'tcp'; fromPort = 10250; toPort = 10250; cidrIpv4 = '0.0.0.0/0' }
            $Emulator = Start-Ec2Emulator -State $state
            $verdicts = @(Test-K3sSecurityGroup -InstanceId i-00000000000000000 @Aws -EndpointUrl $Emulator.Url -WarningVariable warned -WarningAction SilentlyContinue -ErrorVariable failed)
            $failed | Should -BeNullOrEmpty
            $warned | Should -HaveCount 1
            "$warned" | Should -BeLike 'Only one node (i-00000000000000000) was found, so there is no pair of nodes to judge:*'
            "$warned" | Should -Match 'Get-K3sNode \| Test-K3sSecurityGroup, or -InstanceId with two or more ids'
            $verdicts | Should -HaveCount 1
            $verdicts[0].Status | Should -Be 'Exposed'
            $verdicts[0].FromPort | Should -Be 10250
        }

        It 'reports a flow only a prefix list admits as Unknown' {
            $state = New-Ec2ClusterState -Nodes 2
            $state.securityGroups[0].ingress += [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; prefixListId = 'pl-0e1f2a3b4c5d6e7f8' }
            $Emulator = Start-Ec2Emulator -State $state
            $vxlan = Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws -EndpointUrl $Emulator.Url | Where-Object FromPort -EQ 8472
            $vxlan.Status | Sort-Object -Unique | Should -Be 'Unknown'
            $vxlan[0].Reason | Should -Match 'pl-0e1f2a3b4c5d6e7f8'
        }

        It 'reports cluster-only ports open to 0.0.0.0/0 or ::/0 as exposures' {
            $state = New-Ec2ClusterState -Nodes 2 -VxlanOpen
            $state.securityGroups[0].ingress += [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv4 = '0.0.0.0/0' }
            $state.securityGroups[0].ingress += [ordered]@{ ipProtocol = 'tcp'; fromPort = 6443; toPort = 6443; cidrIpv6 = '::/0' }
            $Emulator = Start-Ec2Emulator -State $state
            $exposed = @(Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 @Aws -EndpointUrl $Emulator.Url | Where-Object Status -EQ Exposed)
            $exposed | Should -HaveCount 1 -Because '6443 is not cluster-only'
            $exposed[0].FromPort | Should -Be 8472
            $exposed[0].Source | Should -Be '0.0.0.0/0'
            $exposed[0].Allowed | Should -BeTrue
        }

        It 'judges IPv6 sources against IPv6 rules for a dual-stack matrix' {
            $state = New-Ec2ClusterState -Nodes 2 -VxlanOpen
            # The two nodes sit in different subnets: the network ACL must pass IPv6 too, as an IPv6 VPC's default ACL does.
            $state.networkAcls[0].entries += [ordered]@{ ruleNumber = 101; protocol = '-1'; ruleAction = 'allow'; egress = $false; ipv6CidrBlock = '::/0' }
            $state.networkAcls[0].entries += [ordered]@{ ruleNumber = 101; protocol = '-1'; ruleAction = 'allow'; egress = $true; ipv6CidrBlock = '::/0' }
            $state.instances[0].ipv6Addresses = @('2001:db8:0:a::10')
            $state.instances[1].ipv6Addresses = @('2001:db8:0:b::11')
            $state.securityGroups[0].ingress = @($state.securityGroups[0].ingress | Where-Object ipProtocol -NE 'udp') + [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv6 = '2001:db8:0:a::/64' } + [ordered]@{ ipProtocol = 'udp'; fromPort = 8472; toPort = 8472; cidrIpv4 = '10.0.0.0/16' }
            $Emulator = Start-Ec2Emulator -State $state
            $matrix = Get-K3sPortMatrix -IPv6 | Where-Object FromPort -EQ 8472
            $verdicts = Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 -Requirement $matrix @Aws -EndpointUrl $Emulator.Url
            $verdicts | Should -HaveCount 4
            ($verdicts | Where-Object SourceAddress -EQ '2001:db8:0:a::10').Allowed | Should -BeTrue
            ($verdicts | Where-Object SourceAddress -EQ '2001:db8:0:b::11').Allowed | Should -BeFalse
            ($verdicts | Where-Object SourceAddress -Like '10.*').Allowed | Should -Be @($true, $true)
        }
    }

    Context 'credentials and region, as AWS.Tools resolves them' {
        BeforeAll {
            $Emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 2 -VxlanOpen) -AccessKey @{
                AKIDSTORED = 'stored-secret'; AKIDTOOLS = 'tools-secret'; AKIDOPS = 'ops-secret'
            }
            $Folder = New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "k3snet-profiles-$([guid]::NewGuid().ToString('n'))")
            $Profiles = Join-Path $Folder 'credentials'
            Set-Content -LiteralPath $Profiles -Value "[ops]`naws_access_key_id = AKIDOPS`naws_secret_access_key = ops-secret`nregion = eu-west-1`n"
            Set-Content -LiteralPath (Join-Path $Folder 'config') -Value ''
            $Ids = 'i-00000000000000000', 'i-00000000000000001'
        }
        AfterAll {
            Stop-Ec2Emulator $Emulator
            Remove-Item -LiteralPath $Folder -Recurse -Force
        }

        It 'takes a PSCredential through -Credential and the region from $StoredAWSRegion' {
            $StoredAWSRegion = 'us-east-1'
            $credential = [pscredential]::new('AKIDEXAMPLE', (ConvertTo-SecureString 'test-secret' -AsPlainText -Force))
            Test-K3sSecurityGroup -InstanceId $Ids -Credential $credential -EndpointUrl $Emulator.Url | Should -HaveCount 6
            Get-Ec2EmulatorCredentialScope $Emulator | Should -Match '^AKIDEXAMPLE/\d{8}/us-east-1/ec2/aws4_request$'
        }

        It 'reads $StoredAWSCredentials by property name, as Set-AWSCredential leaves it' {
            $StoredAWSCredentials = [pscustomobject]@{ Credentials = [pscustomobject]@{ AccessKey = 'AKIDSTORED'; SecretKey = 'stored-secret' }; Name = $null }
            Test-K3sSecurityGroup -InstanceId $Ids -Region us-east-1 -EndpointUrl $Emulator.Url | Should -HaveCount 6
            Get-Ec2EmulatorCredentialScope $Emulator | Should -Match '^AKIDSTORED/'
        }

        It 'takes an object shaped like AWS.Tools'' AWSCredentials (GetCredentials) through -Credential' {
            class FakeAwsCredentials {
                [object] GetCredentials() { return [pscustomobject]@{ AccessKey = 'AKIDTOOLS'; SecretKey = 'tools-secret'; Token = '' } }
            }
            Test-K3sSecurityGroup -InstanceId $Ids -Credential ([FakeAwsCredentials]::new()) -Region us-east-1 -EndpointUrl $Emulator.Url | Should -HaveCount 6
            Get-Ec2EmulatorCredentialScope $Emulator | Should -Match '^AKIDTOOLS/'
        }

        It 'stops with CredentialNotUsable for a -Credential that holds no keys' {
            $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -Credential 42 -Region us-east-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'CredentialNotUsable,*'
        }

        It 'names only the type of an unusable -Credential, never a secret key it holds' {
            $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -Credential @{ SecretKey = 'do-not-print-me' } -Region us-east-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'CredentialNotUsable,*'
            $thrown.TargetObject | Should -Be '-Credential (System.Collections.Hashtable)'
            ($thrown | Format-List * -Force | Out-String) | Should -Not -Match 'do-not-print-me'
        }

        It 'uses a named profile with the AWS.Tools alias -StoredCredentials and -ProfilesLocation' {
            Set-Ec2EmulatorRegion $Emulator eu-west-1
            try {
                Test-K3sSecurityGroup -InstanceId $Ids -StoredCredentials ops -ProfilesLocation $Profiles -EndpointUrl $Emulator.Url | Should -HaveCount 6
            }
            finally {
                Set-Ec2EmulatorRegion $Emulator us-east-1
            }
            Get-Ec2EmulatorCredentialScope $Emulator | Should -Match '^AKIDOPS/\d{8}/eu-west-1/' -Because 'the profile gives the keys and the region'
        }

        It 'stops with ProfileNotFound for a profile that does not exist' {
            $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -ProfileName nope -ProfileLocation $Profiles -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -BeLike 'ProfileNotFound,*'
            $thrown.Exception.Message | Should -Match "'nope'"
        }

        It 'never shows the secret key in verbose output or errors' {
            Set-Ec2EmulatorFault $Emulator -Deny -Action DescribeInstances
            $shown = [Collections.Generic.List[string]]::new()
            try {
                Test-K3sSecurityGroup -InstanceId $Ids -AccessKey AKIDEXAMPLE -SecretKey 'do-not-print-me' -SessionToken 'nor-me' -Region us-east-1 -EndpointUrl $Emulator.Url -Verbose 4>&1 |
                    ForEach-Object { $shown.Add("$_") }
            }
            catch {
                $shown.Add(($_ | Format-List * -Force | Out-String))
                $shown.Add($_.ErrorDetails.RecommendedAction)
            }
            $all = $shown -join "`n"
            Set-Ec2EmulatorFault $Emulator -Allow -Action DescribeInstances
            $all | Should -Match 'DescribeInstances'
            $all | Should -Not -Match 'do-not-print-me'
            $all | Should -Not -Match 'nor-me'
        }
    }
}
