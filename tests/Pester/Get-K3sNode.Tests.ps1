# Get-K3sNode through the real KubernetesClient against the Kubernetes API emulator serving the fixture cluster
# (tests/Emulators/KubeApi/Fixtures). The emulator runs on loopback in a child process; so does every test that
# changes the environment or must stop a hung request.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Get-K3sNode')
}

Describe 'Get-K3sNode against the Kubernetes API emulator' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
        $ModulePath = Get-BuiltModulePath
        Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force

        # The server caps pages at 3 nodes, so every listing of the 7 fixture nodes must follow continue tokens. It serves
        # HTTPS with a k3s-shaped kubeconfig (CA, EC client certificate); it also answers on 127.0.0.2, which its
        # certificate does not name, as a node's public IP is not in k3s's certificate without --tls-san.
        $Emulator = Start-KubeApiEmulator -Context 'k3s-lab' -PageSize 3 -AlsoListen 127.0.0.2
        $SavedKubeconfig = $env:KUBECONFIG
        $env:KUBECONFIG = $Emulator.Kubeconfig
        $Scratch = Join-Path ([IO.Path]::GetTempPath()) "k3snet-node-tests-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $Scratch

        function Get-Requests { @(Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path requests) }
        function Set-Fault([string] $Resource, [string] $Fault) {
            $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path "faults/$Resource`?fault=$Fault" -Method PUT
        }
        function New-Kubeconfig([string] $Name, [string] $Token, [string] $Server = $Emulator.Url, [hashtable] $Data = @{}) {
            # A copy of the emulator's kubeconfig with another server, other *-data fields (-Data @{ 'client-key-data' =
            # ... }), or, with -Token, a copy of its token kubeconfig with another token.
            $path = Join-Path $Scratch $Name
            $text = if ($Token) { (Get-Content -Raw -LiteralPath $Emulator.TokenKubeconfig).Replace($Emulator.Token, $Token) } else { Get-Content -Raw -LiteralPath $Emulator.Kubeconfig }
            foreach ($field in $Data.Keys) { $text = $text -replace "(?m)^(\s*$field): .*$", "`$1: $($Data[$field])" }
            $text.Replace($Emulator.Url, $Server) | Set-Content -LiteralPath $path -NoNewline
            return $path
        }
        function Get-KubeconfigData([string] $Field) {
            # A *-data field of the emulator's kubeconfig, as the file holds it (base64).
            ((Get-Content -LiteralPath $Emulator.Kubeconfig) -match "^\s*$Field`: " | Select-Object -First 1).Split(': ', 2)[1].Trim()
        }
        function Get-ClosedPort {
            $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
            $listener.Start()
            try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
        }
        function Get-TerminatingError([scriptblock] $Script) {
            try { & $Script; $null } catch { $_ }
        }
    }

    AfterAll {
        $env:KUBECONFIG = $SavedKubeconfig
        Stop-KubeApiEmulator -Emulator $Emulator
        Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
    }

    AfterEach {
        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path faults -Method DELETE
    }

    Describe 'Get-K3sNode docs examples, run against the emulator' {
        It 'runs example "<Title>" as documented' -ForEach $DocsExamples {
            Assert-DocsExample -Code $Code -Output $Output
        }
    }

    Describe 'Get-K3sNode reads the cluster' {
        It 'emits a K3sNode per node, following continue tokens page by page, and asks for CoreDNS pods once' {
            $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path requests -Method DELETE

            $nodes = @(Get-K3sNode)

            $nodes | Should -HaveCount 7
            $nodes[0] | Should -BeOfType ([K3sNet.K3sNode])
            $requests = Get-Requests
            @($requests | Where-Object pathAndQuery -Like '/api/v1/nodes*') | Should -HaveCount 3
            @($requests | Where-Object pathAndQuery -Like '/api/v1/nodes*continue=*') | Should -HaveCount 2
            @($requests | Where-Object pathAndQuery -Like '/api/v1/namespaces/kube-system/pods?labelSelector=k8s-app%3Dkube-dns*') | Should -HaveCount 1
            $requests.authorized | Should -Not -Contain $false
            $requests[0].userAgent | Should -Match '^kubernetes-csharp/'
            # Over HTTPS, as the admin of the k3s-shaped kubeconfig: its EC client certificate, checked against the CA.
            $requests.authenticatedAs | Select-Object -Unique | Should -Be 'CN=system:admin, O=system:masters'
            $Emulator.Url | Should -Match '^https://127\.0\.0\.1:'
            [Text.Encoding]::ASCII.GetString([Convert]::FromBase64String((Get-KubeconfigData 'client-key-data'))) | Should -Match '^-----BEGIN EC PRIVATE KEY-----'
        }

        It 'parses roles, addresses, flannel and provider fields of the server' {
            $server = Get-K3sNode -Name k3s-server-1

            $server.Roles | Should -Be @('control-plane', 'etcd', 'master')
            $server.IsServer | Should -BeTrue
            $server.EmbeddedEtcd | Should -BeTrue
            $server.EmbeddedRegistry | Should -BeTrue
            $server.FlannelBackend | Should -Be ([K3sNet.FlannelBackend]::Vxlan)
            $server.VtepMac | Should -Be 'd2:19:ce:bc:8b:20'
            $server.VtepAddress | Should -Be '10.42.0.0'
            $server.InstanceId | Should -Be 'i-0a1b2c3d4e5f60001'
            $server.HostsClusterDns | Should -BeTrue
        }

        It 'selects by wildcard, and writes NodeNotFound for a name that matches nothing while emitting the rest' {
            (Get-K3sNode -Name 'K3S-AGENT-*').Name | Should -Be @('k3s-agent-1', 'k3s-agent-2', 'k3s-agent-3')

            $found = @(Get-K3sNode -Name k3s-edge-1, k3s-nope -ErrorVariable missing -ErrorAction SilentlyContinue)

            $found.Name | Should -Be @('k3s-edge-1')
            $missing | Should -HaveCount 1
            $missing[0].FullyQualifiedErrorId | Should -Be 'NodeNotFound,K3sNet.Commands.GetK3sNodeCommand'
            $missing[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $missing[0].TargetObject | Should -Be 'k3s-nope'
            $missing[0].ErrorDetails.RecommendedAction | Should -Match 'wildcard'
        }

        It 'tells the story in verbose: server, context, where the kubeconfig came from, the timeout' {
            $verbose = Get-K3sNode -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message

            $verbose[0] | Should -Match ([regex]::Escape($Emulator.Url))
            $verbose[0] | Should -Match "context 'k3s-lab'"
            $verbose[0] | Should -Match ([regex]::Escape("KUBECONFIG ($($Emulator.Kubeconfig))"))
            $verbose[0] | Should -Match 'timeout 10 s'
        }

        It 'shows the table view with the columns the issue names, Ready and Problems first' {
            $lines = (Get-K3sNode | Out-String -Width 120) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
            $lines[0] | Should -Match '^Name\s+Ready\s+Problems\s+InternalIP\s+PublicIP\s+PodCidr\s+Roles$'
            $lines | Where-Object { $_ -match '^k3s-agent-3\s' } | Should -Match '^k3s-agent-3\s+False\s+1\s'
        }

        It 'keeps Ready, Problems and both addresses whole on an 80-column terminal' {
            $lines = (Get-K3sNode | Out-String -Width 80) -split "`n" | ForEach-Object TrimEnd | Where-Object { $_ }
            $lines[0] | Should -Match '^Name\s+Ready\s+Problems\s+InternalIP\s+PublicIP\s+PodCidr$'
            $lines | Where-Object { $_ -match '^k3s-agent-2\s' } | Should -Match '^k3s-agent-2\s+True\s+2\s+10\.0\.1\.22\s+203\.0\.113\.25\s+10\.42\.2\.0/24$'
        }

        It 'completes -Context from the kubeconfig on Tab, quoting names that need it' {
            $multi = Join-Path $Scratch 'multi.yaml'
            @(
                'apiVersion: v1'
                'kind: Config'
                'current-context: staging'
                "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]"
                'users: [{name: u, user: {token: never-shown}}]'
                'contexts:'
                '- {name: staging, context: {cluster: c, user: u}}'
                "- {name: 'prod east', context: {cluster: c, user: u}}"
                '- {name: k3s-other, context: {cluster: c, user: u}}'
            ) | Set-Content -LiteralPath $multi

            (TabExpansion2 -inputScript 'Get-K3sNode -Context k3s' -cursorColumn 24).CompletionMatches.CompletionText | Should -Be @('k3s-lab')
            $script = "Get-K3sNode -Kubeconfig '$multi' -Context "
            (TabExpansion2 -inputScript $script -cursorColumn $script.Length).CompletionMatches.CompletionText | Should -Be @('staging', "'prod east'", 'k3s-other')
        }
    }

    Describe 'Get-K3sNode | Get-K3sPortMatrix' {
        It 'infers backend, embedded etcd, embedded registry and dual-stack from the nodes, and warns about the host-gw node' {
            $rules = @(Get-K3sNode | Get-K3sPortMatrix -WarningVariable warnings -WarningAction SilentlyContinue)

            $rules | ForEach-Object { '{0}/{1} {2}->{3}' -f "$($_.Protocol)".ToLowerInvariant(), $_.Port, $_.Source, $_.Destination } | Should -Be @(
                'tcp/2379-2380 Servers->Servers'
                'tcp/6443 Agents->Servers'
                'udp/8472 AllNodes->AllNodes'
                'tcp/10250 AllNodes->AllNodes'
                'tcp/5001 AllNodes->AllNodes'
                'tcp/6443 AllNodes->AllNodes'
            )
            $rules.IPFamily | Select-Object -Unique | Should -Be ([K3sNet.IPFamilies]'IPv4, IPv6')
            "$warnings" | Should -Match 'k3s-gw-1'
        }

        It 'keeps -Role with piped nodes, and agents-only clusters need no etcd rule' {
            $rules = @(Get-K3sNode -Name k3s-agent-1, k3s-agent-2 | Get-K3sPortMatrix -Role Agent)

            $rules.FromPort | Should -Be @(8472, 10250)
        }

        It 'emits nothing for an empty pipeline, and warns, rather than a default matrix' {
            $rules = @(Get-K3sNode -Name 'nothing-*' | Get-K3sPortMatrix -WarningVariable warnings -WarningAction SilentlyContinue)

            $rules | Should -HaveCount 0
            "$warnings" | Should -Match 'No nodes came down the pipeline'
        }
    }

    Describe 'Get-K3sNode errors' {
        It 'no kubeconfig anywhere: KubeconfigNotFound lists every path tried' {
            if (Test-Path -LiteralPath '/etc/rancher/k3s/k3s.yaml') {
                # Never the case in CI; on a k3s server the last place always holds a kubeconfig.
                Set-ItResult -Skipped -Because 'this machine is a k3s server: /etc/rancher/k3s/k3s.yaml exists, so a kubeconfig is always found'
                return
            }
            $emptyHome = Join-Path $Scratch 'empty-home'
            $null = New-Item -ItemType Directory -Force -Path $emptyHome
            $result = Invoke-FreshPwsh -Parameters @{ ModulePath = $ModulePath } -Environment @{
                HOME = $emptyHome; KUBECONFIG = "$Scratch/missing-1.yaml:$Scratch/missing-2.yaml"; KUBERNETES_SERVICE_HOST = ''
            } -ScriptBlock {
                param($ModulePath)
                Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
                try { Get-K3sNode; $null } catch {
                    [pscustomobject]@{ Id = $_.FullyQualifiedErrorId; Category = "$($_.CategoryInfo.Category)"; Target = @($_.TargetObject); Message = $_.Exception.Message; Action = $_.ErrorDetails.RecommendedAction }
                }
            }

            $result.Id | Should -Be 'KubeconfigNotFound,K3sNet.Commands.GetK3sNodeCommand'
            $result.Category | Should -Be 'ObjectNotFound'
            $result.Target[0..3] | Should -Be @("KUBECONFIG: $Scratch/missing-1.yaml", "KUBECONFIG: $Scratch/missing-2.yaml", "$emptyHome/.kube/config", '/etc/rancher/k3s/k3s.yaml')
            $result.Message | Should -Match ([regex]::Escape("$emptyHome/.kube/config"))
            $result.Message | Should -Match 'in-cluster'
            $result.Action | Should -Match '-Kubeconfig'
        }

        It 'a -Kubeconfig that does not exist: KubeconfigNotFound naming it' {
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig (Join-Path $Scratch 'nope.yaml') }

            $record.FullyQualifiedErrorId | Should -Be 'KubeconfigNotFound,K3sNet.Commands.GetK3sNodeCommand'
            $record.TargetObject | Should -Be (Join-Path $Scratch 'nope.yaml')
        }

        It 'an unknown context: KubeContextNotFound lists the known ones' {
            $record = Get-TerminatingError { Get-K3sNode -Context prod }

            $record.FullyQualifiedErrorId | Should -Be 'KubeContextNotFound,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $record.TargetObject | Should -Be 'prod'
            $record.Exception.Message | Should -Match "no context 'prod'.*Known contexts: k3s-lab\."
            $record.ErrorDetails.RecommendedAction | Should -Match 'Tab'
        }

        It 'a kubeconfig that is not valid YAML: KubeconfigInvalid, quoting none of it' {
            $broken = Join-Path $Scratch 'broken.yaml'
            "users:`n- name: x`n  user:`n    token: $($Emulator.Token)`n  : [`n" | Set-Content -LiteralPath $broken
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $broken }

            $record.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidData'
            $record.Exception.Message | Should -Match ([regex]::Escape($broken))
            $record.Exception.Message | Should -Not -Match ([regex]::Escape($Emulator.Token))
        }

        It 'a kubeconfig without current-context and no -Context: KubeContextNotSet lists the contexts' {
            $unset = Join-Path $Scratch 'no-current.yaml'
            (Get-Content -LiteralPath $Emulator.Kubeconfig | Where-Object { $_ -notmatch '^current-context:' }) | Set-Content -LiteralPath $unset
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $unset }

            $record.FullyQualifiedErrorId | Should -Be 'KubeContextNotSet,K3sNet.Commands.GetK3sNodeCommand'
            $record.Exception.Message | Should -Match 'Known contexts: k3s-lab\.'
            $record.ErrorDetails.RecommendedAction | Should -Match 'use-context'
            (Get-K3sNode -Kubeconfig $unset -Context k3s-lab) | Should -HaveCount 7
        }

        It 'an API server nobody listens for: KubeApiUnreachable with the endpoint and the timeout' {
            $port = Get-ClosedPort
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig (New-Kubeconfig 'closed.yaml' -Server "https://127.0.0.1:$port") -TimeoutSeconds 7 }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiUnreachable,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'ConnectionError'
            $record.TargetObject | Should -Be "https://127.0.0.1:$port/"
            $record.Exception.Message | Should -Match "127\.0\.0\.1:$port"
            $record.Exception.Message | Should -Match 'timeout 7 s'
        }

        It 'a server that does not answer within -TimeoutSeconds: KubeApiTimeout' {
            Set-Fault nodes Hang
            $record = Get-TerminatingError { Get-K3sNode -TimeoutSeconds 1 }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiTimeout,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'OperationTimeout'
            $record.Exception.Message | Should -Match 'did not answer within 1 s'
            $record.ErrorDetails.RecommendedAction | Should -Match '-TimeoutSeconds'
        }

        It 'a server certificate the kubeconfig''s CA did not sign: KubeApiCertificateUntrusted, not unreachable, with the fix' {
            $other = New-ForeignClusterCredential
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig (New-Kubeconfig 'other-ca.yaml' -Data @{ 'certificate-authority-data' = $other.CaData }) }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiCertificateUntrusted,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'SecurityError'
            $record.TargetObject | Should -Be "$($Emulator.Url)/"
            $record.Exception.Message | Should -Match ([regex]::Escape("is not trusted by the kubeconfig's CA ($($other.CaSubject))"))
            $record.Exception.Message | Should -Match 'issued by CN=k3s-server-ca@'
            $record.ErrorDetails.RecommendedAction | Should -Match 'certificate-authority-data'
            $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape('/etc/rancher/k3s/k3s.yaml'))
        }

        It 'k3s.yaml pointed at an address its certificate does not name: KubeApiCertificateNameMismatch lists the names and says --tls-san' {
            $public = $Emulator.AlsoUrls[0]
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig (New-Kubeconfig 'public-ip.yaml' -Server $public) }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiCertificateNameMismatch,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'SecurityError'
            $record.TargetObject | Should -Be "$public/"
            $record.Exception.Message | Should -Match 'does not name the address used, 127\.0\.0\.2: it names kubernetes, .*localhost, 127\.0\.0\.1, ::1'
            $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape("'--tls-san 127.0.0.2'"))
            $record.ErrorDetails.RecommendedAction | Should -Match 'restart'
        }

        It 'a client certificate another cluster''s CA signed: KubeUnauthorized, as k3s answers it' {
            $other = New-ForeignClusterCredential
            $kubeconfig = New-Kubeconfig 'other-client.yaml' -Data @{ 'client-certificate-data' = $other.ClientCertificateData; 'client-key-data' = $other.ClientKeyData }
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $kubeconfig }

            $record.FullyQualifiedErrorId | Should -Be 'KubeUnauthorized,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $record.ErrorDetails.RecommendedAction | Should -Match 'client certificate'
        }

        It 'a wrong token: KubeUnauthorized' {
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig (New-Kubeconfig 'wrong-token.yaml' -Token 'k3snet-wrong-token-51f0') }

            $record.FullyQualifiedErrorId | Should -Be 'KubeUnauthorized,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $record.Exception.Message | Should -Match '401'
        }

        It 'no right to list nodes: KubeForbidden names the verb, the resource and the RBAC rule that grants it' {
            Set-Fault nodes Forbidden
            $record = Get-TerminatingError { Get-K3sNode }

            $record.FullyQualifiedErrorId | Should -Be 'KubeForbidden,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'PermissionDenied'
            $record.TargetObject | Should -Be 'nodes'
            $record.Exception.Message | Should -Match 'cannot list resource "nodes" in API group "" at the cluster scope'
            $record.Exception.Message | Should -Match 'needs to list nodes cluster-wide'
            $record.ErrorDetails.RecommendedAction | Should -Match ([regex]::Escape('resources: ["nodes"], verbs: ["list"]'))
            $record.ErrorDetails.RecommendedAction | Should -Match 'kubectl create clusterrole k3snet-reader --verb=list --resource=nodes'
        }

        It 'no right to list kube-system pods: the nodes still come, with one KubeForbidden error for the pods' {
            Set-Fault pods Forbidden

            $nodes = @(Get-K3sNode -ErrorVariable denied -ErrorAction SilentlyContinue)

            $nodes | Should -HaveCount 7
            $nodes.HostsClusterDns | Should -Not -Contain $true
            $denied | Should -HaveCount 1
            $denied[0].FullyQualifiedErrorId | Should -Be 'KubeForbidden,K3sNet.Commands.GetK3sNodeCommand'
            $denied[0].TargetObject | Should -Be 'kube-system/pods'
            $denied[0].ErrorDetails.RecommendedAction | Should -Match 'Role in kube-system'
        }

        It 'any other API failure: KubeApiError with the Status message' {
            Set-Fault nodes ServerError
            $record = Get-TerminatingError { Get-K3sNode }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiError,K3sNet.Commands.GetK3sNodeCommand'
            $record.Exception.Message | Should -Match 'Internal error occurred'
        }

        It 'a 500 with no body: KubeApiError names the status, the endpoint and the request, and says where to look' {
            Set-Fault nodes EmptyServerError
            $record = Get-TerminatingError { Get-K3sNode }

            $record.FullyQualifiedErrorId | Should -Be 'KubeApiError,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidResult'
            $record.TargetObject | Should -Be "$($Emulator.Url)/"
            $record.Exception.Message | Should -Be "The API server $($Emulator.Url)/ answered HTTP 500 (InternalServerError) to list nodes, with no body to say why."
            $record.Exception.Message | Should -Not -Match 'inner exception'
            $record.ErrorDetails.RecommendedAction | Should -Match 'journalctl -u k3s'
            $record.ErrorDetails.RecommendedAction | Should -Match 'readyz'
        }

        It 'an empty -Kubeconfig (<Kind>): KubeconfigInvalid says it is empty, not a NullReferenceException' -ForEach @(
            @{ Kind = '0 bytes'; Text = '' }
            @{ Kind = 'whitespace only'; Text = "  `n`n" }
            @{ Kind = 'only ---'; Text = "---`n" }
        ) {
            $empty = Join-Path $Scratch "empty-$($Kind -replace '\W', '').yaml"
            [IO.File]::WriteAllText($empty, $Text)
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $empty }

            $record.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidData'
            $record.TargetObject | Should -Be $empty
            $record.Exception.Message | Should -Be "The kubeconfig '$empty' is empty: it holds no YAML, only whitespace, comments or '---'."
            $record.ErrorDetails.RecommendedAction | Should -Match '/etc/rancher/k3s/k3s.yaml'
        }

        It 'a directory as -Kubeconfig: KubeconfigIsDirectory says so' {
            $folder = Join-Path $Scratch 'kube-folder'
            $null = New-Item -ItemType Directory -Force -Path $folder
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $folder }

            $record.FullyQualifiedErrorId | Should -Be 'KubeconfigIsDirectory,K3sNet.Commands.GetK3sNodeCommand'
            $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $record.TargetObject | Should -Be $folder
            $record.Exception.Message | Should -Be "The kubeconfig '$folder' is a directory, not a file."
            $record.ErrorDetails.RecommendedAction | Should -Match '~/.kube/config'
        }

        It 'an empty file found on the way is skipped for the next place, as kubectl does, and -Verbose says so' {
            $home2 = Join-Path $Scratch 'home-with-config'
            $null = New-Item -ItemType Directory -Force -Path (Join-Path $home2 '.kube')
            Copy-Item -LiteralPath $Emulator.Kubeconfig -Destination (Join-Path $home2 '.kube/config')
            $emptyListed = Join-Path $Scratch 'listed-empty.yaml'
            [IO.File]::WriteAllText($emptyListed, "---`n")
            $result = Invoke-FreshPwsh -Parameters @{ ModulePath = $ModulePath } -Environment @{ HOME = $home2; KUBECONFIG = $emptyListed } -ScriptBlock {
                param($ModulePath)
                Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
                $nodes = @(Get-K3sNode -Verbose -WarningVariable warned -WarningAction SilentlyContinue 4>&1)
                [pscustomobject]@{
                    Nodes   = @($nodes | Where-Object { $_ -is [K3sNet.K3sNode] }).Count
                    Verbose = @($nodes | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
                    Warning = "$warned"
                }
            }

            $result.Nodes | Should -Be 7
            $result.Verbose | Should -Contain "Skipped $emptyListed is empty; looking further, as kubectl does."
            $result.Verbose -join "`n" | Should -Match ([regex]::Escape("from $home2/.kube/config"))
            $result.Warning | Should -Match ([regex]::Escape("$emptyListed (empty)"))
        }

        It 'a context whose cluster is not in the kubeconfig: KubeconfigInvalid names the context and the cluster, not a .NET type' {
            $dangling = Join-Path $Scratch 'dangling.yaml'
            (Get-Content -Raw -LiteralPath $Emulator.Kubeconfig).Replace("    cluster: k3s-lab`n", "    cluster: k3s-gone`n") | Set-Content -LiteralPath $dangling -NoNewline
            $record = Get-TerminatingError { Get-K3sNode -Kubeconfig $dangling }

            $record.FullyQualifiedErrorId | Should -Be 'KubeconfigInvalid,K3sNet.Commands.GetK3sNodeCommand'
            $record.Exception.Message | Should -Match ([regex]::Escape("context 'k3s-lab' names cluster 'k3s-gone', which the kubeconfig does not define (clusters: k3s-lab)"))
            $record.Exception.Message | Should -Not -Match 'KubeConfigModels'
        }

        It 'Ctrl+C stops a hung request at once: the pipeline ends Stopped, without an error, and the server sees the client go' {
            Set-Fault nodes Hang
            $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path requests -Method DELETE

            $result = Invoke-FreshPwsh -Parameters @{ ModulePath = $ModulePath; Kubeconfig = $Emulator.Kubeconfig; Url = $Emulator.Url; Token = $Emulator.Token } -ScriptBlock {
                param($ModulePath, $Kubeconfig, $Url, $Token)
                $ps = [powershell]::Create()
                $null = $ps.AddScript("Import-Module '$ModulePath/K3sNet.psd1'; Get-K3sNode -Kubeconfig '$Kubeconfig' -TimeoutSeconds 3600")
                $invocation = $ps.BeginInvoke()
                # Wait until the request is in flight at the server (polls, bounded so a broken run fails instead of hanging).
                $headers = @{ Authorization = "Bearer $Token" }
                for ($poll = 0; $poll -lt 3000 -and [int](Invoke-RestMethod "$Url/emulator/active" -Headers $headers -SkipCertificateCheck) -lt 1; $poll++) {
                    Start-Sleep -Milliseconds 20
                }
                $inFlight = [int](Invoke-RestMethod "$Url/emulator/active" -Headers $headers -SkipCertificateCheck)
                # What Ctrl+C does. The request may wait 3600 s; the guard below is a tenth of that, and only stops a hang.
                $stopping = $ps.BeginStop($null, $null)
                $stoppedBeforeGuard = $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(360))
                $state = "$($ps.InvocationStateInfo.State)"
                $errors = $ps.Streams.Error.Count
                for ($poll = 0; $poll -lt 3000 -and [int](Invoke-RestMethod "$Url/emulator/active" -Headers $headers -SkipCertificateCheck) -gt 0; $poll++) {
                    Start-Sleep -Milliseconds 20
                }
                $requests = @((Invoke-RestMethod "$Url/emulator/requests" -Headers $headers -SkipCertificateCheck) | ForEach-Object { $_ })
                [pscustomobject]@{
                    InFlight = $inFlight; Stopped = $stoppedBeforeGuard; State = $state; Errors = $errors
                    NodeRequests = @($requests | Where-Object pathAndQuery -Like '/api/v1/nodes*').Count
                    Aborted = @($requests | Where-Object abortedByClient).Count
                }
            }

            $result.InFlight | Should -Be 1
            $result.Stopped | Should -BeTrue
            $result.State | Should -Be 'Stopped'
            $result.Errors | Should -Be 0
            $result.NodeRequests | Should -Be 1
            $result.Aborted | Should -Be 1
        }
    }

    Describe 'Get-K3sNode never shows a credential' {
        It 'the token is in no output, verbose, warning, debug or error text, nor in any exception' {
            $wrongToken = 'k3snet-wrong-token-a81c'
            $wrong = New-Kubeconfig 'wrong-for-leak.yaml' -Token $wrongToken
            $Error.Clear()

            # Each failing run ends in a terminating error; catching it keeps the record in the streams searched below.
            $streams = & {
                Get-K3sNode -Verbose -Debug
                try { Get-K3sNode -Context nope -Verbose } catch { $_ }
                try { Get-K3sNode -Kubeconfig $wrong -Verbose } catch { $_ }
                Set-Fault nodes Forbidden
                try { Get-K3sNode -Verbose } catch { $_ }
                Set-Fault nodes Hang
                try { Get-K3sNode -Verbose -TimeoutSeconds 1 } catch { $_ }
            } *>&1 | Out-String -Width 500
            $errorText = $Error | ForEach-Object {
                $_ | Format-List * -Force | Out-String -Width 500
                $exception = $_.Exception
                while ($exception) { $exception | Format-List * -Force | Out-String -Width 500; $exception.ToString(); $exception = $exception.InnerException }
            }
            Set-Fault nodes None
                $all = ($streams, ($errorText -join "`n"), (Get-K3sNode | ConvertTo-Json -Depth 5)) -join "`n"

            foreach ($id in 'KubeContextNotFound', 'KubeUnauthorized', 'KubeForbidden', 'KubeApiTimeout') {
                $all | Should -Match $id -Because 'the run must have produced the errors it searches'
            }
            $all | Should -Not -Match ([regex]::Escape($Emulator.Token))
            $all | Should -Not -Match ([regex]::Escape($wrongToken))
            # Nor the client key of the k3s-shaped kubeconfig, as base64 or as PEM.
            $keyData = Get-KubeconfigData 'client-key-data'
            $all | Should -Not -Match ([regex]::Escape($keyData))
            foreach ($line in ([Text.Encoding]::ASCII.GetString([Convert]::FromBase64String($keyData)) -split "`n" | Where-Object { $_ -and $_ -notmatch '^-----' })) {
                $all | Should -Not -Match ([regex]::Escape($line))
            }
        }
    }
}
