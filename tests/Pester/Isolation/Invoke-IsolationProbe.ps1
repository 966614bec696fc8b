#Requires -Version 7.4
<#
.SYNOPSIS
Runs, in this fresh pwsh, K3sNet's KubernetesClient and AWSSDK.EC2 code paths beside other versions of the same
assemblies, and reports what loaded where as JSON.

.DESCRIPTION
Plays the session of a user who also runs AWS.Tools (another AWSSDK.Core build) and powershell-yaml or PlatyPS (an
older YamlDotNet), in either order. K3sNet's paths are real: Get-K3sNode reads the -Kubeconfig of the Kubernetes API
emulator (tests/Emulators/KubeApi, started by the caller) and lists its nodes through KubernetesClient with the
kubeconfig's token; Test-K3sSecurityGroup -InstanceId sends its SigV4-signed DescribeInstances through AWSSDK.EC2 to a
loopback listener, which knows no instance, and reports the id as not found. Traffic goes to 127.0.0.1 only.

Isolation.Tests.ps1 starts this script in a new process for each order and asserts on its report.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ModulePath,

    [Parameter(Mandatory)]
    [ValidateSet('OthersFirst', 'K3sNetFirst')]
    [string] $Order,

    [Parameter(Mandatory)]
    [string] $OtherYamlDotNetPath,

    [Parameter(Mandatory)]
    [string] $OtherAwsCorePath,

    # The Kubernetes API emulator's kubeconfig (its loopback URL and token).
    [Parameter(Mandatory)]
    [string] $Kubeconfig
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$AccessKey = 'AKIDK3SNETISOLATION'

function Start-LoopbackListener {
    # The EC2 side: POST / answers as EC2's DescribeInstances for an account without the instance asked for.
    $probe = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $probe.Start()
    $port = $probe.LocalEndpoint.Port
    $probe.Stop()

    $listener = [Net.HttpListener]::new()
    $listener.Prefixes.Add("http://127.0.0.1:$port/")
    $listener.Start()
    $requests = [Collections.Concurrent.ConcurrentQueue[object]]::new()
    $job = Start-ThreadJob -ArgumentList $listener, $requests -ScriptBlock {
        param($Listener, $Requests)
        while ($Listener.IsListening) {
            try { $context = $Listener.GetContext() } catch { break }
            $request = $context.Request
            $body = [IO.StreamReader]::new($request.InputStream).ReadToEnd()
            $Requests.Enqueue([pscustomobject]@{
                    Method        = $request.HttpMethod
                    Path          = $request.Url.AbsolutePath
                    Authorization = $request.Headers['Authorization']
                    Body          = $body
                })
            if ($request.HttpMethod -eq 'POST' -and $body -match 'Action=DescribeInstances') {
                $type = 'text/xml'
                $text = '<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>8f7e2c1a-0000-4000-8000-000000000001</requestId>' +
                '<reservationSet/></DescribeInstancesResponse>'
            }
            else {
                $context.Response.StatusCode = 404
                $type = 'text/plain'
                $text = 'not found'
            }
            $bytes = [Text.Encoding]::UTF8.GetBytes($text)
            $context.Response.ContentType = $type
            $context.Response.ContentLength64 = $bytes.Length
            $context.Response.OutputStream.Write($bytes, 0, $bytes.Length)
            $context.Response.Close()
        }
    }
    return [pscustomobject]@{ Url = "http://127.0.0.1:$port"; Listener = $listener; Requests = $requests; Job = $job }
}

function Use-OtherModulesAssemblies {
    # What another module does in the same session: load its own versions into the default context, and use them.
    Add-Type -LiteralPath $OtherYamlDotNetPath
    Add-Type -LiteralPath $OtherAwsCorePath
    $yaml = [YamlDotNet.Serialization.DeserializerBuilder]::new().Build().Deserialize([IO.StringReader]::new('module: other'))
    $credentials = [Amazon.Runtime.BasicAWSCredentials]::new('AKIDOTHERMODULE', 'other-secret').GetCredentials()
    return [pscustomobject]@{
        Yaml      = $yaml['module']
        AccessKey = $credentials.AccessKey
    }
}

