BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

    # "udp/8472 AllNodes->AllNodes": one string per rule, so a whole matrix compares in one assertion.
    function Get-RuleKeys { process { '{0}/{1} {2}->{3}' -f "$($_.Protocol)".ToLowerInvariant(), $_.Port, $_.Source, $_.Destination } }
}

Describe 'Get-K3sPortMatrix' {
    Context 'a plain k3s install (flannel vxlan)' {
        It 'lists TCP 6443 agents to servers, UDP 8472 and TCP 10250 between all nodes, in the docs'' order' {
            Get-K3sPortMatrix | Get-RuleKeys | Should -Be @(
                'tcp/6443 Agents->Servers'
                'udp/8472 AllNodes->AllNodes'
                'tcp/10250 AllNodes->AllNodes'
            )
        }

        It 'emits PortRequirement objects with the traffic properties every K3sNet type shares' {
            $vxlan = Get-K3sPortMatrix | Where-Object FromPort -EQ 8472
            $vxlan | Should -BeOfType ([K3sNet.PortRequirement])
            $vxlan.Protocol | Should -Be ([K3sNet.TrafficProtocol]::Udp)
            $vxlan.ToPort | Should -Be 8472
            $vxlan.IPFamily | Should -Be ([K3sNet.IPFamilies]::IPv4)
            $vxlan.Purpose | Should -Match 'VXLAN'
            $vxlan.Condition | Should -Match 'vxlan'
        }

        It 'marks VXLAN and the kubelet cluster-only, and the API server not' {
            $rules = Get-K3sPortMatrix
            ($rules | Where-Object FromPort -EQ 8472).ClusterOnly | Should -BeTrue
            ($rules | Where-Object FromPort -EQ 10250).ClusterOnly | Should -BeTrue
            ($rules | Where-Object FromPort -EQ 6443).ClusterOnly | Should -BeFalse
        }
    }

    Context 'the combination the issue names' {
        It 'HA etcd, WireGuard and dual-stack: exactly etcd, API, kubelet, 51820 and 51821, and no 8472' {
            Get-K3sPortMatrix -EmbeddedEtcd -FlannelBackend WireguardNative -IPv6 | Get-RuleKeys | Should -Be @(
                'tcp/2379-2380 Servers->Servers'
                'tcp/6443 Agents->Servers'
                'tcp/10250 AllNodes->AllNodes'
                'udp/51820 AllNodes->AllNodes'
                'udp/51821 AllNodes->AllNodes'
            )
        }

        It 'gives each WireGuard port its own address family, and every other rule both' {
            $rules = Get-K3sPortMatrix -EmbeddedEtcd -FlannelBackend WireguardNative -IPv6
            ($rules | Where-Object FromPort -EQ 51820).IPFamily | Should -Be ([K3sNet.IPFamilies]::IPv4)
            ($rules | Where-Object FromPort -EQ 51821).IPFamily | Should -Be ([K3sNet.IPFamilies]::IPv6)
            ($rules | Where-Object FromPort -EQ 10250).IPFamily | Should -Be ([K3sNet.IPFamilies]'IPv4, IPv6')
        }
    }

    Context 'flannel backends' {
        It 'WireGuard without -IPv6 needs 51820 only' {
            $ports = (Get-K3sPortMatrix -FlannelBackend WireguardNative).FromPort
            $ports | Should -Contain 51820
            $ports | Should -Not -Contain 51821
            $ports | Should -Not -Contain 8472
        }

        It 'none adds no flannel rule' {
            Get-K3sPortMatrix -FlannelBackend None | Get-RuleKeys | Should -Be @(
                'tcp/6443 Agents->Servers'
                'tcp/10250 AllNodes->AllNodes'
            )
        }

        It 'host-gw has no overlay port, and carries the subnet and source/destination-check condition' {
            $rules = Get-K3sPortMatrix -FlannelBackend HostGw
            $rules.FromPort | Should -Not -Contain 8472
            $routed = $rules | Where-Object Protocol -EQ 'All'
            $routed.Condition | Should -Match 'source/destination check'
            $routed.Condition | Should -Match 'one subnet'
            $routed.ClusterOnly | Should -BeTrue
        }

        It 'accepts k3s''s own spelling <Spelling>' -TestCases @(
            @{ Spelling = 'vxlan'; Backend = 'Vxlan' }
            @{ Spelling = 'host-gw'; Backend = 'HostGw' }
            @{ Spelling = 'wireguard-native'; Backend = 'WireguardNative' }
            @{ Spelling = 'NONE'; Backend = 'None' }
        ) {
            param($Spelling, $Backend)
            (Get-K3sPortMatrix -FlannelBackend $Spelling | Get-RuleKeys) |
                Should -Be (Get-K3sPortMatrix -FlannelBackend $Backend | Get-RuleKeys)
        }

        It 'rejects an unknown backend at binding, naming the valid values' {
            { Get-K3sPortMatrix -FlannelBackend Bogus } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
            try { Get-K3sPortMatrix -FlannelBackend Bogus } catch { $record = $_ }
            $record.FullyQualifiedErrorId | Should -Be 'CannotConvertArgumentNoMessage,K3sNet.Commands.GetK3sPortMatrixCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.Exception.Message | Should -Match 'FlannelBackend'
            $record.Exception.Message | Should -Match 'Vxlan, HostGw, WireguardNative, None'
        }

        It 'reads "wireguard", flannel''s backend-type for wireguard-native, as WireguardNative' {
            (Get-K3sPortMatrix -FlannelBackend wireguard).FromPort | Should -Be (Get-K3sPortMatrix -FlannelBackend WireguardNative).FromPort
        }

        It 'rejects "ipsec", which k3s removed in v1.27' {
            { Get-K3sPortMatrix -FlannelBackend ipsec } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }
    }

    Context 'embedded etcd and the embedded registry' {
        It 'embedded etcd adds TCP 2379-2380 between servers, first' {
            $first = Get-K3sPortMatrix -EmbeddedEtcd | Select-Object -First 1
            $first.FromPort, $first.ToPort | Should -Be @(2379, 2380)
            $first.Source, $first.Destination | Should -Be @('Servers', 'Servers')
            $first.Port | Should -Be '2379-2380'
        }

        It 'the embedded registry adds TCP 5001 and TCP 6443 between all nodes' {
            Get-K3sPortMatrix -EmbeddedRegistry | Get-RuleKeys | Should -Be @(
                'tcp/6443 Agents->Servers'
                'udp/8472 AllNodes->AllNodes'
                'tcp/10250 AllNodes->AllNodes'
                'tcp/5001 AllNodes->AllNodes'
                'tcp/6443 AllNodes->AllNodes'
            )
        }
    }

    Context '-Role' {
        It 'Agent keeps only the rules whose destination includes agents' {
            Get-K3sPortMatrix -Role Agent -EmbeddedEtcd -EmbeddedRegistry | Get-RuleKeys | Should -Be @(
                'udp/8472 AllNodes->AllNodes'
                'tcp/10250 AllNodes->AllNodes'
                'tcp/5001 AllNodes->AllNodes'
                'tcp/6443 AllNodes->AllNodes'
            )
        }

        It 'Server keeps the servers-only rules too, and binds by position' {
            Get-K3sPortMatrix Server -EmbeddedEtcd | Get-RuleKeys | Should -Be @(
                'tcp/2379-2380 Servers->Servers'
                'tcp/6443 Agents->Servers'
                'udp/8472 AllNodes->AllNodes'
                'tcp/10250 AllNodes->AllNodes'
            )
        }

        It 'rejects a role that does not exist' {
            { Get-K3sPortMatrix -Role Worker } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }
    }

    Context 'output for people and for scripts' {
        It 'shows a table like the k3s docs'' table' {
            $text = Get-K3sPortMatrix | Out-String -Width 120
            $lines = $text -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
            $lines[0] | Should -Match '^Protocol\s+Port\s+Source\s+Destination\s+ClusterOnly\s+Purpose$'
            $lines | Should -Contain ($lines | Where-Object { $_ -match '^UDP\s+8472\s+All nodes\s+All nodes\s+True\s+Flannel VXLAN' })
            $lines | Where-Object { $_ -match '^TCP\s+6443\s+Agents\s+Servers\s+False' } | Should -HaveCount 1
        }

        It 'keeps every property for JSON' {
            $json = Get-K3sPortMatrix | Select-Object -First 1 | ConvertTo-Json | ConvertFrom-Json
            $json.PSObject.Properties.Name | Should -Be @(
                'Protocol', 'FromPort', 'ToPort', 'Source', 'Destination', 'Purpose', 'Condition', 'ClusterOnly', 'IPFamily', 'Port'
            )
        }

        It 'completes -FlannelBackend values on Tab' {
            $completion = TabExpansion2 -inputScript 'Get-K3sPortMatrix -FlannelBackend Wi' -cursorColumn 35
            $completion.CompletionMatches.CompletionText | Should -Be @('WireguardNative')
        }
    }

    Context 'nodes from the pipeline' {
        BeforeAll {
            function New-Node([hashtable] $Properties) { [K3sNet.K3sNode]$Properties }
            $server = New-Node @{ Name = 's1'; IsServer = $true; Roles = 'control-plane', 'master'; FlannelBackend = 'Vxlan' }
            $agent = New-Node @{ Name = 'a1'; FlannelBackend = 'Vxlan' }
        }

        It 'a plain vxlan cluster gives the plain matrix, emitted once for all the nodes' {
            $server, $agent | Get-K3sPortMatrix | Get-RuleKeys | Should -Be (Get-K3sPortMatrix | Get-RuleKeys)
        }

        It 'infers etcd from the etcd role, the registry from the node, dual-stack from an IPv6 address, and says so in verbose' {
            $etcd = New-Node @{ Name = 's1'; IsServer = $true; Roles = 'control-plane', 'etcd', 'master'; FlannelBackend = 'Vxlan' }
            $registry = New-Node @{ Name = 'a1'; FlannelBackend = 'Vxlan'; EmbeddedRegistry = $true; InternalIPv6 = 'fd00::21' }

            $rules = $etcd, $registry | Get-K3sPortMatrix -Verbose 4>&1
            $verbose = $rules | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }

            $rules | Where-Object { $_ -is [K3sNet.PortRequirement] } | Get-RuleKeys | Should -Be (Get-K3sPortMatrix -EmbeddedEtcd -EmbeddedRegistry -IPv6 | Get-RuleKeys)
            "$verbose" | Should -Match 'embedded etcd \(s1\); embedded registry \(a1\); dual-stack \(a1\)'
        }

        It 'takes the backend the nodes publish, and nodes without flannel give none' {
            $wg = New-Node @{ Name = 's1'; IsServer = $true; FlannelBackend = 'WireguardNative' }
            ($wg | Get-K3sPortMatrix).FromPort | Should -Contain 51820
            (New-Node @{ Name = 'bare'; IsServer = $true } | Get-K3sPortMatrix).FromPort | Should -Be @(6443, 10250)
        }

        It 'accepts nodes saved as JSON and read back, binding them by property' {
            $json = $server, $agent | ConvertTo-Json
            $json | ConvertFrom-Json | Get-K3sPortMatrix | Get-RuleKeys | Should -Be (Get-K3sPortMatrix | Get-RuleKeys)
        }

        It 'applies -Role to the inferred matrix' {
            ($server, $agent | Get-K3sPortMatrix -Role Agent).FromPort | Should -Be @(8472, 10250)
        }

        It 'refuses describing switches beside piped nodes, which describe the cluster themselves' {
            { $server | Get-K3sPortMatrix -EmbeddedEtcd -ErrorAction Stop } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
        }

        It 'emits nothing and warns when the pipeline is empty' {
            $rules = @(@() | Get-K3sPortMatrix -WarningVariable warned -WarningAction SilentlyContinue)
            $rules | Should -HaveCount 0
            "$warned" | Should -Match 'No nodes'
        }
    }
}
