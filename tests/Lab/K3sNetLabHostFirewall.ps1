# The lab's host-firewall faults: what a node's own kernel and firewall do to the pod path (issue 14), as opposed to
# the security groups, which filter on the subnet (the bridge namespace). Dot-sourced by K3sNetLab.psm1;
# Set-K3sNetLabFault and Clear-K3sNetLabFault call in here.
#
# Each fault writes what the real tool writes, the way it writes it: the iptables rules through iptables-nft-restore
# (Debian's iptables package), so `nft -j list ruleset` on the node shows exactly what it shows on a k3s node with
# Docker, ufw or an Oracle Cloud image: `table ip filter` with the tools' chain names, iptables-nft's counters, and its
# xt matches (`-m comment`, `-m addrtype`) where nftables has no native form.
#
#   ForwardPolicyDrop  Docker (27's rule shape) started after k3s: FORWARD policy drop, Docker's jumps inserted first
#                      (DOCKER-USER, DOCKER-ISOLATION-STAGE-1, the docker0 rules), its nat rules, a docker0 bridge.
#                      Docker's rules never touch cni0 or flannel.1; what drops pod traffic is the policy, once nothing
#                      in FORWARD accepts it. So the fault also takes out FORWARD's jump to flannel's FLANNEL-FWD (if
#                      the node has one): flannel's accept rules are not in this FORWARD, as on a node whose k3s
#                      iptables runs on the other backend (legacy) than Docker's, or after a reload of saved rules that
#                      predate k3s. -KeepFlannelForward leaves the jump: the policy drop then drops nothing of the pods'.
#   UfwRoutedDeny      ufw enabled with its stock before/after rules and the k3s docs' allows (22, 6443, 10250/tcp,
#                      8472/udp, and from 10.42.0.0/16 and 10.43.0.0/16), default deny incoming, deny routed: INPUT
#                      and FORWARD policy drop behind ufw-before-*/ufw-user-*/ufw-after-*. ufw-before-forward accepts
#                      ICMP echo requests, so a ping between pods passes while TCP and UDP between them are dropped.
#                      Like ForwardPolicyDrop, FORWARD's jump to FLANNEL-FWD is taken out (-KeepFlannelForward keeps it).
#   IpForwardOff       net.ipv4.ip_forward=0: the node stops routing, so pod traffic never leaves cni0 for flannel.1.
#   OciRejectVxlan     Oracle Cloud's stock /etc/iptables/rules.v4 loaded at boot, before k3s: INPUT accepts
#                      established, ICMP, lo, NTP replies and SSH, then `-j REJECT --reject-with icmp-host-prohibited`;
#                      FORWARD the same REJECT. The admin inserted 6443 and 10250 before the REJECT, as the guides say,
#                      but appended UDP 8472 (`iptables -A`), after it: never reached. Peers' VXLAN gets
#                      "host prohibited" back.
#   RpFilterStrict     A second NIC: eth1 (a second ENI, 10.0.1.251-254, on the same subnet), a host route to -Peer's
#                      underlay (every peer's without -Peer) through it, and rp_filter=1 (all, default, eth0, eth1) as
#                      RHEL ships it, arp_ignore=1/arp_announce=2 so each NIC answers ARP for its own address only.
#                      The peer's VXLAN arrives on eth0 (flannel.1's device), but the route back to the peer leaves by
#                      eth1: strict reverse-path filtering drops it (the kernel counts TcpExtIPReversePathFilter).
#   Cni0Down           cni0 set down: the node's pods lose their gateway.
#
# Clear-K3sNetLabFault puts a node back exactly: the ruleset it had before its first host fault (saved as text, which
# `nft -f` reloads: the lab's own rules have no xt matches), the sysctls it had, no eth1, no docker0, cni0 up.
$script:HostFaults = @('ForwardPolicyDrop', 'UfwRoutedDeny', 'IpForwardOff', 'OciRejectVxlan', 'RpFilterStrict', 'Cni0Down')
$script:HostSysctls = @(
    'net.ipv4.ip_forward', 'net.ipv4.conf.all.rp_filter', 'net.ipv4.conf.default.rp_filter', 'net.ipv4.conf.eth0.rp_filter',
    'net.ipv4.conf.all.arp_ignore', 'net.ipv4.conf.all.arp_announce'
)

