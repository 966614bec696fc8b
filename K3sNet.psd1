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
    )
    CmdletsToExport        = @(
        'Get-K3sNode'
        'Get-K3sPortMatrix'
        'Grant-K3sNodeTraffic'
        'Revoke-K3sNodeTraffic'
        'Show-K3sVxlanMatrix'
        'Start-K3sVxlanResponder'
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
            ReleaseNotes = 'First release: Get-K3sPortMatrix lists the inbound rules a k3s cluster needs between its nodes, by role, flannel backend, embedded etcd, embedded registry and dual-stack.'
        }
    }
}
