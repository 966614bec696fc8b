# What every K3sNet Pester test needs: where the built module is, and a way to run code in a fresh pwsh.
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../../tools/PwshProcess.psm1') -Force

$script:RepositoryRoot = (Resolve-Path -LiteralPath (Join-Path $PSScriptRoot '../..')).ProviderPath

function Get-RepositoryRoot {
    $script:RepositoryRoot
}

function Get-BuiltModulePath {
    <# The built module folder: $env:K3SNET_MODULE_PATH (set by Invoke-PesterSuite.ps1), else out/K3sNet. #>
    $path = if ($env:K3SNET_MODULE_PATH) { $env:K3SNET_MODULE_PATH } else { Join-Path $script:RepositoryRoot 'out/K3sNet' }
    if (-not (Test-Path -LiteralPath (Join-Path $path 'K3sNet.psd1'))) {
        throw "No built module at '$path': run 'dotnet pwsh ./build.ps1 Build' first."
    }
    return $path
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
    Runs a script block in a new pwsh and returns the object it writes last, round-tripped through JSON.
    .DESCRIPTION
    The script block gets -ArgumentList as its parameters. Anything it writes to the host or the error stream comes
    back in the exception text when it fails, so a failing test shows why.
    #>
    param(
        [Parameter(Mandatory)]
        [scriptblock] $ScriptBlock,

        [hashtable] $Parameters = @{},

        [hashtable] $Environment = @{}
    )

    $json = ConvertTo-Json -InputObject $Parameters -Depth 5 -Compress
    $encodedParameters = [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes($json))
    $command = @"
`$ErrorActionPreference = 'Stop'
`$parameters = [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('$encodedParameters')) | ConvertFrom-Json -AsHashtable
`$result = & { $ScriptBlock } @parameters
'<<K3SNET-RESULT>>' + (ConvertTo-Json -InputObject `$result -Depth 8 -Compress)
"@
    $output = Invoke-PwshProcess -Command $command -Environment $Environment 2>&1 | ForEach-Object { "$_" }
    $marker = $output | Where-Object { $_.StartsWith('<<K3SNET-RESULT>>') } | Select-Object -Last 1
    if ($LASTEXITCODE -ne 0 -or -not $marker) {
        throw "The child pwsh failed (exit code $LASTEXITCODE):`n$($output -join "`n")"
    }
    return $marker.Substring('<<K3SNET-RESULT>>'.Length) | ConvertFrom-Json
}

function Start-KubeApiEmulator {
    <#
    .SYNOPSIS
    Starts the Kubernetes API emulator (tests/Emulators/KubeApi) in a child process and returns where it is.
    .DESCRIPTION
    The emulator serves HTTPS as k3s does and writes a kubeconfig for itself shaped as k3s.yaml (its URL, its CA, the
    admin's EC client certificate and key, -Context), and a second one whose user carries -Token instead
    (TokenKubeconfig); it prints one JSON ready line, which this reads. It exits with this process (--parent-pid) if
    Stop-KubeApiEmulator never runs. The result has Url, AlsoUrls, Kubeconfig, TokenKubeconfig, Context, Token and
    Process. -AlsoListen adds addresses it answers on that its certificate does not name (a node's public IP, say);
    -TlsSan adds names to its certificate, as k3s's --tls-san. Built by 'dotnet build K3sNet.sln' (build.ps1 Build).
    By default it listens on a free loopback port. -NetworkNamespace starts it with 'ip netns exec' inside a lab node's
    namespace, where -ListenAddress and -Port put it where a k3s server's API is (the node's address, 6443); 'ip netns
    exec' execs the emulator, so Process is the emulator itself and Stop-KubeApiEmulator ends it.
    #>
    param(
        [string] $NodesPath = (Join-Path $script:RepositoryRoot 'tests/Emulators/KubeApi/Fixtures/nodes.json'),
        [string] $PodsPath = (Join-Path $script:RepositoryRoot 'tests/Emulators/KubeApi/Fixtures/pods.json'),
        [string] $Token = ('k3snet-pester-' + [guid]::NewGuid().ToString('N')),
        [string] $Context = 'k3snet-emulator',
        [string] $KubeconfigPath = (Join-Path ([IO.Path]::GetTempPath()) "k3snet-kubeapi-$([guid]::NewGuid().ToString('N')).yaml"),
        [ipaddress[]] $AlsoListen = @(),
        [string[]] $TlsSan = @(),
        [int] $PageSize = 0,
        [ipaddress] $ListenAddress = [ipaddress]::Loopback,
        [ValidateRange(0, 65535)]
        [int] $Port = 0,
        # A network namespace the lab made (ip netns); the emulator's traffic then stays inside the lab.
        [string] $NetworkNamespace,
        [string[]] $ArgumentList = @()
    )

    $emulator = @('Release', 'Debug') |
        ForEach-Object { Join-Path $script:RepositoryRoot "tests/Emulators/KubeApi/bin/$_/net10.0/K3sNet.Emulators.KubeApi.dll" } |
        Where-Object { Test-Path -LiteralPath $_ } | Select-Object -First 1
    if (-not $emulator) {
        throw "The Kubernetes API emulator is not built: run 'dotnet pwsh ./build.ps1 Build' first."
    }
    $dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { (Get-Command dotnet -CommandType Application | Select-Object -First 1).Source }

    $command = @($dotnet, $emulator)
    if ($NetworkNamespace) { $command = @('ip', 'netns', 'exec', $NetworkNamespace) + $command }
    $tokenKubeconfigPath = [IO.Path]::ChangeExtension($KubeconfigPath, '.token.yaml')
    $options = @('--nodes', $NodesPath, '--token', $Token, '--context', $Context, '--kubeconfig', $KubeconfigPath, '--token-kubeconfig', $tokenKubeconfigPath,
        '--listen', "$ListenAddress", '--port', "$Port", '--page-size', "$PageSize", '--parent-pid', "$PID")
    foreach ($address in $AlsoListen) { $options += '--also-listen', "$address" }
    foreach ($name in $TlsSan) { $options += '--tls-san', $name }
    $start = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + $options + $ArgumentList) {
        $start.ArgumentList.Add($argument)
    }
    if ($PodsPath) {
        $start.ArgumentList.Add('--pods')
        $start.ArgumentList.Add($PodsPath)
    }
    $start.RedirectStandardOutput = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    # The emulator prints nothing on stdout but this line, so reading it cannot block on a full pipe later.
    $line = $process.StandardOutput.ReadLine()
    if (-not $line) {
        $process.WaitForExit()
        throw "The Kubernetes API emulator exited before it was ready (exit code $($process.ExitCode))."
    }
    $ready = $line | ConvertFrom-Json
    [pscustomobject]@{
        Url             = $ready.url
        AlsoUrls        = @($ready.alsoUrls)
        Kubeconfig      = $ready.kubeconfig
        TokenKubeconfig = $ready.tokenKubeconfig
        Context         = $ready.context
        Token           = $Token
        Process         = $process
    }
}

function Stop-KubeApiEmulator {
    param([Parameter(Mandatory)] $Emulator)
    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit()
    }
    $Emulator.Process.Dispose()
    Remove-Item -LiteralPath $Emulator.Kubeconfig, $Emulator.TokenKubeconfig -ErrorAction Ignore
}

function Invoke-KubeApiEmulatorControl {
    <#
    .SYNOPSIS
    Calls the emulator's control endpoints: GET requests (the recorded requests), GET active (requests in flight),
    DELETE requests, DELETE faults, PUT faults/<resource>?fault=Forbidden|Hang|Slow|ServerError|EmptyServerError|None,
    GET forbid (the denied verb:resource pairs), PUT or DELETE forbid?verb=create&resource=pods (RBAC's 403 on demand),
    DELETE forbid (all), PUT image-faults?image=<image>&fault=ImagePull|NeverReady|CreateContainerError, DELETE image-faults.
    The harness talks to its own loopback emulator with the token and does not check its certificate (PowerShell's
    web cmdlets take no CA); what K3sNet checks is tested through K3sNet.
    #>
    param(
        [Parameter(Mandatory)] $Emulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'GET'
    )
    Invoke-RestMethod -Method $Method -Uri "$($Emulator.Url)/emulator/$Path" -Headers @{ Authorization = "Bearer $($Emulator.Token)" } -SkipCertificateCheck
}

function New-ForeignClusterCredential {
    <#
    .SYNOPSIS
    Another cluster's CA and admin credentials, shaped as k3s makes them (ECDSA P-256; the key as EC PRIVATE KEY), as
    the base64 a kubeconfig's certificate-authority-data, client-certificate-data and client-key-data hold: for a
    kubeconfig that trusts the wrong CA, or presents a client certificate the server's client CA did not sign.
    #>
    $curve = [Security.Cryptography.ECCurve+NamedCurves]::nistP256
    $now = [datetimeoffset]::UtcNow
    $caKey = [Security.Cryptography.ECDsa]::Create($curve)
    $caRequest = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=k3s-server-ca@1700000000', $caKey, [Security.Cryptography.HashAlgorithmName]::SHA256)
    $caRequest.CertificateExtensions.Add([Security.Cryptography.X509Certificates.X509BasicConstraintsExtension]::new($true, $false, 0, $true))
    $ca = $caRequest.CreateSelfSigned($now.AddMinutes(-5), $now.AddYears(1))
    $clientKey = [Security.Cryptography.ECDsa]::Create($curve)
    $clientRequest = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=system:admin, O=system:masters', $clientKey, [Security.Cryptography.HashAlgorithmName]::SHA256)
    $client = $clientRequest.Create($ca, $now.AddMinutes(-5), $now.AddYears(1), [byte[]](1..16))
    $data = { param([string] $Pem) [Convert]::ToBase64String([Text.Encoding]::ASCII.GetBytes($Pem + "`n")) }
    [pscustomobject]@{
        CaSubject             = $ca.Subject
        CaData                = & $data $ca.ExportCertificatePem()
        ClientCertificateData = & $data $client.ExportCertificatePem()
        ClientKeyData         = & $data $clientKey.ExportECPrivateKeyPem()
    }
}