function Test-K3sNetLabHostFirewallSupport {
    <# Why the host-firewall faults cannot run here (they write iptables rules with iptables-nft-restore), or $null. #>
    [OutputType([string])]
    param()

    $reason = Test-K3sNetLabSupport
    if ($reason) { return $reason }
    if (-not (Get-Command iptables-nft-restore -CommandType Application -ErrorAction Ignore)) {
        return "the host-firewall faults need 'iptables-nft-restore' (apt-get install iptables)"
    }
    return $null
}

function Get-HostFaultState($Lab) {
    # Per node, what its first host fault found (ruleset, sysctls), so Clear puts exactly that back.
    if (-not $Lab.Faults.PSObject.Properties['HostFirewall']) {
        $Lab.Faults | Add-Member -NotePropertyName HostFirewall -NotePropertyValue ([pscustomobject]@{})
    }
    return $Lab.Faults.HostFirewall
}

function Save-NodeHostState($Lab, $Node) {
    $states = Get-HostFaultState $Lab
    if ($states.PSObject.Properties[$Node.Name]) { return }
    $ruleset = (Invoke-InNamespace $Node.Namespace nft @('list', 'ruleset')) -join "`n"
    $values = @(Invoke-InNamespace $Node.Namespace sysctl (@('-n') + $script:HostSysctls))
    $sysctls = [ordered]@{}
    for ($i = 0; $i -lt $script:HostSysctls.Count; $i++) { $sysctls[$script:HostSysctls[$i]] = "$($values[$i])".Trim() }
    $states | Add-Member -NotePropertyName $Node.Name -NotePropertyValue ([pscustomobject]@{
            Ruleset    = $ruleset
            Sysctls    = [pscustomobject]$sysctls
            SecondNic  = $null
            Docker0    = $false
        })
}

function Invoke-IptablesRestore($Node, [string] $Rules) {
    # --noflush: the tool's rules join the tables k3s already has, as iptables-nft does on a real node.
    $null = Invoke-InNamespace $Node.Namespace iptables-nft-restore @('--noflush') -InputText $Rules
}

function Remove-FlannelForwardJump($Node) {
    # FORWARD's jump to FLANNEL-FWD, by handle (the chain itself stays: nothing jumps to it any more).
    $listing = Invoke-InNamespace $Node.Namespace nft @('-j', 'list', 'ruleset') | ConvertFrom-Json
    $jumps = $listing.nftables | Where-Object { $_.PSObject.Properties['rule'] } | ForEach-Object rule |
        Where-Object { $_.family -eq 'ip' -and $_.table -eq 'filter' -and $_.chain -eq 'FORWARD' } |
        Where-Object { @($_.expr | Where-Object { $_.PSObject.Properties['jump'] -and $_.jump.target -eq 'FLANNEL-FWD' }).Count }
    foreach ($rule in $jumps) {
        $null = Invoke-InNamespace $Node.Namespace nft @('delete', 'rule', 'ip', 'filter', 'FORWARD', 'handle', "$($rule.handle)")
    }
}

