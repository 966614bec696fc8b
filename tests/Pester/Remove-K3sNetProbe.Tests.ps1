# Remove-K3sNetProbe through the real KubernetesClient against the Kubernetes API emulator on loopback: it removes the
# namespaces labelled as K3sNet's (those a killed probe run leaves), never another one. The leftovers are made the way
# a run makes its namespace (labels and owner annotations), straight through the API with the emulator's token.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Remove-K3sNetProbe')
}

Describe 'Remove-K3sNetProbe against the Kubernetes API emulator' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
        $ModulePath = Get-BuiltModulePath
        Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force
        $Emulator = Start-KubeApiEmulator -Context 'k3s-lab'
        $SavedKubeconfig = $env:KUBECONFIG
        $env:KUBECONFIG = $Emulator.Kubeconfig
        $Headers = @{ Authorization = "Bearer $($Emulator.Token)" }

        function New-Namespace([string] $Name, [switch] $K3sNet) {
            # As a probe run makes it (its labels, its owner), or a namespace of somebody else's.
            $labels = if ($K3sNet) { @{ 'app.kubernetes.io/managed-by' = 'k3snet'; 'k3snet.io/run' = $Name.Substring(7) } } else { @{ team = 'payments' } }
            $annotations = if ($K3sNet) { @{ 'k3snet.io/owner' = 'ops@laptop'; 'k3snet.io/pid' = '4242'; 'k3snet.io/started' = '2026-12-02T08:00:00Z' } } else { @{} }
            $body = @{ apiVersion = 'v1'; kind = 'Namespace'; metadata = @{ name = $Name; labels = $labels; annotations = $annotations } } | ConvertTo-Json -Depth 5
            $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Url)/api/v1/namespaces" -Headers $Headers -Body $body -ContentType 'application/json' -SkipCertificateCheck
        }
        function Get-NamespaceNames {
            @((Invoke-RestMethod -Uri "$($Emulator.Url)/api/v1/namespaces" -Headers $Headers -SkipCertificateCheck).items |
                    Where-Object { $_.status.phase -ne 'Terminating' } | ForEach-Object { $_.metadata.name })
        }
        function Get-Requests { @(Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path requests | ForEach-Object { $_ }) }
    }

    AfterAll {
        $env:KUBECONFIG = $SavedKubeconfig
        Stop-KubeApiEmulator -Emulator $Emulator
    }

    AfterEach {
        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path forbid -Method DELETE
        # What a test left of K3sNet's goes, so the next starts from a cluster without leftovers.
        foreach ($name in Get-NamespaceNames | Where-Object { $_ -like 'k3snet-*' -or $_ -eq 'payments' }) {
            $null = Invoke-RestMethod -Method Delete -Uri "$($Emulator.Url)/api/v1/namespaces/$name" -Headers $Headers -SkipCertificateCheck
        }
    }

    It 'removes every namespace of K3sNet''s, writes their names with -PassThru, and leaves every other namespace' {
        New-Namespace k3snet-0badc0de -K3sNet
        New-Namespace k3snet-1badc0de -K3sNet
        New-Namespace payments
        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path requests -Method DELETE

        $removed = @(Remove-K3sNetProbe -PassThru -Confirm:$false)
        # K3sNet's requests (its kubeconfig's client certificate), not the harness's (the token).
        $requests = @(Get-Requests | Where-Object { $_.authenticatedAs -ne 'token' })

        ($removed | Sort-Object) | Should -Be @('k3snet-0badc0de', 'k3snet-1badc0de')
        Get-NamespaceNames | Should -Not -Contain 'k3snet-0badc0de'
        Get-NamespaceNames | Should -Not -Contain 'k3snet-1badc0de'
        Get-NamespaceNames | Should -Contain 'payments'
        # One list (by K3sNet's label) and one delete per namespace.
        $requests | Should -HaveCount 3
        @($requests | Where-Object { $_.method -eq 'GET' -and $_.pathAndQuery -like '/api/v1/namespaces?*labelSelector=app.kubernetes.io*managed-by*k3snet*' }) | Should -HaveCount 1
        @($requests | Where-Object { $_.method -eq 'DELETE' -and $_.pathAndQuery -like '/api/v1/namespaces/k3snet-*' }) | Should -HaveCount 2
    }

    It 'refuses a namespace that is not K3sNet''s, by name, and does not touch it' {
        New-Namespace payments
        New-Namespace k3snet-0badc0de -K3sNet

        $removed = @(Remove-K3sNetProbe -Namespace payments, k3snet-0badc0de -PassThru -Confirm:$false -ErrorVariable problems -ErrorAction SilentlyContinue)

        $removed | Should -Be @('k3snet-0badc0de')
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'NotAProbeNamespace,*'
        $problems[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        $problems[0].TargetObject | Should -Be 'payments'
        $problems[0].ErrorDetails.RecommendedAction | Should -Match 'Remove-K3sNetProbe'
        Get-NamespaceNames | Should -Contain 'payments'
    }

    It 'removes nothing under -WhatIf' {
        New-Namespace k3snet-0badc0de -K3sNet
        Remove-K3sNetProbe -WhatIf | Should -BeNullOrEmpty
        Get-NamespaceNames | Should -Contain 'k3snet-0badc0de'
    }

    It 'names the verb, the resource and the ClusterRole when RBAC refuses the delete' {
        New-Namespace k3snet-0badc0de -K3sNet
        $null = Invoke-KubeApiEmulatorControl -Emulator $Emulator -Path 'forbid?verb=delete&resource=namespaces' -Method PUT

        $failure = try { Remove-K3sNetProbe -Confirm:$false; $null } catch { $_ }

        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'KubeForbidden,*'
        $failure.CategoryInfo.Category | Should -Be 'PermissionDenied'
        $failure.Exception.Message | Should -Match 'K3sNet needs to delete namespaces'
        $failure.ErrorDetails.RecommendedAction | Should -Match 'ClusterRole'
        "$failure $($failure.ErrorDetails.RecommendedAction)" | Should -Not -Match ([regex]::Escape($Emulator.Token))
        Get-NamespaceNames | Should -Contain 'k3snet-0badc0de'
    }

    It 'runs "<Title>" as documented' -ForEach @($DocsExamples) {
        New-Namespace k3snet-0badc0de -K3sNet
        Assert-DocsExample -Code $Code -Output $Output
        Get-NamespaceNames | Should -Not -Contain 'k3snet-0badc0de'
    }
}
