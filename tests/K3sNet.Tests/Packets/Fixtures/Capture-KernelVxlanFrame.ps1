#Requires -Version 7.4
<#
.SYNOPSIS
Captures VXLAN frames the Linux kernel encapsulates, as the fixtures the codec tests check against.

.DESCRIPTION
Needs root, iproute2 and ethtool. Creates two throwaway network namespaces joined by a veth pair (names start with k3snet-cap-<pid>-):
- "sender" gets a flannel-style flannel.1 (VNI 1, UDP 8472, nolearning, fixed VtepMACs) whose neighbour, fdb and route
  entries point at the receiver's underlay address, exactly as flannel programs a peer;
- "receiver" has no VXLAN device: a raw IPv4 socket records the whole outer packet (IPv4 + UDP + VXLAN + inner frame).
The sender then pings the peer's VTEP address (10.42.2.0) and sends it one UDP datagram, so the kernel, not K3sNet,
builds both frames. Each is written as hex (one outer IPv4 packet per file) beside this script. The namespaces are
deleted in a finally, whatever happens; traffic never leaves them.

.EXAMPLE
sudo dotnet pwsh tests/K3sNet.Tests/Packets/Fixtures/Capture-KernelVxlanFrame.ps1
#>
[CmdletBinding()]
param(
    [string] $OutputDirectory = $PSScriptRoot
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

if ((id -u) -ne '0') {
    throw 'Capturing kernel VXLAN frames needs root (network namespaces, a raw socket).'
}
foreach ($tool in 'ip', 'bridge', 'ethtool') {
    if (-not (Get-Command $tool -CommandType Application -ErrorAction Ignore)) {
        throw "Capturing kernel VXLAN frames needs '$tool' (Debian: apt-get install iproute2 ethtool)."
    }
}

$prefix = "k3snet-cap-$PID"
$sender = "$prefix-a"
$receiver = "$prefix-b"
Import-Module (Join-Path $PSScriptRoot '../../../../tools/PwshProcess.psm1') -Force
$pwsh = @(Get-PwshCommandLine) + @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text')

function Invoke-Ip([string] $Namespace, [string[]] $Arguments) {
    $output = if ($Namespace) { & ip -n $Namespace @Arguments 2>&1 } else { & ip @Arguments 2>&1 }
    if ($LASTEXITCODE -ne 0) {
        throw "ip $(if ($Namespace) { "-n $Namespace " })$($Arguments -join ' ') failed: $output"
    }
}

function Invoke-InNamespace([string] $Namespace, [string] $Script) {
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($Script))
    $output = & ip netns exec $Namespace @pwsh -EncodedCommand $encoded 2>&1
    if ($LASTEXITCODE -ne 0) {
        throw "In ${Namespace}: $output"
    }
    $output
}

# Listens in the receiver for outer packets to UDP 8472 and writes each as hex, until it has $count of them.
$listen = {
    param([string] $Path, [int] $Count, [string] $ReadyPath)
    $socket = [Net.Sockets.Socket]::new([Net.Sockets.AddressFamily]::InterNetwork, [Net.Sockets.SocketType]::Raw, [Net.Sockets.ProtocolType]::Udp)
    $socket.Bind([Net.IPEndPoint]::new([Net.IPAddress]::Any, 0))
    $socket.ReceiveTimeout = 10000
    Set-Content -LiteralPath $ReadyPath -Value 'ready'
    $buffer = [byte[]]::new(65535)
    $captured = 0
    while ($captured -lt $Count) {
        $length = $socket.Receive($buffer)
        $headerLength = ($buffer[0] -band 0x0F) * 4
        $destinationPort = $buffer[$headerLength + 2] * 256 + $buffer[$headerLength + 3]
        if ($destinationPort -ne 8472) { continue }
        $captured++
        [Convert]::ToHexString($buffer, 0, $length) | Set-Content -LiteralPath "$Path.$captured"
    }
}