function Get-DockerRules {
    # `iptables-save` of a Docker 27 host, in the order Docker's -I puts them (each insert lands above k3s's rules).
    @'
*nat
:PREROUTING ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-I PREROUTING 1 -m addrtype --dst-type LOCAL -j DOCKER
-I OUTPUT 1 ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-I POSTROUTING 1 -s 172.17.0.0/16 ! -o docker0 -j MASQUERADE
-A DOCKER -i docker0 -j RETURN
COMMIT
*filter
:FORWARD DROP [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-I FORWARD 1 -j DOCKER-USER
-I FORWARD 2 -j DOCKER-ISOLATION-STAGE-1
-I FORWARD 3 -o docker0 -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-I FORWARD 4 -o docker0 -j DOCKER
-I FORWARD 5 -i docker0 ! -o docker0 -j ACCEPT
-I FORWARD 6 -i docker0 -o docker0 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
'@
}

function Get-UfwRules {
    <#
    ufw's filter rules as `iptables-save` shows them on an iptables-nft host after `ufw enable` (ufw 0.36: before.rules,
    after.rules, user.rules with the k3s docs' allows; /etc/default/ufw: DEFAULT_INPUT_POLICY=DROP,
    DEFAULT_FORWARD_POLICY=DROP, logging low). ufw's jumps go first in INPUT and FORWARD, above k3s's rules.
    #>
    $chains = @(
        'ufw-after-forward', 'ufw-after-input', 'ufw-after-logging-forward', 'ufw-after-logging-input', 'ufw-after-logging-output',
        'ufw-after-output', 'ufw-before-forward', 'ufw-before-input', 'ufw-before-logging-forward', 'ufw-before-logging-input',
        'ufw-before-logging-output', 'ufw-before-output', 'ufw-logging-allow', 'ufw-logging-deny', 'ufw-not-local',
        'ufw-reject-forward', 'ufw-reject-input', 'ufw-reject-output', 'ufw-skip-to-policy-forward', 'ufw-skip-to-policy-input',
        'ufw-skip-to-policy-output', 'ufw-track-forward', 'ufw-track-input', 'ufw-track-output', 'ufw-user-forward',
        'ufw-user-input', 'ufw-user-limit', 'ufw-user-limit-accept', 'ufw-user-logging-forward', 'ufw-user-logging-input',
        'ufw-user-logging-output', 'ufw-user-output'
    )
    $jumps = foreach ($hook in 'INPUT', 'FORWARD', 'OUTPUT') {
        $suffix = $hook.ToLowerInvariant()
        $order = 'ufw-before-logging', 'ufw-before', 'ufw-after', 'ufw-after-logging', 'ufw-reject', 'ufw-track'
        for ($i = 0; $i -lt $order.Count; $i++) { "-I $hook $($i + 1) -j $($order[$i])-$suffix" }
    }
    $user = foreach ($allow in @(
            @('tcp', 22), @('tcp', 6443), @('tcp', 10250), @('udp', 8472)
        )) {
        "-A ufw-user-input -p $($allow[0]) -m $($allow[0]) --dport $($allow[1]) -j ACCEPT"
    }
    @(
        '*filter'
        ':INPUT DROP [0:0]'
        ':FORWARD DROP [0:0]'
        ':OUTPUT ACCEPT [0:0]'
        $chains | ForEach-Object { ":$_ - [0:0]" }
        $jumps
        '-A ufw-after-input -p udp -m udp --dport 137 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -p udp -m udp --dport 138 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -p tcp -m tcp --dport 139 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -p tcp -m tcp --dport 445 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -p udp -m udp --dport 67 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -p udp -m udp --dport 68 -j ufw-skip-to-policy-input'
        '-A ufw-after-input -m addrtype --dst-type BROADCAST -j ufw-skip-to-policy-input'
        '-A ufw-after-logging-forward -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "'
        '-A ufw-after-logging-input -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "'
        '-A ufw-before-forward -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
        '-A ufw-before-forward -p icmp -m icmp --icmp-type 3 -j ACCEPT'
        '-A ufw-before-forward -p icmp -m icmp --icmp-type 11 -j ACCEPT'
        '-A ufw-before-forward -p icmp -m icmp --icmp-type 12 -j ACCEPT'
        '-A ufw-before-forward -p icmp -m icmp --icmp-type 8 -j ACCEPT'
        '-A ufw-before-forward -j ufw-user-forward'
        '-A ufw-before-input -i lo -j ACCEPT'
        '-A ufw-before-input -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
        '-A ufw-before-input -m conntrack --ctstate INVALID -j ufw-logging-deny'
        '-A ufw-before-input -m conntrack --ctstate INVALID -j DROP'
        '-A ufw-before-input -p icmp -m icmp --icmp-type 3 -j ACCEPT'
        '-A ufw-before-input -p icmp -m icmp --icmp-type 11 -j ACCEPT'
        '-A ufw-before-input -p icmp -m icmp --icmp-type 12 -j ACCEPT'
        '-A ufw-before-input -p icmp -m icmp --icmp-type 8 -j ACCEPT'
        '-A ufw-before-input -p udp -m udp --sport 67 --dport 68 -j ACCEPT'
        '-A ufw-before-input -j ufw-not-local'
        '-A ufw-before-input -d 224.0.0.251/32 -p udp -m udp --dport 5353 -j ACCEPT'
        '-A ufw-before-input -d 239.255.255.250/32 -p udp -m udp --dport 1900 -j ACCEPT'
        '-A ufw-before-input -j ufw-user-input'
        '-A ufw-before-output -o lo -j ACCEPT'
        '-A ufw-before-output -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT'
        '-A ufw-before-output -j ufw-user-output'
        '-A ufw-logging-allow -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW ALLOW] "'
        '-A ufw-logging-deny -m conntrack --ctstate INVALID -m limit --limit 3/min --limit-burst 10 -j RETURN'
        '-A ufw-logging-deny -m limit --limit 3/min --limit-burst 10 -j LOG --log-prefix "[UFW BLOCK] "'
        '-A ufw-not-local -m addrtype --dst-type LOCAL -j RETURN'
        '-A ufw-not-local -m addrtype --dst-type MULTICAST -j RETURN'
        '-A ufw-not-local -m addrtype --dst-type BROADCAST -j RETURN'
        '-A ufw-not-local -m limit --limit 3/min --limit-burst 10 -j ufw-logging-deny'
        '-A ufw-not-local -j DROP'
        '-A ufw-skip-to-policy-forward -j DROP'
        '-A ufw-skip-to-policy-input -j DROP'
        '-A ufw-skip-to-policy-output -j ACCEPT'
        '-A ufw-track-output -p tcp -m conntrack --ctstate NEW -j ACCEPT'
        '-A ufw-track-output -p udp -m conntrack --ctstate NEW -j ACCEPT'
        $user
        '-A ufw-user-input -s 10.42.0.0/16 -j ACCEPT'
        '-A ufw-user-input -s 10.43.0.0/16 -j ACCEPT'
        '-A ufw-user-limit -m limit --limit 3/min -j LOG --log-prefix "[UFW LIMIT BLOCK] "'
        '-A ufw-user-limit -j REJECT --reject-with icmp-port-unreachable'
        '-A ufw-user-limit-accept -j ACCEPT'
        'COMMIT'
    ) -join "`n"
}

