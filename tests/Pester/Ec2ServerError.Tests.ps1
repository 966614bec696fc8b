# An EC2 endpoint that fails with a bare HTTP 500 (no error XML), as a failing service or a proxy in front of it
# answers. AWSSDK.EC2 then says only "The service returned an error. See inner exception for details."; the ErrorRecord
# must name the status, the action, and what to do. The endpoint is an HttpListener on loopback in a thread job.
Describe 'An EC2 endpoint that answers 500 with no body' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
        Import-Module (Join-Path (Get-BuiltModulePath) 'K3sNet.psd1') -Force

        $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
        $listener.Start()
        $Prefix = "http://127.0.0.1:$($listener.LocalEndpoint.Port)/"
        $listener.Stop()
        # Started here and closed in AfterAll: closing it ends the job's blocking GetContext, which Stop-Job cannot.
        $Http = [Net.HttpListener]::new()
        $Http.Prefixes.Add($Prefix)
        $Http.Start()
        $Failing = Start-ThreadJob -ArgumentList $Http -ScriptBlock {
            param($Http)
            try {
                while ($Http.IsListening) {
                    $context = $Http.GetContext()
                    $context.Response.StatusCode = 500
                    $context.Response.Close()
                }
            }
            catch [System.Net.HttpListenerException], [System.ObjectDisposedException], [System.InvalidOperationException] {
                # Closed by AfterAll.
            }
        }
        # Ready when it answers (bounded, so a broken start fails instead of hanging).
        for ($poll = 0; $poll -lt 500; $poll++) {
            try { $null = Invoke-WebRequest $Prefix -SkipHttpErrorCheck -TimeoutSec 2; break } catch { Start-Sleep -Milliseconds 20 }
        }
    }

    AfterAll {
        $Http.Close()
        $null = Wait-Job $Failing -Timeout 30
        Remove-Job $Failing -Force
    }

    It 'Test-K3sSecurityGroup: Ec2ServiceError names the status and the action, says what to do, and no "inner exception"' {
        $record = try {
            Test-K3sSecurityGroup -InstanceId i-00000000000000000, i-00000000000000001 -Region us-east-1 -AccessKey AKIDEXAMPLE -SecretKey test-secret -EndpointUrl $Prefix
            $null
        }
        catch { $_ }

        $record.FullyQualifiedErrorId | Should -Be 'Ec2ServiceError,K3sNet.Commands.TestK3sSecurityGroupCommand'
        $record.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        $record.TargetObject | Should -Be 'DescribeInstances'
        $record.Exception.Message | Should -Match 'HTTP 500 \(InternalServerError\) to DescribeInstances with no error body'
        $record.Exception.Message | Should -Not -Match 'inner exception'
        $record.ErrorDetails.RecommendedAction | Should -Match '-EndpointUrl'
        $record.ErrorDetails.RecommendedAction | Should -Match 'again'
    }
}
