#Requires -Version 7.4
<#
.SYNOPSIS
Builds the network-namespace lab with its Kubernetes API and EC2 emulators, prints the commands to use it, and destroys
it all when you are done.

.DESCRIPTION
Run as root, after 'dotnet pwsh ./build.ps1 Build' (the module and the emulators). The lab lives until you press Enter
(or -Seconds pass), then it is removed with its emulators, also when the script fails or is stopped with Ctrl+C. Both
emulators run inside the server node's namespace (the API on its address, port 6443; EC2 on its loopback), so the
cmdlets run there: the script prints the commands. Every change to the EC2 security groups is rendered into the nodes'
nftables, so Grant-K3sNodeTraffic and Revoke-K3sNodeTraffic really open and close VXLAN. -NoCloud builds the lab
alone. Every node runs CoreDNS-backed pods on a flannel-style pod network (-PodsPerNode, default 1); the script prints
each pod's network namespace. Explore it meanwhile with, for example:
  ip netns exec <prefix>-node-a ping 10.42.1.0
  ip netns exec <pod-netns> busybox nslookup ssm.us-east-1.amazonaws.com
If a run was killed before it could clean up (kill -9), remove what it left with:
  Import-Module ./tests/Lab/K3sNetLab.psm1; Remove-StaleK3sNetLab

.EXAMPLE
sudo dotnet pwsh ./tests/Lab/Start-K3sNetLab.ps1 -NodeCount 3 -NoVxlanInto node-c

.EXAMPLE
sudo dotnet pwsh ./tests/Lab/Start-K3sNetLab.ps1 -NodeName k3s-server, k3s-agent-1, k3s-agent-2 -NoVxlanInto k3s-agent-2
#>
[CmdletBinding()]
param(
    [ValidateRange(2, 240)]
    [int] $NodeCount = 3,

    # The nodes' names, server first (default node-a, node-b, ...); -NodeCount follows.
    [string[]] $NodeName,

    [string[]] $NoVxlanInto = @(),

    # The lab without its Kubernetes API and EC2 emulators.
    [switch] $NoCloud,

    # Workload pods per node (lab-<node>-<k>), besides CoreDNS on the server.
    [ValidateRange(0, 7)]
    [int] $PodsPerNode = 1,

    # Keep the lab this long instead of waiting for Enter (0 = wait for Enter).
    [int] $Seconds = 0
)

$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot 'K3sNetLab.psm1') -Force

$lab = $null
try {
    # pwsh -File passes "a,b" as one string: split the lists here.
    $names = @($NodeName -split ',' | ForEach-Object Trim | Where-Object { $_ })
    $noVxlan = @($NoVxlanInto -split ',' | ForEach-Object Trim | Where-Object { $_ })
    $nodes = if ($names) { @{ NodeCount = $names.Count; NodeName = $names } } else { @{ NodeCount = $NodeCount } }
    $lab = New-K3sNetLab @nodes -NoVxlanInto $noVxlan -PodsPerNode $PodsPerNode
    Write-Host "Lab $($lab.Prefix): $($lab.Nodes.Count) nodes"
    $lab.Nodes | Format-Table Name, Namespace, UnderlayAddress, VtepAddress, VtepMac -AutoSize | Out-Host
    Write-Host "Pods (cluster DNS $($lab.ClusterDns); the outside resolver and AWS endpoints in $($lab.OutsideNamespace)):"
    $lab.Pods | Format-Table Namespace, Name, Node, PodIp, NetNamespace -AutoSize | Out-Host
    $pod = $lab.Pods | Where-Object Namespace -EQ default | Select-Object -Last 1
    if (-not $pod) { $pod = $lab.Pods | Select-Object -First 1 }
    Write-Host 'Run a command in a pod (its network namespace and resolv.conf):'
    Write-Host "  sudo ip netns exec $($pod.NetNamespace) busybox nslookup ssm.us-east-1.amazonaws.com"
    Write-Host "  sudo ip netns exec $($pod.NetNamespace) busybox nslookup kubernetes.default.svc.cluster.local"
    $node = $lab.Nodes | Where-Object Name -EQ $pod.Node
    Write-Host "  sudo nsenter -t $($node.InitPid) -p -m -- ip netns exec $($pod.NetNamespace) ps    # inside its node's PID namespace"
    if (-not $NoCloud) {
        $cloud = Start-K3sNetLabCloud -Lab $lab
        $aws = $cloud.AwsParameters
        $module = Join-Path (Split-Path -Parent (Split-Path -Parent $PSScriptRoot)) 'out/K3sNet/K3sNet.psd1'
        Write-Host "Kubernetes API $($cloud.KubeApiUrl) and EC2 $($cloud.Ec2Url), both inside $($cloud.Namespace). In another terminal:"
        Write-Host "  sudo ip netns exec $($cloud.Namespace) dotnet pwsh"
        Write-Host "  Import-Module '$module'"
        Write-Host "  `$env:KUBECONFIG = '$($cloud.Kubeconfig)'"
        Write-Host "  `$aws = @{ Region = '$($aws.Region)'; EndpointUrl = '$($aws.EndpointUrl)'; AccessKey = '$($aws.AccessKey)'; SecretKey = '$($aws.SecretKey)' }"
        Write-Host '  Get-K3sNode | Test-K3sVxlan'
        Write-Host '  Get-K3sNode | Test-K3sSecurityGroup @aws | Where-Object { -not $_.Allowed } | Grant-K3sNodeTraffic @aws'
        Write-Host "Security groups: $(($cloud.Groups.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ', ')"
    }
    Write-Host "Description: $($lab.Path) (nodes.json, pods.json, lab.json)"
    $lab.Path
    if ($Seconds -gt 0) {
        Start-Sleep -Seconds $Seconds
    }
    else {
        $null = Read-Host 'Press Enter to destroy the lab'
    }
}
finally {
    if ($lab) {
        Remove-K3sNetLab -Lab $lab
        Write-Host "Lab $($lab.Prefix) removed."
    }
}
