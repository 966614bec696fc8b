using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Aws;

namespace K3sNet.Tests.Aws
{
    /// <summary>The one chooser Grant-K3sNodeTraffic and Test-K3sSecurityGroup share, on plain data.</summary>
    public sealed class SecurityGroupChooserTests
    {
        private const string Default = "sg-0default";
        private const string Cluster = "sg-0cluster";
        private const string Monitoring = "sg-0monitoring";
        private const string Other = "sg-0other";

        private static readonly Dictionary<string, Ec2SecurityGroup> Groups = new[]
        {
            new Ec2SecurityGroup(Default, "default", "vpc-1", Array.Empty<SecurityGroupRule>()),
            new Ec2SecurityGroup(Cluster, "k3s-nodes", "vpc-1", Array.Empty<SecurityGroupRule>()),
            new Ec2SecurityGroup(Monitoring, "monitoring", "vpc-1", Array.Empty<SecurityGroupRule>()),
            new Ec2SecurityGroup(Other, "k3s-extra", "vpc-1", Array.Empty<SecurityGroupRule>()),
        }.ToDictionary(g => g.GroupId);

        private static Ec2Instance Node(string id, string ip, params string[] groups) =>
            new(id, "running", "vpc-1", "subnet-a", ip, null, new[] { ip }, Array.Empty<string>(), groups);

        /// <summary>An interface EC2 reports in <paramref name="groups"/> for something that is not a node.</summary>
        private static Ec2NetworkInterface Outsider(string id, params string[] groups) =>
            new("eni-" + id, id, "subnet-a", new[] { "10.0.9.9" }, Array.Empty<string>(), groups);

        private static SecurityGroupChooser Chooser(IReadOnlyList<Ec2Instance> nodes, params Ec2NetworkInterface[] others) =>
            new(Groups, nodes, nodes.SelectMany(n => new[] { new Ec2NetworkInterface("eni-" + n.InstanceId, n.InstanceId, n.SubnetId, n.PrivateIpAddresses, n.Ipv6Addresses, n.GroupIds) })
                .Concat(others));