# Invoke-PwshProcess comes from tools/PwshProcess.psm1; re-exported so a test imports one module.
Export-ModuleMember -Function Get-RepositoryRoot, Get-BuiltModulePath, Invoke-FreshPwsh, Invoke-PwshProcess, Start-KubeApiEmulator, Stop-KubeApiEmulator, Invoke-KubeApiEmulatorControl, New-ForeignClusterCredential

# ---- The EC2 emulator (tests/Emulators/Ec2), as its own process on a loopback port -----------------------------------

function New-Ec2ClusterState {
    <#
    .SYNOPSIS
    An emulator state: -Nodes instances (i-0000000000000000n, 10.0.x.y) over -Groups security groups (sg-…) in one VPC
    and two subnets under an allow-all network ACL. Every group admits TCP 6443 and 10250 from every group; UDP 8472
    only with -VxlanOpen. Instance n is in group n % Groups and subnet n % 2.
    #>
    param([int] $Nodes = 3, [int] $Groups = 1, [switch] $VxlanOpen)

    $groupIds = @(0..($Groups - 1) | ForEach-Object { 'sg-{0:x17}' -f $_ })
    $rule = { param($Protocol, $Port, $Group) [ordered]@{ ipProtocol = $Protocol; fromPort = $Port; toPort = $Port; referencedGroupId = $Group } }
    [ordered]@{
        ownerId        = '123456789012'
        vpcs           = @([ordered]@{ vpcId = 'vpc-0a'; cidrBlock = '10.0.0.0/16' })
        securityGroups = @(for ($g = 0; $g -lt $Groups; $g++) {
                [ordered]@{
                    groupId = $groupIds[$g]; groupName = "k3s-nodes-$g"; description = 'k3s nodes'; vpcId = 'vpc-0a'
                    ingress = @(foreach ($other in $groupIds) {
                            & $rule tcp 6443 $other
                            & $rule tcp 10250 $other
                            if ($VxlanOpen) { & $rule udp 8472 $other }
                        })
                }
            })
        instances      = @(for ($n = 0; $n -lt $Nodes; $n++) {
                [ordered]@{
                    instanceId = 'i-{0:x17}' -f $n; vpcId = 'vpc-0a'; subnetId = @('subnet-0a', 'subnet-0b')[$n % 2]
                    availabilityZone = @('us-east-1a', 'us-east-1b')[$n % 2]
                    privateIpAddress = '10.0.{0}.{1}' -f [math]::Floor($n / 250), ($n % 250 + 4)
                    groupIds = @($groupIds[$n % $Groups])
                }
            })
        networkAcls    = @([ordered]@{
                networkAclId = 'acl-0default'; vpcId = 'vpc-0a'; isDefault = $true; subnetIds = @('subnet-0a', 'subnet-0b')
                entries = @(
                    [ordered]@{ ruleNumber = 100; protocol = '-1'; ruleAction = 'allow'; egress = $false; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 100; protocol = '-1'; ruleAction = 'allow'; egress = $true; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 32767; protocol = '-1'; ruleAction = 'deny'; egress = $false; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 32767; protocol = '-1'; ruleAction = 'deny'; egress = $true; cidrBlock = '0.0.0.0/0' }
                )
            })
    }
}

