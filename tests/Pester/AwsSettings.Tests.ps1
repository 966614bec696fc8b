# How the AWS cmdlets find credentials and region, how long they wait on EC2, and how they stop: through the built
# module and the real AWSSDK.EC2 client, against the EC2 emulator, which verifies SigV4 as EC2 does. Nothing here
# reaches instance metadata (AWS_EC2_METADATA_DISABLED=true) or any address but loopback.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $ModulePath = Get-BuiltModulePath
    Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force

    $Emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 2 -VxlanOpen)
    $Ids = 'i-00000000000000000', 'i-00000000000000001'
    $Aws = @{ Region = 'us-east-1'; AccessKey = 'AKIDEXAMPLE'; SecretKey = 'test-secret'; EndpointUrl = $Emulator.Url }

    # Every variable the credential and region chains read, emptied for one test and restored after it.
    $ChainVariables = 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_REGION', 'AWS_DEFAULT_REGION', 'AWS_PROFILE',
        'AWS_SHARED_CREDENTIALS_FILE', 'AWS_CONFIG_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE', 'AWS_ENDPOINT_URL_EC2', 'AWS_ENDPOINT_URL',
        'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI', 'AWS_CONTAINER_CREDENTIALS_FULL_URI', 'AWS_EC2_METADATA_DISABLED'
    function Use-EmptyAwsEnvironment {
        $script:SavedEnvironment = @{}
        foreach ($name in $ChainVariables) { $script:SavedEnvironment[$name] = [Environment]::GetEnvironmentVariable($name) }
        foreach ($name in $ChainVariables) { [Environment]::SetEnvironmentVariable($name, $null) }
        $script:EmptyFolder = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "k3snet-aws-$([guid]::NewGuid().ToString('n'))")).FullName
        Set-Content -LiteralPath (Join-Path $script:EmptyFolder 'credentials') -Value ''
        Set-Content -LiteralPath (Join-Path $script:EmptyFolder 'config') -Value ''
        $env:AWS_SHARED_CREDENTIALS_FILE = Join-Path $script:EmptyFolder 'credentials'
        $env:AWS_CONFIG_FILE = Join-Path $script:EmptyFolder 'config'
        $env:AWS_EC2_METADATA_DISABLED = 'true'
    }
    function Restore-AwsEnvironment {
        foreach ($name in $ChainVariables) { [Environment]::SetEnvironmentVariable($name, $script:SavedEnvironment[$name]) }
        Remove-Item -LiteralPath $script:EmptyFolder -Recurse -Force -ErrorAction Ignore
    }
}

AfterAll {
    Stop-Ec2Emulator $Emulator
}

Describe 'Credentials and region' {
    BeforeEach { Use-EmptyAwsEnvironment; Reset-Ec2EmulatorCallCount $Emulator }
    AfterEach { Restore-AwsEnvironment }

    It 'stops with IncompleteCredentials for -AccessKey without -SecretKey, before any call, and never falls back' {
        $env:AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
        $env:AWS_SECRET_ACCESS_KEY = 'test-secret'
        $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -AccessKey AKIDEXAMPLE -Region us-east-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'IncompleteCredentials,*'
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $thrown.Exception.Message | Should -Match '-AccessKey was given without -SecretKey'
        $thrown.ErrorDetails.RecommendedAction | Should -Match '-SecretKey'
        (Get-Ec2EmulatorCallCount $Emulator).Count | Should -Be 0 -Because 'the environment''s keys must not be used instead'
    }

    It 'stops with NoCredentials that lists where it looked, not the SDK''s four-part exception' {
        $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -Region us-east-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'NoCredentials,*'
        $thrown.CategoryInfo.Category | Should -Be 'AuthenticationError'
        $thrown.Exception.Message | Should -Match 'AWS_ACCESS_KEY_ID'
        $thrown.Exception.Message | Should -Match 'instance metadata \(turned off by AWS_EC2_METADATA_DISABLED=true\)'
        ($thrown | Format-List * -Force | Out-String) | Should -Not -Match 'Exception 1 of'
    }

    It 'takes the keys and AWS_REGION from the environment when no parameter names them' {
        $env:AWS_ACCESS_KEY_ID = 'AKIDEXAMPLE'
        $env:AWS_SECRET_ACCESS_KEY = 'test-secret'
        $env:AWS_REGION = 'us-east-1'
        Test-K3sSecurityGroup -InstanceId $Ids -EndpointUrl $Emulator.Url | Should -HaveCount 6
        Get-Ec2EmulatorCredentialScope $Emulator | Should -Match '^AKIDEXAMPLE/\d{8}/us-east-1/ec2/aws4_request$'
    }

    It 'asks for -Region when -EndpointUrl names no region, instead of signing for us-east-1' {
        $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -AccessKey AKIDEXAMPLE -SecretKey test-secret -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'NoRegion,*'
        $thrown.Exception.Message | Should -Match ([regex]::Escape($Emulator.Url))
        $thrown.ErrorDetails.RecommendedAction | Should -Match '-Region'
        (Get-Ec2EmulatorCallCount $Emulator).Count | Should -Be 0
    }

    It 'is refused by the endpoint when it signs for another region than the endpoint serves (Ec2AuthFailure)' {
        $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -AccessKey AKIDEXAMPLE -SecretKey test-secret -Region eu-west-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'Ec2AuthFailure,*'
        $thrown.Exception.Message | Should -Match "Credential should be scoped to a valid region, not 'eu-west-1'"
    }

    It 'is refused with a wrong secret key, and never shows it' {
        $thrown = { Test-K3sSecurityGroup -InstanceId $Ids -AccessKey AKIDEXAMPLE -SecretKey 'wrong-do-not-print' -Region us-east-1 -EndpointUrl $Emulator.Url } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike 'Ec2AuthFailure,*'
        $thrown.Exception.Message | Should -Match 'SignatureDoesNotMatch'
        ($thrown | Format-List * -Force | Out-String) | Should -Not -Match 'wrong-do-not-print'
    }
}

