# K3sNet's AWSSDK, KubernetesClient and YamlDotNet load into K3sNet's own context, so other versions of them in the
# same session (AWS.Tools, powershell-yaml, PlatyPS) work beside K3sNet whichever module loads first.
BeforeDiscovery {
    $Orders = @(
        @{ Order = 'OthersFirst'; Runs = 1 }
        @{ Order = 'K3sNetFirst'; Runs = 2 }
    )
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $ModulePath = Get-BuiltModulePath
    $OtherYamlDotNet = $env:K3SNET_CONFLICTING_YAMLDOTNET
    $OtherAwsCore = $env:K3SNET_CONFLICTING_AWSSDKCORE
    foreach ($path in $OtherYamlDotNet, $OtherAwsCore) {
        if (-not $path -or -not (Test-Path -LiteralPath $path)) {
            throw "The other-version assemblies are not restored ('$path'): run the suite through build.ps1 Test or Invoke-PesterSuite.ps1."
        }
    }
    # Never let the AWS SDK look for instance credentials beyond loopback.
    $ChildEnvironment = @{ AWS_EC2_METADATA_DISABLED = 'true' }
    $Dependencies = Join-Path $ModulePath 'Dependencies'
    # Get-K3sNode in the probe reads this emulator's nodes through KubernetesClient.
    $KubeApi = Start-KubeApiEmulator -Context 'isolation'
    function Get-FileVersion([string] $Path) { [Diagnostics.FileVersionInfo]::GetVersionInfo($Path).FileVersion }
}

AfterAll {
    Stop-KubeApiEmulator -Emulator $KubeApi
}

Describe 'Dependency isolation, other modules'' assemblies loaded <Order>' -ForEach $Orders {
    BeforeAll {
        $null = Invoke-KubeApiEmulatorControl -Emulator $KubeApi -Path requests -Method DELETE
        $output = Invoke-PwshProcess -File (Join-Path $PSScriptRoot 'Isolation/Invoke-IsolationProbe.ps1') -ArgumentList @(
            '-ModulePath', $ModulePath, '-Order', $Order,
            '-OtherYamlDotNetPath', $OtherYamlDotNet, '-OtherAwsCorePath', $OtherAwsCore,
            '-Kubeconfig', $KubeApi.Kubeconfig
        ) -Environment $ChildEnvironment 2>&1 | ForEach-Object { "$_" }
        if ($LASTEXITCODE -ne 0) {
            throw "The isolation probe failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
        }
        $Report = ($output -join "`n") | ConvertFrom-Json
        $InDependencies = @($Report.Assemblies | Where-Object Context -EQ 'K3sNet.Dependencies')
        $InDefault = @($Report.Assemblies | Where-Object Context -EQ 'Default')
        $KubeRequests = @((Invoke-KubeApiEmulatorControl -Emulator $KubeApi -Path requests) | ForEach-Object { $_ })
    }

    It 'Get-K3sNode reads the kubeconfig and lists the emulator''s nodes with its token through KubernetesClient' {
        $Report.Runs | Should -HaveCount $Runs
        foreach ($run in $Report.Runs) {
            $run.NodeNames | Should -HaveCount 7
            $run.NodeNames[0] | Should -Be 'k3s-server-1'
            $run.NodeTypes | Should -Be @('K3sNet.K3sNode')
        }
        # One node list and one CoreDNS pod list per run, each with the right bearer token.
        $KubeRequests | Should -HaveCount (2 * $Runs)
        $KubeRequests.authorized | Should -Not -Contain $false
        $KubeRequests.userAgent | ForEach-Object { $_ | Should -Match '^kubernetes-csharp/21\.0\.8' }
    }

    It 'Test-K3sSecurityGroup signs DescribeInstances with SigV4 for ec2 in the region through AWSSDK.EC2, and reads the answer' {
        $Report.Ec2Actions | Should -Be (@('DescribeInstances') * $Runs)
        foreach ($scope in $Report.Ec2CredentialScopes) {
            $scope | Should -Match '^AKIDK3SNETISOLATION/\d{8}/us-east-1/ec2/aws4_request$'
        }
        $Report.Ec2SignedHeaders | Should -HaveCount $Runs
        foreach ($run in $Report.Runs) {
            # The listener's empty reservation set, parsed: the instance asked for is not in the account.
            $run.Verdicts | Should -Be 0
            $run.Ec2ErrorIds | Should -Be @('InstanceNotFound,K3sNet.Commands.TestK3sSecurityGroupCommand')
            $run.Ec2ErrorTargets | Should -Be @('i-0123456789abcdef0')
        }
    }

    It 'loads K3sNet''s own builds of <_> from Dependencies/ into its own context' -ForEach @('K3sNet.Cloud', 'KubernetesClient', 'YamlDotNet', 'AWSSDK.Core', 'AWSSDK.EC2') {
        $loaded = @($InDependencies | Where-Object Name -EQ $_)
        $loaded | Should -HaveCount 1
        $loaded[0].Location | Should -Be (Join-Path $Dependencies "$_.dll")
        $loaded[0].FileVersion | Should -Be (Get-FileVersion (Join-Path $Dependencies "$_.dll"))
    }

    It 'leaves the other modules'' versions in the default context, still working' {
        ($InDefault | Where-Object Name -EQ 'YamlDotNet').FileVersion | Should -Be (Get-FileVersion $OtherYamlDotNet)
        ($InDefault | Where-Object Name -EQ 'AWSSDK.Core').FileVersion | Should -Be (Get-FileVersion $OtherAwsCore)
        $Report.OtherModule.Yaml | Should -Be 'other'
        $Report.OtherModuleAfter.Yaml | Should -Be 'other'
        $Report.OtherModuleAfter.AccessKey | Should -Be 'AKIDOTHERMODULE'
    }

    It 'keeps one K3sNet.dll, in the default context, so its public types have one identity' {
        @($Report.Assemblies | Where-Object Name -EQ 'K3sNet') | Should -HaveCount 1
        ($Report.Assemblies | Where-Object Name -EQ 'K3sNet').Context | Should -Be 'Default'
        $InDefault.Name | Should -Not -Contain 'K3sNet.Cloud'
        $InDefault.Name | Should -Not -Contain 'KubernetesClient'
    }
}

Describe 'Without isolation' {
    It 'the same KubernetesClient fails beside an older YamlDotNet in the default context (the conflict is real)' {
        $result = Invoke-FreshPwsh -Environment $ChildEnvironment -Parameters @{
            Yaml = $OtherYamlDotNet; Client = (Join-Path $Dependencies 'KubernetesClient.dll')
        } -ScriptBlock {
            param($Yaml, $Client)
            Add-Type -LiteralPath $Yaml
            $null = [Reflection.Assembly]::LoadFrom($Client)
            $kubeconfig = [IO.Path]::GetTempFileName()
            "apiVersion: v1`nkind: Config`nclusters: []`ncontexts: []`nusers: []" | Set-Content -LiteralPath $kubeconfig
            try {
                $null = [k8s.KubernetesClientConfiguration]::LoadKubeConfig([IO.FileInfo]::new($kubeconfig), $false)
                'loaded'
            }
            catch {
                $_.Exception.GetBaseException().GetType().Name + ': ' + $_.Exception.GetBaseException().Message
            }
            finally {
                Remove-Item -LiteralPath $kubeconfig
            }
        }
        $result | Should -Match '^FileLoadException: .*YamlDotNet'
    }
}
