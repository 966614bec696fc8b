# The lab's cloud: the Kubernetes API and EC2 around the lab's nodes, both emulators inside the server node's namespace.
# Dot-sourced by K3sNetLab.psm1 (one module, so Remove-K3sNetLab stops what Start-K3sNetLabCloud started).
#
#   Kubernetes API  the server node's underlay address, port 6443, serving the lab's nodes.json and pods.json, as k3s.
#   EC2             127.0.0.1:<free port> in the server node's namespace: that node's own loopback, like a VPC endpoint
#                   only it reaches. One VPC (10.0.0.0/16), one subnet, an allow-all network ACL, and per node one
#                   instance (private IP = the node's underlay address) in one security group of its own that admits
#                   what the lab's description says. Every change to a group runs Sync-K3sNetLabSecurityGroup.ps1
#                   (the emulator's --on-change hook), which renders the new state into the subnet's nftables, so a
#                   Grant-K3sNodeTraffic really lets VXLAN through and a Revoke-K3sNodeTraffic really blocks it again.
#
# The nodes keep k3s's own providerID (k3s://<name>, what k3s writes without the AWS cloud provider): Test-K3sSecurityGroup
# then finds each node's instance by its InternalIP, the path most k3s-on-EC2 clusters take.

$script:LabRegion = 'us-east-1'
$script:LabVpc = 'vpc-0k3snetlab00001'
$script:LabSubnet = 'subnet-0k3snetlab0001'
# Running clouds, by lab prefix.
$script:Clouds = @{}

function Get-LabGroupId([int] $Index) { 'sg-05e7a1ab0c3d4e{0:x3}' -f (0xf00 + $Index) }
function Get-LabInstanceId([int] $Index) { 'i-0a1b2c3d4e5f6{0:x4}' -f (0x1000 + $Index) }

function New-K3sNetLabEc2State {
    <#
    .SYNOPSIS
    The EC2 emulator's state for a lab: per node one instance and one security group that admits what the lab's
    description says: its TCP ports and ICMP from the other nodes' groups, UDP 8472 from the groups of the nodes in its
    VxlanFrom (none for a node built with -NoVxlanInto).
    #>
    param([Parameter(Mandatory)] $Lab)

    $groupOf = @{}
    foreach ($node in $Lab.Nodes) { $groupOf[$node.Name] = Get-LabGroupId $node.Index }
    $rule = { param([string] $Protocol, [int] $From, [int] $To, [string] $Group, [string] $Description)
        [ordered]@{ ipProtocol = $Protocol; fromPort = $From; toPort = $To; referencedGroupId = $Group; description = $Description } }
    [ordered]@{
        ownerId        = '123456789012'
        vpcs           = @([ordered]@{ vpcId = $script:LabVpc; cidrBlock = '10.0.0.0/16' })
        securityGroups = @(foreach ($node in $Lab.Nodes) {
                $group = $Lab.SecurityGroups.($node.Name)
                [ordered]@{
                    groupId = $groupOf[$node.Name]; groupName = "$($node.Name)-sg"; description = "k3s node $($node.Name)"; vpcId = $script:LabVpc
                    ingress = @(foreach ($peer in $Lab.Nodes | Where-Object Name -NE $node.Name) {
                            foreach ($port in $group.TcpPorts) { & $rule tcp $port $port $groupOf[$peer.Name] 'k3s' }
                            & $rule icmp -1 -1 $groupOf[$peer.Name] 'ping'
                            if ($peer.Name -in $group.VxlanFrom) { & $rule udp 8472 8472 $groupOf[$peer.Name] 'flannel VXLAN' }
                        })
                }
            })
        instances      = @(foreach ($node in $Lab.Nodes) {
                [ordered]@{
                    instanceId = Get-LabInstanceId $node.Index; vpcId = $script:LabVpc; subnetId = $script:LabSubnet
                    availabilityZone = "$($script:LabRegion)a"; privateIpAddress = $node.UnderlayAddress
                    groupIds = @($groupOf[$node.Name]); tags = @{ Name = $node.Name }
                }
            })
        networkAcls    = @([ordered]@{
                networkAclId = 'acl-0k3snetlab000001'; vpcId = $script:LabVpc; isDefault = $true; subnetIds = @($script:LabSubnet)
                entries = @(
                    [ordered]@{ ruleNumber = 100; protocol = '-1'; ruleAction = 'allow'; egress = $false; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 100; protocol = '-1'; ruleAction = 'allow'; egress = $true; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 32767; protocol = '-1'; ruleAction = 'deny'; egress = $false; cidrBlock = '0.0.0.0/0' }
                    [ordered]@{ ruleNumber = 32767; protocol = '-1'; ruleAction = 'deny'; egress = $true; cidrBlock = '0.0.0.0/0' }
                )
            })
    }
}

