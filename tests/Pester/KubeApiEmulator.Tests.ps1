# The Kubernetes API emulator as a command (tests/Emulators/KubeApi/Program.cs): the options a lab script starts it
# with (--forbid, --services) and its usage text, which documents the image names that choose a pod's fault. What the
# API does is tested through the real KubernetesClient in xunit (tests/K3sNet.Tests/Kubernetes/Emulator*Tests.cs).
Describe 'The Kubernetes API emulator command' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        $Scratch = Join-Path ([IO.Path]::GetTempPath()) "k3snet-kubeapi-command-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $Scratch
        $ServicesPath = Join-Path $Scratch 'services.json'
        @{
            kind = 'ServiceList'; apiVersion = 'v1'; metadata = @{}
            items = @(
                @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'kubernetes'; namespace = 'default' }; spec = @{ clusterIP = '10.43.0.1' } }
                @{ apiVersion = 'v1'; kind = 'Service'; metadata = @{ name = 'kube-dns'; namespace = 'kube-system' }; spec = @{ clusterIP = '10.43.0.10' } }
            )
        } | ConvertTo-Json -Depth 5 | Set-Content -LiteralPath $ServicesPath
        $Emulator = Start-KubeApiEmulator -ArgumentList @('--forbid', 'create:pods', '--forbid', 'delete:namespaces', '--services', $ServicesPath, '--user', 'system:serviceaccount:k3snet:probe')

        function Invoke-Api([string] $Path, [string] $Method = 'GET', [string] $Body) {
            # The harness talks to its own loopback emulator with the token, as Invoke-KubeApiEmulatorControl does.
            $request = @{ Method = $Method; Uri = "$($Emulator.Url)$Path"; Headers = @{ Authorization = "Bearer $($Emulator.Token)" }; SkipCertificateCheck = $true; SkipHttpErrorCheck = $true }
            if ($Body) { $request.Body = $Body; $request.ContentType = 'application/json' }
            $response = Invoke-WebRequest @request
            [pscustomobject]@{ Code = [int]$response.StatusCode; Body = $response.Content | ConvertFrom-Json }
        }
    }

    AfterAll {
        if ($Emulator) { Stop-KubeApiEmulator -Emulator $Emulator }
        Remove-Item -LiteralPath $Scratch -Recurse -Force -ErrorAction Ignore
    }

    It '--forbid denies the verb on the resource with the API server''s 403 and leaves other verbs alone' {
        $pod = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"probe"},"spec":{"containers":[{"name":"probe","image":"busybox"}]}}'

        $denied = Invoke-Api -Path '/api/v1/namespaces/default/pods' -Method POST -Body $pod

        $denied.Code | Should -Be 403
        $denied.Body.message | Should -BeExactly 'pods is forbidden: User "system:serviceaccount:k3snet:probe" cannot create resource "pods" in API group "" in the namespace "default"'
        (Invoke-Api -Path '/api/v1/namespaces/default').Code | Should -Be 200
        (Invoke-Api -Path '/api/v1/namespaces/default' -Method DELETE).Body.message |
            Should -BeExactly 'namespaces "default" is forbidden: User "system:serviceaccount:k3snet:probe" cannot delete resource "namespaces" in API group "" in the namespace "default"'
    }

    It 'the forbid control endpoint adds and removes a denial while it runs' {
        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path 'forbid?verb=list&resource=nodes' -Method PUT

        (Invoke-Api -Path '/api/v1/nodes').Body.message | Should -BeExactly 'nodes is forbidden: User "system:serviceaccount:k3snet:probe" cannot list resource "nodes" in API group "" at the cluster scope'
        (Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path 'forbid') -join ', ' | Should -BeExactly 'create:pods, delete:namespaces, list:nodes'

        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path 'forbid?verb=list&resource=nodes' -Method DELETE
        (Invoke-Api -Path '/api/v1/nodes').Code | Should -Be 200
    }

    It '--services serves the lab''s services' {
        $all = Invoke-Api -Path '/api/v1/services'

        $all.Body.kind | Should -Be 'ServiceList'
        @($all.Body.items.metadata.name) | Should -Be @('kubernetes', 'kube-dns')
        (Invoke-Api -Path '/api/v1/namespaces/kube-system/services/kube-dns').Body.spec.clusterIP | Should -Be '10.43.0.10'
        (Invoke-Api -Path '/api/v1/namespaces/kube-system/services/nope').Code | Should -Be 404
    }

    It 'its usage text names the image names that choose a pod''s fault and the --forbid and --services options' {
        $emulator = Get-ChildItem -Path (Join-Path (Get-RepositoryRoot) 'tests/Emulators/KubeApi/bin/*/net10.0/K3sNet.Emulators.KubeApi.dll') | Select-Object -First 1
        $dotnet = (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source

        $usage = & $dotnet $emulator.FullName --help 2>&1 | Out-String

        $LASTEXITCODE | Should -Be 0
        $refused = & $dotnet $emulator.FullName --nodes (Join-Path (Get-RepositoryRoot) 'tests/Emulators/KubeApi/Fixtures/nodes.json') --forbid create-pods 2>&1 | Out-String
        $LASTEXITCODE | Should -Be 2
        $refused | Should -Match ([regex]::Escape("--forbid: 'create-pods' is not verb:resource"))
        foreach ($text in 'fault.k3snet.invalid/image-pull', 'fault.k3snet.invalid/never-ready', 'fault.k3snet.invalid/create-container-error', '--forbid <verb:resource>', '--services <file>') {
            $usage | Should -Match ([regex]::Escape($text))
        }
    }
}
