# The source manifest. build.ps1 stamps ModuleVersion from Directory.Build.props and copies this file into out/K3sNet/.
@{
    RootModule             = 'K3sNet.dll'
    ModuleVersion          = '0.0.0'
    GUID                   = '5d3b8f6e-2c41-4a77-9e0b-6f1c2a9d4e31'
    Author                 = 'K3sNet contributors'
    CompanyName            = 'K3sNet'
    Copyright              = '(c) K3sNet contributors. MIT License.'
    Description            = 'Finds and fixes why pods on one k3s node cannot reach another: tests flannel''s VXLAN path (UDP 8472) between every pair of nodes, explains each failure, and opens exactly the missing AWS security-group rules.'
    PowerShellVersion      = '7.4'
    CompatiblePSEditions   = @('Core')
    FormatsToProcess       = @(
        'PortRequirement.format.ps1xml'
        'SecurityGroupVerdict.format.ps1xml'
        'SecurityGroupVerdictSummary.format.ps1xml'
        'SecurityGroupChange.format.ps1xml'
        'K3sNode.format.ps1xml'
        'VxlanPathResult.format.ps1xml'
        'VxlanResponderSummary.format.ps1xml'
        'VxlanMatrix.format.ps1xml'
        'VxlanMatrixCell.format.ps1xml'
        'PodNetworkResult.format.ps1xml'
        'PodNetworkMatrix.format.ps1xml'
    )
    CmdletsToExport        = @(
        'Get-K3sNode'
        'Get-K3sPortMatrix'
        'Grant-K3sNodeTraffic'
        'Remove-K3sNetProbe'
        'Revoke-K3sNodeTraffic'
        'Show-K3sVxlanMatrix'
        'Start-K3sVxlanResponder'
        'Test-K3sPodNetwork'
        'Test-K3sSecurityGroup'
        'Test-K3sVxlan'
    )
    FunctionsToExport      = @()
    AliasesToExport        = @()
    VariablesToExport      = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('k3s', 'Kubernetes', 'flannel', 'VXLAN', 'AWS', 'EC2', 'SecurityGroup', 'Networking', 'Linux', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/k3snet/K3sNet'
            LicenseUri   = 'https://github.com/k3snet/K3sNet/blob/main/LICENSE'
            # What this release is, cmdlet by cmdlet (tests/Pester/Module.Tests.ps1 checks that it names every exported
            # cmdlet and no other).
            ReleaseNotes = @'
0.1.0, the first release.
- Get-K3sPortMatrix: the inbound rules a k3s cluster needs between its nodes, by role, flannel backend, embedded etcd, embedded registry and dual-stack, or inferred from piped nodes.
- Get-K3sNode: the cluster's nodes from the Kubernetes API (kubeconfig found as kubectl finds it, or k3s's own), with flannel's VXLAN endpoint, where CoreDNS runs, and what is inconsistent.
- Test-K3sVxlan: on a node, every peer's VXLAN path through the kernel's flannel.1 beside the underlay, in parallel, with a verdict, a reason and a remedy per pair (VxlanBlocked, NodeUnreachable, MtuBlackhole, ChecksumOffload, Misconfigured); -Probe sends K3sNet's own VXLAN frames before k3s is installed; -AllNodes runs the same checks on every node at once from any machine with a kubeconfig, through a short-lived probe pod per node (the node's own pause image and k3s's own tools: nothing installed or pulled).
- Start-K3sVxlanResponder: the other end of -Probe; answers K3sNet probes only, never with more bytes than it received.
- Show-K3sVxlanMatrix: every node's results as one node-by-node grid, or Markdown and Mermaid for a ticket; Test-K3sPodNetwork's pod pairs as a sibling grid.
- Test-K3sPodNetwork: what pods see, from a probe pod on every node that Kubernetes runs (nothing installed, k3s's own busybox): pod to pod for every pair, the cluster DNS and each CoreDNS pod, the kubernetes Service and -Egress names, each failure explained (DNS across a blocked VXLAN path, with Test-K3sVxlan's cause).
- Test-K3sSecurityGroup: every required flow for every pair of EC2 nodes, judged against security groups and network ACLs in a handful of EC2 calls, and the ports open to the internet.
- Remove-K3sNetProbe: removes the namespaces (and probe pods) a killed probe run left behind, only those labelled as K3sNet's.
- Grant-K3sNodeTraffic and Revoke-K3sNodeTraffic: add only the missing ingress rules, from the narrowest source, one call per group (-WhatIf, -Confirm, -PassThru), and take back what Grant added.
AWSSDK.EC2, KubernetesClient and YamlDotNet load into K3sNet's own context, so AWS.Tools and powershell-yaml work beside it.
'@
        }
    }
}