function Get-RuleField($Rule, [string] $Name) {
    # A rule's field, or $null where the JSON leaves it out.
    if ($Rule.PSObject.Properties[$Name]) { $Rule.$Name } else { $null }
}

function Get-RuleProtocol($Rule) {
    # EC2 spells protocols by name or number; -1 is every protocol.
    switch ("$(Get-RuleField $Rule ipProtocol)".ToLowerInvariant()) {
        { $_ -in 'tcp', '6' } { return 'tcp' }
        { $_ -in 'udp', '17' } { return 'udp' }
        { $_ -in '-1', 'all' } { return 'all' }
        default { return $_ }
    }
}

function Get-RulePortRange($Rule) {
    # nftables' spelling of the ports a rule admits: 10250, 2379-2380, or 1-65535 for every port.
    $from = Get-RuleField $Rule fromPort
    $to = Get-RuleField $Rule toPort
    if ((Get-RuleProtocol $Rule) -eq 'all' -or $null -eq $from -or [int]$from -eq -1) { return '1-65535' }
    if ($null -eq $to -or [int]$to -eq [int]$from) { return "$from" }
    return "$from-$to"
}

function Test-RuleCoversPort($Rule, [int] $Port) {
    $bounds = @((Get-RulePortRange $Rule) -split '-' | ForEach-Object { [int]$_ })
    return $bounds[0] -le $Port -and $Port -le $bounds[-1]
}

function Test-RuleAdmitsNode($Rule, [string[]] $GroupIds, [string] $Address) {
    # As AWS matches a source: a referenced group the node's instance is in, or an IPv4 CIDR that contains its address.
    $group = Get-RuleField $Rule referencedGroupId
    $cidr = Get-RuleField $Rule cidrIpv4
    return [bool](($group -and $group -in $GroupIds) -or ($cidr -and [Net.IPNetwork]::Parse($cidr).Contains([ipaddress]$Address)))
}

