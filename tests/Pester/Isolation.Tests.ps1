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
    function Get-FileVersion([string] $Path) { [Diagnostics.FileVersionInfo]::GetVersionInfo($Path).FileVersion }
}

Describe 'Dependency isolation, other modules'' assemblies loaded <Order>' -ForEach $Orders {
    BeforeAll {
        $output = Invoke-PwshProcess -File (Join-Path $PSScriptRoot 'Isolation/Invoke-IsolationProbe.ps1') -ArgumentList @(
            '-ModulePath', $ModulePath, '-Order', $Order,
            '-OtherYamlDotNetPath', $OtherYamlDotNet, '-OtherAwsCorePath', $OtherAwsCore
        ) -Environment $ChildEnvironment 2>&1 | ForEach-Object { "$_" }
        if ($LASTEXITCODE -ne 0) {
            throw "The isolation probe failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
        }
        $Report = ($output -join "`n") | ConvertFrom-Json
        $InDependencies = @($Report.Assemblies | Where-Object Context -EQ 'K3sNet.Dependencies')
        $InDefault = @($Report.Assemblies | Where-Object Context -EQ 'Default')
    }

    It 'parses the kubeconfig and calls the API server with its token through KubernetesClient' {
        $Report.Runs | Should -HaveCount $Runs
        $Report.Runs.ServerVersion | Should -Be (@('v1.31.5+k3s1') * $Runs)
        $Report.KubeAuthorizations | Should -Be (@('Bearer k3snet-isolation-token') * $Runs)
    }

    It 'signs DescribeVpcs with SigV4 for ec2 in the region through AWSSDK.EC2, and reads the answer' {
        $Report.Ec2Actions | Should -Be (@('DescribeVpcs') * $Runs)
        foreach ($scope in $Report.Ec2CredentialScopes) {
            $scope | Should -Match '^AKIDK3SNETISOLATION/\d{8}/us-east-1/ec2/aws4_request$'
        }
        $Report.Ec2SignedHeaders | Should -HaveCount $Runs
        $Report.Runs[0].VpcIds | Should -Be @('vpc-0k3snet')
        $Report.Runs[0].VpcCidrs | Should -Be @('10.0.0.0/16', '10.1.0.0/16')
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
