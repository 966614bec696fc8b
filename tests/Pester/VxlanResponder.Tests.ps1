# Start-K3sVxlanResponder against the built module on loopback: its docs examples, Ctrl+C, a port that is taken, bad
# input, and the verbose story of what it dropped. No root needed: any user may listen on a UDP port.
BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $DocsExamples = @(Get-DocsExampleCase -DocsPath (Join-Path $PSScriptRoot '../../docs') -Name 'Start-K3sVxlanResponder')
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'DocsPages.psm1') -Force
    $ModulePath = Get-BuiltModulePath
    Import-Module (Join-Path $ModulePath 'K3sNet.psd1') -Force
    # Example 2 starts Test-K3sVxlan in a thread job, which finds K3sNet the way a user's session does: on PSModulePath.
    $SavedModulePath = $env:PSModulePath
    $env:PSModulePath = (Split-Path -Parent $ModulePath) + [IO.Path]::PathSeparator + $env:PSModulePath

    function Start-ResponderAsync([hashtable] $Parameters) {
        # A pipeline of its own, so a test can stop it as Ctrl+C does.
        $shell = [powershell]::Create()
        $null = $shell.AddCommand((Get-Command Start-K3sVxlanResponder)).AddParameters($Parameters)
        $output = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $noInput = [System.Management.Automation.PSDataCollection[psobject]]::new()
        $noInput.Complete()
        $handle = $shell.BeginInvoke($noInput, $output)
        [pscustomobject]@{ Shell = $shell; Handle = $handle; Output = $output }
    }

    function Get-FreeUdpPort {
        # A port the kernel says is free now: fixed ports collide when two runs of this file share a machine.
        $socket = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
        try { $socket.Client.LocalEndPoint.Port } finally { $socket.Dispose() }
    }

    function Wait-Listening([int] $Port, $Responder) {
        # Bound once a second socket on the same port is refused; counts decide, the deadline only reports a hang.
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ($true) {
            $probe = [Net.Sockets.UdpClient]::new()
            try { $probe.Client.Bind([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, $Port)) }
            catch { return }
            finally { $probe.Dispose() }
            if ($Responder.Handle.IsCompleted -or [DateTime]::UtcNow -gt $deadline) { throw "The responder never listened on $Port." }
            Start-Sleep -Milliseconds 50
        }
    }
}

AfterAll {
    $env:PSModulePath = $SavedModulePath
}

Describe 'Start-K3sVxlanResponder docs examples' {
    It 'runs "<Title>" as documented' -ForEach $DocsExamples {
        Assert-DocsExample -Code $Code -Output $Output
    }
}