function ConvertFrom-K3sNetLabEc2State {
    <#
    .SYNOPSIS
    Translates the EC2 emulator's state into the lab's per-node security groups: one object per node with Name,
    GroupIds, TcpPorts (what nftables' `tcp dport` takes: 10250, 2379-2380) and VxlanFrom (the names of the nodes it
    admits UDP 8472 from, in the nodes' order).
    .DESCRIPTION
    As AWS judges: a node's groups are those of the instance whose private address is its underlay address; a rule with
    a CIDR admits the nodes whose address it contains; a rule that references a group admits the nodes whose instance
    is in that group. IPv6 and prefix-list sources admit no lab node (the lab's underlay is IPv4). The lab's nftables
    take a TCP port from anyone, so a TCP rule counts when it admits at least one other node. A node without an
    instance admits nothing. Pure: the state and the nodes in, the shape out.
    #>
    param([Parameter(Mandatory)] $State, [Parameter(Mandatory)] [object[]] $Nodes)

    $groupsOf = @{}
    foreach ($node in $Nodes) {
        $instance = @($State.instances | Where-Object { (Get-RuleField $_ privateIpAddress) -eq $node.UnderlayAddress }) | Select-Object -First 1
        $groupsOf[$node.Name] = @(if ($instance) { Get-RuleField $instance groupIds })
    }
    foreach ($node in $Nodes) {
        $rules = @($State.securityGroups | Where-Object { $_.groupId -in $groupsOf[$node.Name] } | ForEach-Object { Get-RuleField $_ ingress } | Where-Object { $_ })
        $peers = @($Nodes | Where-Object Name -NE $node.Name)
        $tcpPorts = [Collections.Generic.List[string]]::new()
        $tcpRules = $rules | Where-Object { (Get-RuleProtocol $_) -in 'tcp', 'all' } | Where-Object {
            $rule = $_
            @($peers | Where-Object { Test-RuleAdmitsNode $rule $groupsOf[$_.Name] $_.UnderlayAddress }).Count -gt 0
        }
        foreach ($rule in $tcpRules) {
            $range = Get-RulePortRange $rule
            if (-not $tcpPorts.Contains($range)) { $tcpPorts.Add($range) }
        }
        $vxlanRules = @($rules | Where-Object { (Get-RuleProtocol $_) -in 'udp', 'all' -and (Test-RuleCoversPort $_ $script:VxlanPort) })
        $vxlanFrom = @(foreach ($peer in $peers) {
                $admitted = $vxlanRules | Where-Object { Test-RuleAdmitsNode $_ $groupsOf[$peer.Name] $peer.UnderlayAddress }
                if ($admitted) { $peer.Name }
            })
        [pscustomobject]@{
            Name      = $node.Name
            GroupIds  = $groupsOf[$node.Name]
            TcpPorts  = @($tcpPorts)
            VxlanFrom = $vxlanFrom
        }
    }
}

function Sync-K3sNetLabSecurityGroup {
    <#
    .SYNOPSIS
    Renders an EC2 state into the subnet's nftables (the bridge namespace), where the lab's security groups are: the
    table inet k3snetlab is replaced in one atomic `nft -f` transaction, so every node has either its old group or its
    new one, never half of it. Touches only -Lab's (a lab object or its lab.json) bridge namespace, if it exists.
    #>
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] $State)

    if (-not $Lab.BridgeNamespace.StartsWith("$($Lab.Prefix)-") -or $Lab.BridgeNamespace -notin (Get-NamespaceName)) { return }
    $groups = foreach ($group in ConvertFrom-K3sNetLabEc2State -State $State -Nodes $Lab.Nodes) {
        $node = $Lab.Nodes | Where-Object Name -EQ $group.Name
        [pscustomobject]@{
            Name            = $node.Name
            UnderlayAddress = $node.UnderlayAddress
            TcpPorts        = @($group.TcpPorts)
            VxlanSources    = @($group.VxlanFrom | ForEach-Object { $name = $_; ($Lab.Nodes | Where-Object Name -EQ $name).UnderlayAddress })
        }
    }
    # Declaring the table first makes the delete valid even if it is gone; all of it is one transaction.
    $ruleset = "table inet k3snetlab {}`ndelete table inet k3snetlab`n" + (Get-SecurityGroupRuleset -Group @($groups) -ProbePorts @($Lab.ProbePorts))
    $null = Invoke-InNamespace $Lab.BridgeNamespace nft @('-f', '-') -InputText $ruleset
}