Describe 'Paging' {
    It 'reads every page when EC2 answers with short and empty pages' {
        $paged = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 7 -Groups 3) -PageLimit 2 -EmptyFirstPage
        try {
            $ids = 0..6 | ForEach-Object { 'i-{0:x17}' -f $_ }
            $verdicts = Test-K3sSecurityGroup -InstanceId $ids @Aws -EndpointUrl $paged.Url
            $verdicts | Should -HaveCount (7 * 6 * 3) -Because 'three rules for each of 42 ordered pairs: no instance or group may be lost'
            $calls = Get-Ec2EmulatorCallCount $paged
            $calls.DescribeInstances | Should -Be (1 + 4) -Because 'an empty first page, then pages of two'
            $calls.DescribeSecurityGroups | Should -Be (1 + 2)
        }
        finally {
            Stop-Ec2Emulator $paged
        }
    }
}

Describe '-TimeoutSeconds and a hung endpoint' {
    BeforeEach { Reset-Ec2EmulatorCallCount $Emulator }
    AfterEach { Set-Ec2EmulatorHang $Emulator -Stop }

    It '<Name> ends in Ec2Timeout naming the endpoint and the timeout, after the SDK''s three attempts' -ForEach @(
        @{ Name = 'Test-K3sSecurityGroup'; Action = 'DescribeInstances'; Run = { Test-K3sSecurityGroup -InstanceId $Ids @Aws -TimeoutSeconds 1 } }
        @{ Name = 'Grant-K3sNodeTraffic'; Action = 'DescribeSecurityGroups'; Run = { Grant-K3sNodeTraffic -GroupId sg-00000000000000000 -Protocol Tcp -FromPort 5001 -SourceGroupId sg-00000000000000000 @Aws -TimeoutSeconds 1 } }
        @{ Name = 'Revoke-K3sNodeTraffic'; Action = 'DescribeSecurityGroupRules'; Run = { Revoke-K3sNodeTraffic -GroupId sg-00000000000000000 -Protocol Tcp -FromPort 5001 @Aws -TimeoutSeconds 1 -Confirm:$false } }
    ) {
        Set-Ec2EmulatorHang $Emulator -Action $Action
        $thrown = $Run | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -BeLike "Ec2Timeout,*"
        $thrown.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $thrown.Exception.Message | Should -Match ([regex]::Escape($Emulator.Url))
        $thrown.Exception.Message | Should -Match 'within 1 s, in each of 3 attempts'
        Get-Ec2EmulatorAttemptCount $Emulator -Action $Action | Should -Be 3 -Because 'the SDK''s standard mode retries a timed-out attempt twice'
    }

    It 'stops at once on Ctrl+C while a request hangs: the pipeline ends Stopped and the request is cancelled in flight' {
        Set-Ec2EmulatorHang $Emulator
        $before = Get-Ec2EmulatorAbortedCount $Emulator
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$ModulePath/K3sNet.psd1'; Test-K3sSecurityGroup -InstanceId $($Ids -join ',') -Region us-east-1 -AccessKey AKIDEXAMPLE -SecretKey test-secret -EndpointUrl '$($Emulator.Url)' -TimeoutSeconds 600")
            $running = $shell.BeginInvoke()
            # Wait until the request is in flight (polls, bounded so a broken run fails instead of hanging).
            for ($poll = 0; $poll -lt 1500 -and -not (Get-Ec2EmulatorCallCount $Emulator)['DescribeInstances'] -and -not $running.IsCompleted; $poll++) {
                Start-Sleep -Milliseconds 20
            }
            (Get-Ec2EmulatorCallCount $Emulator)['DescribeInstances'] | Should -BeGreaterThan 0 -Because 'a request must be hanging when Ctrl+C comes'

            # The request would wait 600 s; the guard only turns a hang into a failure.
            $stopping = $shell.BeginStop($null, $null)
            $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'stopping must not wait for the timeout'
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $shell.Streams.Error.Count | Should -Be 0
            for ($poll = 0; $poll -lt 500 -and (Get-Ec2EmulatorAbortedCount $Emulator) -eq $before; $poll++) { Start-Sleep -Milliseconds 20 }
            (Get-Ec2EmulatorAbortedCount $Emulator) - $before | Should -BeGreaterThan 0 -Because 'the request in flight is cancelled, not left to run'
            Get-Ec2EmulatorAttemptCount $Emulator -Action DescribeInstances | Should -Be 1 -Because 'nothing is retried after Ctrl+C'
        }
        finally {
            $shell.Dispose()
        }
    }
}