Describe 'Start-K3sVxlanResponder' {
    It 'stops at once on Ctrl+C, without an error' {
        $port = Get-FreeUdpPort
        $responder = Start-ResponderAsync @{ Port = $port; BindAddress = [Net.IPAddress]::Loopback }
        Wait-Listening $port $responder
        $responder.Shell.Stop()
        $responder.Shell.InvocationStateInfo.State | Should -Be 'Stopped'
        $responder.Shell.Streams.Error | Should -BeNullOrEmpty
        $responder.Shell.Dispose()
    }

    It 'says which port is taken and what to do, with ResponderPortInUse' {
        $taken = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
        try {
            $port = $taken.Client.LocalEndPoint.Port
            $failure = { Start-K3sVxlanResponder -Port $port -BindAddress 127.0.0.1 -Duration 00:00:01 } | Should -Throw -PassThru
            $failure.FullyQualifiedErrorId | Should -Be 'ResponderPortInUse,K3sNet.Commands.StartK3sVxlanResponderCommand'
            $failure.CategoryInfo.Category | Should -Be 'ResourceUnavailable'
            $failure.Exception.Message | Should -Be "UDP 127.0.0.1:$port is already in use: flannel.1 owns UDP $port once k3s runs, or another responder is listening."
            $failure.ErrorDetails.RecommendedAction | Should -Match 'Test-K3sVxlan without -Probe'
        }
        finally { $taken.Dispose() }
    }

    It 'shows the duration in whole seconds, rounded, and with days past 24 hours' {
        # A -Duration timer may fire a tick before the stopwatch reaches it: 1.9996 s is a 2-second run.
        $view = { param($Duration) [K3sNet.VxlanResponderSummary]@{ Port = 18472; Vni = 1; Duration = $Duration } | Out-String -Width 120 }
        & $view ([TimeSpan]::FromSeconds(1.9996)) | Should -Match '18472\s+1\s+00:00:02\s'
        & $view ([TimeSpan]::FromHours(25.5)) | Should -Match '18472\s+1\s+1\.01:30:00\s'
    }

    It 'refuses a duration that is not positive, with InvalidResponderDuration' {
        $failure = { Start-K3sVxlanResponder -Port 18474 -Duration 00:00:00 } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'InvalidResponderDuration,K3sNet.Commands.StartK3sVxlanResponderCommand'
        $failure.CategoryInfo.Category | Should -Be 'InvalidArgument'
    }

    It 'reads a number given to -Duration as seconds, not as ticks' {
        $port = Get-FreeUdpPort
        $summary = Start-K3sVxlanResponder -Port $port -BindAddress 127.0.0.1 -Duration 1 -Verbose 4>&1
        $verbose = @($summary | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
        $verbose[0].Message | Should -Be "Answering K3sNet VXLAN probes (VNI 1) on UDP 127.0.0.1:$port for 00:00:01."
        @($summary | Where-Object { $_ -is [K3sNet.VxlanResponderSummary] }) | Should -HaveCount 1

        # The same reading decides what is refused: -5 is five seconds before zero, 5000000 seconds is past 49 days.
        $failure = { Start-K3sVxlanResponder -Port $port -Duration -5 } | Should -Throw -PassThru
        $failure.Exception.Message | Should -Be '-Duration must be longer than zero; got -00:00:05.'
        $failure = { Start-K3sVxlanResponder -Port $port -Duration 5000000 } | Should -Throw -PassThru
        $failure.Exception.Message | Should -Be '-Duration can be at most 49.17:02:47; got 57.20:53:20.'
    }

    It 'refuses a duration longer than its timer can count, with InvalidResponderDuration' {
        $failure = { Start-K3sVxlanResponder -Port 18474 -Duration 60.00:00:00 } | Should -Throw -PassThru
        $failure.FullyQualifiedErrorId | Should -Be 'InvalidResponderDuration,K3sNet.Commands.StartK3sVxlanResponderCommand'
        $failure.Exception.Message | Should -Be '-Duration can be at most 49.17:02:47; got 60.00:00:00.'
    }

    It 'answers a probe, ignores a stray datagram, and tells the dropped one''s reason with -Verbose' {
        $port = Get-FreeUdpPort
        $responder = Start-ResponderAsync @{ Port = $port; BindAddress = [Net.IPAddress]::Loopback; Duration = [TimeSpan]::FromSeconds(4); Verbose = $true }
        Wait-Listening $port $responder
        $client = [Net.Sockets.UdpClient]::new()
        try {
            $null = $client.Send([Text.Encoding]::ASCII.GetBytes('hello'), 5, '127.0.0.1', $port)
            $results = @(Test-K3sVxlan -ComputerName 127.0.0.1 -Probe -Port $port -TimeoutSeconds 2)
        }
        finally { $client.Dispose() }
        $responder.Shell.EndInvoke($responder.Handle)
        $summary = @($responder.Output)
        $verbose = @($responder.Shell.Streams.Verbose.Message)
        $responder.Shell.Dispose()

        $results[0].Verdict | Should -Be 'Healthy' -Because $results[0].Reason
        $summary | Should -HaveCount 1
        $summary[0].Answered | Should -Be 4
        $summary[0].Dropped | Should -Be 1
        $summary[0].DroppedByReason['NotVxlan'] | Should -Be 1
        $verbose | Should -Contain 'Dropped 1 datagram(s): NotVxlan.'
        $verbose[0] | Should -Be "Answering K3sNet VXLAN probes (VNI 1) on UDP 127.0.0.1:$port for 00:00:04."
    }
}