$captureBase = Join-Path ([IO.Path]::GetTempPath()) "$prefix-frame"
$readyPath = Join-Path ([IO.Path]::GetTempPath()) "$prefix-ready"
$listener = $null
try {
    Invoke-Ip $null @('netns', 'add', $sender)
    Invoke-Ip $null @('netns', 'add', $receiver)
    Invoke-Ip $sender @('link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', $receiver)
    Invoke-Ip $sender @('link', 'set', 'eth0', 'address', '02:00:0a:00:01:0b')
    Invoke-Ip $receiver @('link', 'set', 'eth0', 'address', '02:00:0a:00:01:0c')
    Invoke-Ip $sender @('addr', 'add', '10.0.1.11/24', 'dev', 'eth0')
    Invoke-Ip $receiver @('addr', 'add', '10.0.1.12/24', 'dev', 'eth0')
    foreach ($namespace in $sender, $receiver) {
        Invoke-Ip $namespace @('link', 'set', 'lo', 'up')
        Invoke-Ip $namespace @('link', 'set', 'eth0', 'up')
    }

    # flannel.1 as flannel creates it, and the three entries flannel programs for the peer (reference §2).
    Invoke-Ip $sender @('link', 'add', 'flannel.1', 'address', '0a:58:0a:2a:01:00', 'type', 'vxlan', 'id', '1', 'dstport', '8472', 'local', '10.0.1.11', 'dev', 'eth0', 'nolearning')
    Invoke-Ip $sender @('link', 'set', 'flannel.1', 'mtu', '1450', 'up')
    Invoke-Ip $sender @('addr', 'add', '10.42.1.0/32', 'dev', 'flannel.1')
    Invoke-Ip $sender @('neigh', 'add', '10.42.2.0', 'lladdr', '0a:58:0a:2a:02:00', 'dev', 'flannel.1', 'nud', 'permanent')
    $fdb = & bridge -n $sender fdb append '0a:58:0a:2a:02:00' dst 10.0.1.12 dev flannel.1 self permanent 2>&1
    if ($LASTEXITCODE -ne 0) { throw "bridge fdb append failed: $fdb" }
    Invoke-Ip $sender @('route', 'add', '10.42.2.0/24', 'via', '10.42.2.0', 'dev', 'flannel.1', 'onlink')

    # Between namespaces, veth hands over packets whose UDP checksums the kernel left for a NIC to fill in (checksum
    # offload), so the receiver would see partial sums no wire ever carries. Computing them in software, as flannel's
    # own offload remedy does on flannel.1, gives the bytes a real NIC puts on the wire.
    foreach ($device in 'eth0', 'flannel.1') {
        $offload = & ip netns exec $sender ethtool -K $device tx off 2>&1
        if ($LASTEXITCODE -ne 0) { throw "ethtool -K $device tx off failed: $offload" }
    }

    $listenScript = "& { $listen } -Path '$captureBase' -Count 2 -ReadyPath '$readyPath'"
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($listenScript))
    $listener = Start-Process -FilePath ip -ArgumentList (@('netns', 'exec', $receiver) + $pwsh + @('-EncodedCommand', $encoded)) -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while (-not (Test-Path -LiteralPath $readyPath)) {
        if ([DateTime]::UtcNow -gt $deadline -or $listener.HasExited) { throw 'The receiver did not start listening.' }
        Start-Sleep -Milliseconds 100
    }

    # The kernel encapsulates both: an ICMP echo to the peer's VTEP address, then a UDP datagram to it.
    Invoke-InNamespace $sender @'
$payload = [Text.Encoding]::ASCII.GetBytes('K3sNet kernel VXLAN capture: ICMP echo')
$null = [Net.NetworkInformation.Ping]::new().Send('10.42.2.0', 200, $payload)
Start-Sleep -Milliseconds 200
$udp = [Net.Sockets.UdpClient]::new([Net.IPEndPoint]::new([Net.IPAddress]::Parse('10.42.1.0'), 40000))
$bytes = [Text.Encoding]::ASCII.GetBytes('K3sNet kernel VXLAN capture: UDP datagram')
$null = $udp.Send($bytes, $bytes.Length, '10.42.2.0', 9000)
$udp.Dispose()
'@ | Out-Null

    if (-not $listener.WaitForExit(15000)) { throw 'The receiver did not capture two VXLAN packets.' }
    Copy-Item -LiteralPath "$captureBase.1" -Destination (Join-Path $OutputDirectory 'kernel-vxlan-icmp-echo.hex')
    Copy-Item -LiteralPath "$captureBase.2" -Destination (Join-Path $OutputDirectory 'kernel-vxlan-udp.hex')
    Write-Host "Captured kernel-vxlan-icmp-echo.hex and kernel-vxlan-udp.hex in $OutputDirectory (kernel $(uname -r))."
}
finally {
    if ($listener -and -not $listener.HasExited) { $listener.Kill() }
    foreach ($namespace in $sender, $receiver) {
        if ((ip netns list) -match "^$([regex]::Escape($namespace))(\s|$)") { & ip netns delete $namespace }
    }
    Remove-Item -LiteralPath $readyPath, "$captureBase.1", "$captureBase.2" -ErrorAction Ignore
}