function Invoke-K3sNetCloudPaths([string] $Url, [string] $KubeconfigPath) {
    # Kubernetes through the public cmdlet.
    $nodes = @(Get-K3sNode -Kubeconfig $KubeconfigPath -Context isolation -ErrorAction Stop)

    # EC2 through a public cmdlet: the listener knows no instance, so the answer, read, is a not-found error.
    $verdicts = @(Test-K3sSecurityGroup -InstanceId i-0123456789abcdef0 -Region us-east-1 -AccessKey $AccessKey -SecretKey 'k3snet-isolation-secret' `
            -EndpointUrl $Url -ErrorAction SilentlyContinue -ErrorVariable ec2Errors)

    return [pscustomobject]@{
        NodeNames       = @($nodes.Name)
        NodeTypes       = @($nodes | ForEach-Object { $_.GetType().FullName } | Select-Object -Unique)
        Verdicts        = $verdicts.Count
        Ec2ErrorIds     = @($ec2Errors | ForEach-Object FullyQualifiedErrorId)
        Ec2ErrorTargets = @($ec2Errors | ForEach-Object { "$($_.TargetObject)" })
    }
}

function Get-LoadedAssemblies {
    $watched = '^(K3sNet|K3sNet\.Cloud|AWSSDK\.Core|AWSSDK\.EC2|KubernetesClient|YamlDotNet|Fractions)$'
    foreach ($context in [Runtime.Loader.AssemblyLoadContext]::All) {
        foreach ($assembly in $context.Assemblies) {
            $name = $assembly.GetName()
            if ($name.Name -match $watched) {
                [pscustomobject]@{
                    Context     = $context.Name
                    Name        = $name.Name
                    Version     = $name.Version.ToString()
                    FileVersion = [Diagnostics.FileVersionInfo]::GetVersionInfo($assembly.Location).FileVersion
                    Location    = $assembly.Location
                }
            }
        }
    }
}

$loopback = Start-LoopbackListener
try {
    $runs = [Collections.Generic.List[object]]::new()
    if ($Order -eq 'OthersFirst') {
        $others = Use-OtherModulesAssemblies
        Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
        $runs.Add((Invoke-K3sNetCloudPaths $loopback.Url $Kubeconfig))
        $othersAfter = Use-OtherModulesAssemblies
    }
    else {
        Import-Module (Join-Path $ModulePath 'K3sNet.psd1')
        $runs.Add((Invoke-K3sNetCloudPaths $loopback.Url $Kubeconfig))
        $others = Use-OtherModulesAssemblies
        $runs.Add((Invoke-K3sNetCloudPaths $loopback.Url $Kubeconfig))
        $othersAfter = Use-OtherModulesAssemblies
    }

    $requests = @($loopback.Requests.ToArray())
    [pscustomobject]@{
        Order                 = $Order
        Runs                  = $runs.ToArray()
        OtherModule           = $others
        OtherModuleAfter      = $othersAfter
        # Only the signature's scope: the access key id is a test value, and no secret is ever written out.
        Ec2CredentialScopes   = @($requests | Where-Object Method -EQ 'POST' |
                ForEach-Object { if ($_.Authorization -match '^AWS4-HMAC-SHA256 Credential=([^,]+),') { $Matches[1] } else { "unsigned: $($_.Authorization)" } })
        Ec2SignedHeaders      = @($requests | Where-Object Method -EQ 'POST' |
                ForEach-Object { if ($_.Authorization -match 'SignedHeaders=([^,]+),\s*Signature=[0-9a-f]{64}$') { $Matches[1] } })
        Ec2Actions            = @($requests | Where-Object Method -EQ 'POST' | ForEach-Object { if ($_.Body -match 'Action=(\w+)') { $Matches[1] } })
        Assemblies            = @(Get-LoadedAssemblies)
    } | ConvertTo-Json -Depth 6
}
finally {
    $loopback.Listener.Stop()
    $loopback.Listener.Close()
    $loopback.Job | Remove-Job -Force
}
