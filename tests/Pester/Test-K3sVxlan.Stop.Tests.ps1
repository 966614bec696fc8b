# Ctrl+C stops Test-K3sVxlan at once, even while its probes wait out a long timeout. Probe mode against a loopback UDP
# port that never answers keeps a probe in flight without root or a lab; stopping the pipeline is what Ctrl+C does.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    $ModulePath = Get-BuiltModulePath
}

Describe 'Test-K3sVxlan and Ctrl+C' {
    It 'stops while a probe waits for its answer: the pipeline ends Stopped, without an error' {
        # A black hole on loopback: it receives the probes and never answers them.
        $blackHole = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Loopback, 0))
        $shell = [powershell]::Create()
        try {
            $port = $blackHole.Client.LocalEndPoint.Port
            $null = $shell.AddScript("Import-Module '$ModulePath/K3sNet.psd1'; Test-K3sVxlan -ComputerName 127.0.0.1 -Probe -Port $port -TimeoutSeconds 60")
            $running = $shell.BeginInvoke()

            # Wait until a probe is in flight (polls, bounded so a broken run fails instead of hanging).
            for ($poll = 0; $poll -lt 1500 -and $blackHole.Available -eq 0 -and -not $running.IsCompleted; $poll++) {
                Start-Sleep -Milliseconds 20
            }
            $blackHole.Available | Should -BeGreaterThan 0 -Because 'a probe must be waiting for its answer when Ctrl+C comes'

            # The probes would wait 60 s; the guard is half of that and only turns a hang into a failure.
            $stopping = $shell.BeginStop($null, $null)
            $stopping.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds(30)) | Should -BeTrue -Because 'stopping must not wait for the probe timeout'
            $shell.InvocationStateInfo.State | Should -Be 'Stopped'
            $shell.Streams.Error.Count | Should -Be 0
        }
        finally {
            $shell.Dispose()
            $blackHole.Dispose()
        }
    }
}