function Start-Ec2Emulator {
    <#
    .SYNOPSIS
    Starts the EC2 emulator on 127.0.0.1 (a free port) with -State (a hashtable like New-Ec2ClusterState's) and returns
    { Url, Control, Process, Folder }. -OnChange is a shell command run after every security-group change.
    .DESCRIPTION
    It exits with this process (--parent-pid) if Stop-Ec2Emulator never runs. -NetworkNamespace starts it with 'ip netns
    exec' inside a lab node's namespace, on that node's own loopback: only code in that namespace reaches it (and its
    -OnChange hook runs there). 'ip netns exec' execs the emulator, so Process is the emulator itself.
    It serves one -Region (us-east-1 unless given) and verifies SigV4 signatures: it knows AKIDEXAMPLE (secret
    test-secret) and the keys of -AccessKey (@{ AKIDOTHER = 'its-secret' }). -PageLimit and -EmptyFirstPage make its
    pages short, as EC2 may.
    #>
    param([Parameter(Mandatory)] [System.Collections.IDictionary] $State, [string] $OnChange, [string] $NetworkNamespace,
        [string] $Region = 'us-east-1', [System.Collections.IDictionary] $AccessKey = @{}, [int] $PageLimit, [switch] $EmptyFirstPage)

    $dll = Get-ChildItem -Path (Join-Path $script:RepositoryRoot 'tests/Emulators/Ec2/bin/*/net10.0/K3sNet.Emulators.Ec2.dll') |
        Sort-Object LastWriteTime -Descending | Select-Object -First 1
    if (-not $dll) {
        throw "The EC2 emulator is not built: run 'dotnet pwsh ./build.ps1 Build' first."
    }
    $folder = (New-Item -ItemType Directory -Path (Join-Path ([IO.Path]::GetTempPath()) "k3snet-ec2-$([guid]::NewGuid().ToString('n'))")).FullName
    $statePath = Join-Path $folder 'state.json'
    $ready = Join-Path $folder 'ready'
    ConvertTo-Json -InputObject $State -Depth 10 | Set-Content -LiteralPath $statePath -Encoding utf8
    $dotnet = if ([IO.Path]::GetFileNameWithoutExtension([Environment]::ProcessPath) -eq 'dotnet') { [Environment]::ProcessPath } else { 'dotnet' }
    $command = @($dotnet, $dll.FullName)
    if ($NetworkNamespace) { $command = @('ip', 'netns', 'exec', $NetworkNamespace) + $command }
    $start = [Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('--state', $statePath, '--listen', '127.0.0.1:0', '--ready-file', $ready, '--parent-pid', "$PID")) {
        $start.ArgumentList.Add($argument)
    }
    if ($OnChange) { $start.ArgumentList.Add('--on-change'); $start.ArgumentList.Add($OnChange) }
    $start.ArgumentList.Add('--region'); $start.ArgumentList.Add($Region)
    foreach ($key in $AccessKey.GetEnumerator()) { $start.ArgumentList.Add('--access-key'); $start.ArgumentList.Add("$($key.Key)=$($key.Value)") }
    if ($PageLimit) { $start.ArgumentList.Add('--page-limit'); $start.ArgumentList.Add("$PageLimit") }
    if ($EmptyFirstPage) { $start.ArgumentList.Add('--empty-first-page') }
    $start.RedirectStandardOutput = $true
    $start.RedirectStandardError = $true
    $start.UseShellExecute = $false
    $process = [Diagnostics.Process]::Start($start)
    for ($i = 0; $i -lt 300 -and -not (Test-Path -LiteralPath $ready); $i++) {
        if ($process.HasExited) { throw "The EC2 emulator exited: $($process.StandardError.ReadToEnd())" }
        Start-Sleep -Milliseconds 100
    }
    if (-not (Test-Path -LiteralPath $ready)) {
        $process.Kill()
        throw 'The EC2 emulator did not become ready.'
    }
    $url = (Get-Content -Raw -LiteralPath $ready).Trim()
    [pscustomobject]@{ Url = $url; Control = $url.TrimEnd('/') + '/_emulator'; Process = $process; Folder = $folder }
}