function Get-OciRules {
    <#
    Oracle Cloud's Ubuntu image: /etc/iptables/rules.v4 (netfilter-persistent loads it at boot, before k3s starts, so
    its rules come first), then the admin's inserts of 6443 and 10250 above the REJECT and an append of UDP 8472
    below it. The InstanceServices chain (the image's rules for 169.254.0.0/16) is left out: it is in OUTPUT only.
    #>
    @'
*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-I INPUT 1 -m state --state RELATED,ESTABLISHED -j ACCEPT
-I INPUT 2 -p icmp -j ACCEPT
-I INPUT 3 -i lo -j ACCEPT
-I INPUT 4 -p udp -m udp --sport 123 -j ACCEPT
-I INPUT 5 -p tcp -m state --state NEW -m tcp --dport 22 -j ACCEPT
-I INPUT 6 -p tcp -m state --state NEW -m tcp --dport 6443 -j ACCEPT
-I INPUT 7 -p tcp -m state --state NEW -m tcp --dport 10250 -j ACCEPT
-I INPUT 8 -j REJECT --reject-with icmp-host-prohibited
-A INPUT -p udp -m udp --dport 8472 -j ACCEPT
-I FORWARD 1 -j REJECT --reject-with icmp-host-prohibited
COMMIT
'@
}