function Start-K3sNetLabCloud {
    <#
    .SYNOPSIS
    Starts the Kubernetes API and EC2 emulators for a lab, in its server node's namespace, and returns where they are:
    { Namespace, Kubeconfig, KubeApiUrl, Ec2Url, Ec2Control, AwsParameters (Region, AccessKey, SecretKey,
    EndpointUrl), Groups (node name -> security group id), Instances (node name -> instance id) }.
    .DESCRIPTION
    Both answer only inside the server's namespace (the EC2 endpoint is its loopback), so run the cmdlets there:
    ip netns exec <Namespace> pwsh. Both exit with this process if Stop-K3sNetLabCloud or Remove-K3sNetLab never runs.
    The AWS keys are the emulator's test keys: it checks the signature's form, not the secret.
    #>
    param([Parameter(Mandatory)] $Lab)

    if ($script:Clouds.ContainsKey($Lab.Prefix)) { throw "Lab $($Lab.Prefix) already has its emulators running." }
    $server = $Lab.Nodes | Where-Object IsServer | Select-Object -First 1
    $cloud = [pscustomobject]@{
        PSTypeName    = 'K3sNetLabCloud'
        Prefix        = $Lab.Prefix
        Namespace     = $server.Namespace
        Kubeconfig    = Join-Path $Lab.Path 'kubeconfig.yaml'
        KubeApiUrl    = $null
        Ec2Url        = $null
        Ec2Control    = $null
        AwsParameters = $null
        Groups        = [ordered]@{}
        Instances     = [ordered]@{}
        KubeApi       = $null
        Ec2           = $null
    }
    foreach ($node in $Lab.Nodes) {
        $cloud.Groups[$node.Name] = Get-LabGroupId $node.Index
        $cloud.Instances[$node.Name] = Get-LabInstanceId $node.Index
    }
    $script:Clouds[$Lab.Prefix] = $cloud
    try {
        $cloud.KubeApi = Start-KubeApiEmulator -NodesPath $Lab.NodesPath -PodsPath $Lab.PodsPath -Context 'k3s-lab' `
            -NetworkNamespace $server.Namespace -ListenAddress $server.UnderlayAddress -Port $script:ApiPort -KubeconfigPath $cloud.Kubeconfig `
            -ArgumentList @('--lab', (Join-Path $Lab.Path 'lab.json'), '--services', (Join-Path $Lab.Path 'services.json'))
        $cloud.KubeApiUrl = $cloud.KubeApi.Url

        $state = New-K3sNetLabEc2State -Lab $Lab
        # The lab starts as EC2 says it is, through the same rendering every later change takes.
        Sync-K3sNetLabSecurityGroup -Lab $Lab -State ($state | ConvertTo-Json -Depth 10 | ConvertFrom-Json)
        $pwsh = (Get-PwshCommandLine | ForEach-Object { "'$_'" }) -join ' '
        $hook = "$pwsh -NoProfile -NonInteractive -File '$(Join-Path $PSScriptRoot 'Sync-K3sNetLabSecurityGroup.ps1')' -LabPath '$($Lab.Path)'" +
            " >> '$(Join-Path $Lab.Path 'sync.log')' 2>&1"
        $cloud.Ec2 = Start-Ec2Emulator -State $state -OnChange $hook -NetworkNamespace $server.Namespace -AccessKey @{ AKIDK3SNETLAB = 'k3snet-lab-only' }
        $cloud.Ec2Url = $cloud.Ec2.Url
        $cloud.Ec2Control = $cloud.Ec2.Control
        $cloud.AwsParameters = [ordered]@{ Region = $script:LabRegion; AccessKey = 'AKIDK3SNETLAB'; SecretKey = 'k3snet-lab-only'; EndpointUrl = $cloud.Ec2Url }
    }
    catch {
        Stop-K3sNetLabCloud -Lab $Lab
        throw
    }
    return $cloud
}

function Stop-K3sNetLabCloud {
    <# Stops a lab's emulators and removes their files (idempotent). #>
    param([Parameter(Mandatory)] $Lab)

    if (-not $script:Clouds.ContainsKey($Lab.Prefix)) { return }
    $cloud = $script:Clouds[$Lab.Prefix]
    if ($cloud.Ec2) { Stop-Ec2Emulator -Emulator $cloud.Ec2 }
    if ($cloud.KubeApi) { Stop-KubeApiEmulator -Emulator $cloud.KubeApi }
    $script:Clouds.Remove($Lab.Prefix)
}