function Stop-Ec2Emulator {
    param([Parameter(Mandatory)] $Emulator)
    if (-not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit()
    }
    Remove-Item -LiteralPath $Emulator.Folder -Recurse -Force -ErrorAction Ignore
    # The state snapshot its -OnChange hook reads; a killed emulator cannot remove it itself.
    Remove-Item -LiteralPath (Join-Path ([IO.Path]::GetTempPath()) "k3snet-ec2-state-$($Emulator.Process.Id).json") -Force -ErrorAction Ignore
}

function Get-Ec2EmulatorCallCount {
    <# Requests per EC2 action since the start or the last Reset-Ec2EmulatorCallCount, as a hashtable. #>
    param([Parameter(Mandatory)] $Emulator)
    $counts = @{}
    (Invoke-RestMethod -Uri "$($Emulator.Control)/calls").PSObject.Properties | ForEach-Object { $counts[$_.Name] = [int]$_.Value }
    $counts
}

function Reset-Ec2EmulatorCallCount {
    param([Parameter(Mandatory)] $Emulator)
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/calls/reset"
}

function Set-Ec2EmulatorFault {
    <# -Throttle N: the next N calls (of -Action, or any) get RequestLimitExceeded. -Deny/-Allow: UnauthorizedOperation for -Action. #>
    param([Parameter(Mandatory)] $Emulator, [int] $Throttle, [string] $Action, [switch] $Deny, [switch] $Allow)
    $query = if ($Action) { "&action=$Action" } else { '' }
    if ($Throttle) { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/throttle?count=$Throttle$query" }
    if ($Deny) { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/deny?action=$Action" }
    if ($Allow) { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/allow?action=$Action" }
}

function Add-Ec2EmulatorRaceRule {
    <# Adds -Rule (a hashtable like a state file's rule) to -GroupId just before the next -Action call: a concurrent writer. #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Action, [Parameter(Mandatory)] [string] $GroupId,
        [Parameter(Mandatory)] [System.Collections.IDictionary] $Rule)
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/race/add-rule?action=$Action&groupId=$GroupId" `
        -Body (ConvertTo-Json -InputObject $Rule) -ContentType 'application/json'
}

function Get-Ec2EmulatorCredentialScope {
    <# AccessKeyId/date/region/ec2/aws4_request of the last signed request: which key and region the client resolved. #>
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Uri "$($Emulator.Control)/credential-scope"
}

function Set-Ec2EmulatorHang {
    <# From now on calls of -Action (or of every action) are accepted and never answered; -Stop ends that. #>
    param([Parameter(Mandatory)] $Emulator, [string] $Action, [switch] $Stop)
    if ($Stop) { $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/hang/stop"; return }
    $query = if ($Action) { "?action=$Action" } else { '' }
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/hang$query"
}

function Set-Ec2EmulatorRegion {
    <# The region the emulator serves from now on: requests signed for any other are refused (AuthFailure). #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Region)
    $null = Invoke-RestMethod -Method Post -Uri "$($Emulator.Control)/region?region=$Region"
}

function Get-Ec2EmulatorAttemptCount {
    <# The AWS SDK's attempts of -Action since the last reset, as it numbers them (a resent attempt counts once). #>
    param([Parameter(Mandatory)] $Emulator, [Parameter(Mandatory)] [string] $Action)
    [int](Invoke-RestMethod -Uri "$($Emulator.Control)/attempts?action=$Action")
}

function Get-Ec2EmulatorAbortedCount {
    <# Hung requests whose client gave up (a timeout or Ctrl+C cancelled them in flight). #>
    param([Parameter(Mandatory)] $Emulator)
    [int](Invoke-RestMethod -Uri "$($Emulator.Control)/aborted")
}

function Get-Ec2EmulatorState {
    param([Parameter(Mandatory)] $Emulator)
    Invoke-RestMethod -Uri "$($Emulator.Control)/state"
}

Export-ModuleMember -Function New-Ec2ClusterState, Start-Ec2Emulator, Stop-Ec2Emulator, Get-Ec2EmulatorCallCount,
    Reset-Ec2EmulatorCallCount, Set-Ec2EmulatorFault, Add-Ec2EmulatorRaceRule, Get-Ec2EmulatorCredentialScope, Get-Ec2EmulatorState,
    Set-Ec2EmulatorHang, Set-Ec2EmulatorRegion, Get-Ec2EmulatorAttemptCount, Get-Ec2EmulatorAbortedCount

function New-Ec2DocsState {
    <#
    .SYNOPSIS
    The EC2 side of the docs examples: the instances behind the Kubernetes API emulator's fixture nodes k3s-server-1
    (i-0a1b2c3d4e5f60001, 10.0.1.10), k3s-agent-1 (…0002, 10.0.1.21) and k3s-agent-3 (…0007, 10.0.1.24), all in
    sg-0123456789abcdef0, which admits TCP 6443 and 10250 from itself but not UDP 8472.
    #>
    $state = New-Ec2ClusterState -Nodes 3 -Groups 1
    $state.securityGroups[0].groupId = 'sg-0123456789abcdef0'
    $state.securityGroups[0].groupName = 'k3s-nodes'
    foreach ($rule in $state.securityGroups[0].ingress) { $rule.referencedGroupId = 'sg-0123456789abcdef0' }
    $ids = 'i-0a1b2c3d4e5f60001', 'i-0a1b2c3d4e5f60002', 'i-0a1b2c3d4e5f60007'
    $addresses = '10.0.1.10', '10.0.1.21', '10.0.1.24'
    for ($n = 0; $n -lt 3; $n++) {
        $state.instances[$n].instanceId = $ids[$n]
        $state.instances[$n].privateIpAddress = $addresses[$n]
        $state.instances[$n].subnetId = 'subnet-0a'
        $state.instances[$n].availabilityZone = @('ap-northeast-2a', 'ap-northeast-2b', 'ap-northeast-2c')[$n]
        $state.instances[$n].groupIds = @('sg-0123456789abcdef0')
    }
    # k3s-agent-2 (i-0a1b2c3d4e5f60003, 10.0.1.22) also carries the VPC's default group, as instances launched with
    # it often do: the docs show which group Grant-K3sNodeTraffic changes then. Like a hardened default group (the CIS
    # benchmark's advice), it admits nothing.
    $state.securityGroups += [ordered]@{ groupId = 'sg-0d0d0d0d0d0d0d0d0'; groupName = 'default'; description = 'default VPC security group'; vpcId = 'vpc-0a'; ingress = @() }
    $state.instances += [ordered]@{
        instanceId = 'i-0a1b2c3d4e5f60003'; vpcId = 'vpc-0a'; subnetId = 'subnet-0a'; availabilityZone = 'ap-northeast-2a'
        privateIpAddress = '10.0.1.22'; groupIds = @('sg-0d0d0d0d0d0d0d0d0', 'sg-0123456789abcdef0')
    }
    $state
}

function New-Ec2MultiGroupState {
    <#
    .SYNOPSIS
    The emulator's fixture tests/Emulators/Ec2/Fixtures/multi-group.json as a hashtable to change before starting it:
    nodes i-0b10000000000001 (10.1.1.10, and 10.1.2.10 on a second interface in the monitoring group only), …0002
    (10.1.1.21) and …0003 (10.1.2.22), each in the VPC's default group sg-0d0000000000000d0, k3s-nodes
    sg-0c0000000000000c0 and monitoring sg-0e0000000000000e0; prometheus …0009 (10.1.1.99, default and monitoring); a
    database interface in default; subnets 10.1.1.0/24 and 10.1.2.0/24 of vpc-0b1 (10.1.0.0/16).
    #>
    Get-Content -Raw -LiteralPath (Join-Path $script:RepositoryRoot 'tests/Emulators/Ec2/Fixtures/multi-group.json') | ConvertFrom-Json -AsHashtable
}

Export-ModuleMember -Function New-Ec2DocsState, New-Ec2MultiGroupState