function Set-LabHostFault {
    param([Parameter(Mandatory)] $Lab, [Parameter(Mandatory)] $Node, [Parameter(Mandatory)] [string] $Fault, [string] $Peer, [switch] $KeepFlannelForward)

    $reason = Test-K3sNetLabHostFirewallSupport
    if ($Fault -in 'ForwardPolicyDrop', 'UfwRoutedDeny', 'OciRejectVxlan' -and $reason) { throw "Cannot set $Fault on $($Node.Name): $reason." }
    Save-NodeHostState $Lab $Node
    $state = (Get-HostFaultState $Lab).($Node.Name)
    switch ($Fault) {
        'ForwardPolicyDrop' {
            Invoke-Batch ip $Node.Namespace @(
                'link add docker0 type bridge'
                'addr add 172.17.0.1/16 dev docker0'
                'link set docker0 up'
            )
            $state.Docker0 = $true
            Invoke-IptablesRestore $Node (Get-DockerRules)
            if (-not $KeepFlannelForward) { Remove-FlannelForwardJump $Node }
        }
        'UfwRoutedDeny' {
            Invoke-IptablesRestore $Node (Get-UfwRules)
            if (-not $KeepFlannelForward) { Remove-FlannelForwardJump $Node }
        }
        'IpForwardOff' {
            $null = Invoke-InNamespace $Node.Namespace sysctl @('-q', '-w', 'net.ipv4.ip_forward=0')
        }
        'OciRejectVxlan' {
            Invoke-IptablesRestore $Node (Get-OciRules)
        }
        'RpFilterStrict' {
            if (-not $state.SecondNic) {
                $address = "10.0.1.$(251 + $Node.Index % 4)"
                $port = "w$($Node.Index)"
                Invoke-Batch ip $Lab.BridgeNamespace @(
                    "link add $port mtu $($Lab.UnderlayMtu) type veth peer name eth1 mtu $($Lab.UnderlayMtu) netns $($Node.Namespace)"
                    "link set $port master br0 up"
                )
                $state.SecondNic = [pscustomobject]@{ Address = $address; BridgePort = $port }
                # Each NIC answers ARP for its own address only (a multi-NIC host's usual setting; EC2's fabric does the
                # same), so the peers keep sending to eth0's address on eth0.
                $null = Invoke-InNamespace $Node.Namespace sysctl @('-q', '-w', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2')
                Invoke-Batch ip $Node.Namespace @(
                    "addr add $address/24 dev eth1 noprefixroute"
                    'link set eth1 up'
                )
            }
            $peers = if ($Peer) { @(Get-LabNode $Lab $Peer) } else { @($Lab.Nodes | Where-Object Name -NE $Node.Name) }
            Invoke-Batch ip $Node.Namespace @($peers | ForEach-Object { "route replace $($_.UnderlayAddress)/32 dev eth1 src $($state.SecondNic.Address)" })
            # RHEL's defaults: strict everywhere (a new device inherits default).
            $null = Invoke-InNamespace $Node.Namespace sysctl @('-q', '-w', 'net.ipv4.conf.all.rp_filter=1', 'net.ipv4.conf.default.rp_filter=1',
                'net.ipv4.conf.eth0.rp_filter=1', 'net.ipv4.conf.eth1.rp_filter=1')
        }
        'Cni0Down' {
            $links = @(Invoke-InNamespace $Node.Namespace ip @('-j', 'link', 'show') | ConvertFrom-Json | ForEach-Object ifname)
            if ('cni0' -notin $links) { throw "Cannot set Cni0Down on $($Node.Name): it has no cni0 (the lab's pod network builds it)." }
            Invoke-Batch ip $Node.Namespace @('link set cni0 down')
        }
    }
}

function Clear-LabHostFault($Lab) {
    # Every node a host fault touched, back to what its first fault found.
    if (-not $Lab.Faults.PSObject.Properties['HostFirewall']) { return }
    $existing = Get-NamespaceName
    foreach ($property in @($Lab.Faults.HostFirewall.PSObject.Properties)) {
        $node = $Lab.Nodes | Where-Object Name -EQ $property.Name
        $state = $property.Value
        if (-not $node -or $node.Namespace -notin $existing) { continue }
        if ($state.SecondNic) {
            # The bridge's end goes, and the node's eth1 with it (and its routes).
            Invoke-Batch ip $Lab.BridgeNamespace @("link delete $($state.SecondNic.BridgePort)")
        }
        $lines = [Collections.Generic.List[string]]::new()
        if ($state.Docker0) { $lines.Add('link delete docker0') }
        $links = @(Invoke-InNamespace $node.Namespace ip @('-j', 'link', 'show') | ConvertFrom-Json | ForEach-Object ifname)
        if ('cni0' -in $links) { $lines.Add('link set cni0 up') }
        Invoke-Batch ip $node.Namespace @($lines)
        $null = Invoke-InNamespace $node.Namespace nft @('-f', '-') -InputText ("flush ruleset`n" + $state.Ruleset + "`n")
        $assignments = @($state.Sysctls.PSObject.Properties | ForEach-Object { "$($_.Name)=$($_.Value)" })
        $null = Invoke-InNamespace $node.Namespace sysctl (@('-q', '-w') + $assignments)
    }
    $Lab.Faults.HostFirewall = [pscustomobject]@{}
}