        [Fact]
        public void Changes_the_cluster_group_and_never_the_default_group_even_when_it_comes_first()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Default, Cluster), Node("i-2", "10.0.1.2", Default, Cluster) };

            GroupChoice choice = Chooser(nodes).ForDestination(nodes[0], "10.0.1.1");

            Assert.Equal((GroupChoiceKind.Chosen, Cluster), (choice.Kind, choice.GroupId));
            Assert.Contains("sg-0default (default) is the VPC's default group, which K3sNet never widens unless -GroupId names it", choice.Why, StringComparison.Ordinal);
            Assert.Equal(Cluster, Chooser(nodes).ForSource(nodes[1], "10.0.1.2", Cluster).GroupId);
        }

        [Fact]
        public void An_instance_with_only_the_default_group_gets_no_group_to_change_and_is_admitted_by_address()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Default), Node("i-2", "10.0.1.2", Default) };
            SecurityGroupChooser chooser = Chooser(nodes);

            GroupChoice destination = chooser.ForDestination(nodes[0], "10.0.1.1");
            GroupChoice source = chooser.ForSource(nodes[1], "10.0.1.2", destinationGroupId: null);

            Assert.Equal((GroupChoiceKind.DefaultOnly, null), (destination.Kind, destination.GroupId));
            Assert.Equal(new[] { Default }, destination.Candidates);
            Assert.Equal((GroupChoiceKind.NoClusterGroup, null), (source.Kind, source.GroupId));
        }

        [Fact]
        public void A_group_other_instances_carry_is_never_the_source_and_loses_to_the_cluster_group()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Monitoring, Cluster), Node("i-2", "10.0.1.2", Monitoring, Cluster) };
            SecurityGroupChooser chooser = Chooser(nodes, Outsider("i-prometheus", Monitoring));

            GroupChoice destination = chooser.ForDestination(nodes[0], "10.0.1.1");
            GroupChoice source = chooser.ForSource(nodes[1], "10.0.1.2", destinationGroupId: null);

            Assert.Equal(Cluster, destination.GroupId);
            Assert.Contains("sg-0monitoring (monitoring) also carries 1 instance outside the cluster", destination.Why, StringComparison.Ordinal);
            Assert.Equal(Cluster, source.GroupId);
        }

        [Fact]
        public void A_source_whose_only_group_other_instances_carry_is_admitted_by_its_address()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Cluster), Node("i-2", "10.0.1.2", Default, Monitoring) };
            SecurityGroupChooser chooser = Chooser(nodes, Outsider("i-prometheus", Monitoring));

            GroupChoice source = chooser.ForSource(nodes[1], "10.0.1.2", Cluster);

            Assert.Equal(GroupChoiceKind.NoClusterGroup, source.Kind);
            Assert.Contains("admitting one would admit them too", source.Why, StringComparison.Ordinal);
        }

        [Fact]
        public void A_source_that_carries_the_group_being_changed_is_admitted_by_it_even_if_others_carry_it()
        {
            // Grant given two of three nodes: the third is an instance K3sNet was not told about, yet a self-referencing
            // rule reaches only the group's own members, the instances the change reaches already.
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Default, Cluster), Node("i-2", "10.0.1.2", Cluster) };
            SecurityGroupChooser chooser = Chooser(nodes, Outsider("i-3", Cluster));

            GroupChoice source = chooser.ForSource(nodes[1], "10.0.1.2", Cluster);

            Assert.Equal((GroupChoiceKind.Chosen, Cluster), (source.Kind, source.GroupId));
            Assert.Contains("self-referencing", source.Why, StringComparison.Ordinal);
        }

        [Fact]
        public void Two_groups_that_carry_the_same_nodes_are_the_users_choice()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Cluster, Other), Node("i-2", "10.0.1.2", Cluster, Other) };
            SecurityGroupChooser chooser = Chooser(nodes);

            GroupChoice destination = chooser.ForDestination(nodes[0], "10.0.1.1");
            GroupChoice source = chooser.ForSource(nodes[1], "10.0.1.2", destinationGroupId: null);

            Assert.Equal(GroupChoiceKind.Ambiguous, destination.Kind);
            Assert.Equal(new[] { Cluster, Other }, destination.Candidates);
            Assert.Equal(GroupChoiceKind.Ambiguous, source.Kind);
        }

        [Fact]
        public void Of_the_cluster_groups_the_one_with_the_most_nodes_wins()
        {
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Cluster, Other), Node("i-2", "10.0.1.2", Cluster) };

            GroupChoice choice = Chooser(nodes).ForDestination(nodes[0], "10.0.1.1");

            Assert.Equal(Cluster, choice.GroupId);
            Assert.Contains("sg-0other (k3s-extra) carries fewer of them (1)", choice.Why, StringComparison.Ordinal);
        }

        [Fact]
        public void Chooses_among_the_groups_of_the_interface_that_holds_the_address()
        {
            var eth0 = new Ec2NetworkInterface("eni-0", "i-1", "subnet-a", new[] { "10.0.1.1" }, Array.Empty<string>(), new[] { Default, Cluster });
            var eth1 = new Ec2NetworkInterface("eni-1", "i-1", "subnet-b", new[] { "10.0.2.1" }, Array.Empty<string>(), new[] { Monitoring });
            var node = new Ec2Instance("i-1", "running", "vpc-1", "subnet-a", "10.0.1.1", null, new[] { "10.0.1.1", "10.0.2.1" }, Array.Empty<string>(),
                new[] { Default, Cluster, Monitoring }, new[] { eth0, eth1 });
            SecurityGroupChooser chooser = Chooser(new[] { node }, Outsider("i-prometheus", Monitoring));

            Assert.Equal(Cluster, chooser.ForDestination(node, "10.0.1.1").GroupId);
            Assert.Equal(Monitoring, chooser.ForDestination(node, "10.0.2.1").GroupId); // eth1's only group, shared or not
            Assert.Equal("subnet-b", node.SubnetFor("10.0.2.1"));
        }

        [Fact]
        public void Asks_who_else_carries_a_group_only_when_a_choice_depends_on_it()
        {
            Ec2Instance single = Node("i-1", "10.0.1.1", Default, Cluster);
            Ec2Instance several = Node("i-2", "10.0.1.2", Cluster, Monitoring);
            var chooser = new SecurityGroupChooser(Groups, new[] { single, several }, null);

            Assert.Empty(chooser.GroupsToCount(new (Ec2Instance, string?, bool, string?)[]
            {
                (single, "10.0.1.1", false, null),          // one group besides default: nothing to weigh
                (single, "10.0.1.1", true, Cluster),         // the source carries the group being changed, and no other
            }));
            Assert.Equal(new[] { Cluster, Monitoring }, chooser.GroupsToCount(new (Ec2Instance, string?, bool, string?)[] { (several, "10.0.1.2", true, Cluster) }));
            Assert.Equal(new[] { Cluster, Monitoring }, chooser.GroupsToCount(new (Ec2Instance, string?, bool, string?)[] { (several, "10.0.1.2", false, null) }));
            Assert.Equal(new[] { Cluster }, chooser.GroupsToCount(new (Ec2Instance, string?, bool, string?)[] { (single, "10.0.1.1", true, "sg-0elsewhere") }));
        }

        [Fact]
        public void A_source_in_a_shared_group_being_changed_is_admitted_by_its_cluster_group_if_it_has_one()
        {
            // agent-2's only group is monitoring, which prometheus carries too: that group changes. Agent-1 carries it as
            // well, but also k3s-nodes, which only nodes carry: the narrower source.
            Ec2Instance[] nodes = { Node("i-1", "10.0.1.1", Default, Cluster, Monitoring), Node("i-2", "10.0.1.2", Default, Monitoring) };
            SecurityGroupChooser chooser = Chooser(nodes, Outsider("i-prometheus", Monitoring));

            Assert.Equal(Monitoring, chooser.ForDestination(nodes[1], "10.0.1.2").GroupId);
            Assert.Equal(Cluster, chooser.ForSource(nodes[0], "10.0.1.1", Monitoring).GroupId);
        }
    }
}