Describe 'On EC2, with nothing configured' {
    It 'signs with the instance role and region from instance metadata (a loopback IMDSv2 stand-in)' {
        $imds = [Net.HttpListener]::new()
        $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0); $probe.Start(); $port = $probe.LocalEndpoint.Port; $probe.Stop()
        $imds.Prefixes.Add("http://127.0.0.1:$port/")
        $imds.Start()
        # Answers as instance metadata does (IMDSv2: a token first): the role, its temporary keys, the instance's region.
        $job = Start-ThreadJob -ArgumentList $imds -ScriptBlock {
            param($Listener)
            while ($Listener.IsListening) {
                try { $context = $Listener.GetContext() } catch { break }
                $path = $context.Request.Url.AbsolutePath
                $body = switch -Regex ($path) {
                    '/latest/api/token$' { 'imds-token' }
                    '/security-credentials(-extended)?/?$' { 'k3snet-runbook' }
                    '/security-credentials(-extended)?/k3snet-runbook$' {
                        ConvertTo-Json @{ Code = 'Success'; Type = 'AWS-HMAC'; AccessKeyId = 'ASIAINSTANCE'; SecretAccessKey = 'instance-secret'
                            Token = 'instance-token'; Expiration = [DateTime]::UtcNow.AddHours(6).ToString('yyyy-MM-ddTHH:mm:ssZ'); LastUpdated = [DateTime]::UtcNow.ToString('yyyy-MM-ddTHH:mm:ssZ') }
                    }
                    '/placement/region$' { 'eu-west-3' }
                    '/instance-identity/document$' { ConvertTo-Json @{ region = 'eu-west-3'; instanceId = 'i-0runbook'; availabilityZone = 'eu-west-3a' } }
                    default { $null }
                }
                if ($null -eq $body) { $context.Response.StatusCode = 404; $body = '' }
                $bytes = [Text.Encoding]::UTF8.GetBytes($body)
                $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
                $context.Response.Close()
            }
        }
        $emulator = Start-Ec2Emulator -State (New-Ec2ClusterState -Nodes 2 -VxlanOpen) -Region eu-west-3 -AccessKey @{ ASIAINSTANCE = 'instance-secret=instance-token' }
        $folder = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "k3snet-imds-$([guid]::NewGuid().ToString('n'))")).FullName
        try {
            Set-Content -LiteralPath (Join-Path $folder 'credentials') -Value ''
            $environment = @{
                AWS_EC2_METADATA_DISABLED = 'false'; AWS_EC2_METADATA_SERVICE_ENDPOINT = "http://127.0.0.1:$port"
                AWS_SHARED_CREDENTIALS_FILE = Join-Path $folder 'credentials'; AWS_CONFIG_FILE = Join-Path $folder 'credentials'
                AWS_ACCESS_KEY_ID = ''; AWS_SECRET_ACCESS_KEY = ''; AWS_REGION = ''; AWS_DEFAULT_REGION = ''; AWS_PROFILE = ''
            }
            $count = Invoke-FreshPwsh -Environment $environment -Parameters @{ Module = "$ModulePath/K3sNet.psd1"; Url = $emulator.Url } -ScriptBlock {
                param($Module, $Url)
                Import-Module $Module
                @(Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 -EndpointUrl $Url).Count
            }
            $count | Should -Be 6
            Get-Ec2EmulatorCredentialScope $emulator | Should -Match '^ASIAINSTANCE/\d{8}/eu-west-3/ec2/aws4_request$'
        }
        finally {
            Stop-Ec2Emulator $emulator
            $imds.Stop()
            $job | Remove-Job -Force
            Remove-Item -LiteralPath $folder -Recurse -Force -ErrorAction Ignore
        }
    }
}
