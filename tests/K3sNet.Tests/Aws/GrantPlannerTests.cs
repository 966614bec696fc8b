using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using K3sNet.Aws;

namespace K3sNet.Tests.Aws
{
    public sealed class GrantPlannerTests
    {
        private const string DestinationGroup = "sg-0dest";
        private const string SourceGroup = "sg-0source";

        private static readonly Ec2Instance Destination = Instance("i-dest", "10.0.1.10", DestinationGroup);
        private static readonly Ec2Instance Source = Instance("i-source", "10.0.1.21", SourceGroup);

        private static Ec2Instance Instance(string id, string ip, string group, string vpc = "vpc-1") =>
            new(id, "running", vpc, "subnet-a", ip, null, new[] { ip }, Array.Empty<string>(), new[] { group });

        private static Ec2SecurityGroup Group(string id, params SecurityGroupRule[] ingress) => new(id, id, "vpc-1", ingress);

        private static TrafficRequest Vxlan(
            string? groupId = null, string? destination = "10.0.1.10", string? source = "10.0.1.21", string? suggested = null,
            TrafficProtocol protocol = TrafficProtocol.Udp, int from = 8472, int to = 8472) =>
            new(groupId, destination, source, protocol, from, to, null, suggested,
                IngressPlanner.IsClusterOnly(protocol, from, to), $"{groupId ?? destination} {from}");

        private static GrantPlanner Planner(string[]? cidrs = null, string[]? groups = null, bool force = false) => new(cidrs, groups, force);

        /// <summary>Places and plans <paramref name="requests"/> against these instances and groups, as the cmdlet does.</summary>
        private static (GrantPlan Plan, IReadOnlyList<GrantNote> Notes) Run(
            GrantPlanner planner, IEnumerable<TrafficRequest> requests, IEnumerable<Ec2Instance>? instances = null, IEnumerable<Ec2SecurityGroup>? groups = null)
        {
            GrantPlacement placement = planner.Place(requests.ToList(), instances ?? new[] { Destination, Source });
            GrantPlan plan = planner.Plan(placement, groups ?? new[] { Group(DestinationGroup), Group(SourceGroup), Group("sg-0other") });
            return (plan, placement.Notes.Concat(plan.Notes).ToList());
        }

        private static IReadOnlyList<string> SourcesOf(GrantPlan plan) => plan.Groups.Single().Rules.Select(r => r.Source).ToList();

        [Fact]
        public void Looks_up_destinations_without_a_group_and_sources_it_may_admit_by_group_once_each()
        {
            TrafficRequest[] requests =
            {
                Vxlan(),
                Vxlan(from: 10250, to: 10250, protocol: TrafficProtocol.Tcp),     // the same two addresses again
                Vxlan(groupId: "sg-0other", destination: "10.0.9.9", source: "10.0.1.22"),
                Vxlan(source: "10.0.1.23", suggested: SourceGroup),                // Test already chose the source
                Vxlan(destination: "2001:db8::1", source: null),                   // EC2's private-address filter is IPv4
            };

            Assert.Equal(new[] { "10.0.1.10", "10.0.1.21", "10.0.1.22" }, Planner().AddressesToPlace(requests));
            Assert.Equal(new[] { "10.0.1.10" }, Planner(cidrs: new[] { "10.0.0.0/16" }).AddressesToPlace(requests));
        }

        [Fact]
        public void An_explicit_source_overrides_the_suggested_source_and_the_source_node_in_canonical_form()
        {
            (GrantPlan plan, _) = Run(Planner(cidrs: new[] { "10.0.7.7/16", "2001:db8:0:a::1/64" }, groups: new[] { "sg-0given" }),
                new[] { Vxlan(suggested: "10.9.9.9/32") });

            Assert.Equal(new[] { "sg-0given", "10.0.0.0/16", "2001:db8:0:a::/64" }, SourcesOf(plan));
        }

        [Fact]
        public void A_suggested_source_comes_before_the_source_node_and_a_cidr_is_made_canonical()
        {
            Assert.Equal(new[] { "sg-0suggested" }, SourcesOf(Run(Planner(), new[] { Vxlan(suggested: "sg-0suggested") }).Plan));
            Assert.Equal(new[] { "10.0.1.0/24" }, SourcesOf(Run(Planner(), new[] { Vxlan(suggested: "10.0.1.7/24") }).Plan));
            Assert.Equal(new[] { SourceGroup }, SourcesOf(Run(Planner(), new[] { Vxlan(suggested: "not a source") }).Plan));
        }

        [Fact]
        public void A_private_source_in_the_destinations_vpc_is_admitted_by_its_security_group()
        {
            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(), new[] { Vxlan() });

            GroupGrant grant = Assert.Single(plan.Groups);
            Assert.Equal(DestinationGroup, grant.Group.GroupId); // the destination instance's group
            SecurityGroupRule rule = Assert.Single(grant.Rules);
            Assert.Equal(SourceGroup, rule.ReferencedGroupId);
            Assert.Equal("k3s Flannel VXLAN overlay (pod-to-pod traffic between nodes) (K3sNet)", rule.Description);
            GrantNote.SourceGroupChosen chosen = Assert.IsType<GrantNote.SourceGroupChosen>(Assert.Single(notes));
            Assert.Equal(("10.0.1.21", "i-source", SourceGroup), (chosen.Address, chosen.InstanceId, chosen.GroupId));
            Assert.Contains("carries only the cluster's nodes", chosen.Why, StringComparison.Ordinal);
        }

        [Fact]
        public void Any_other_source_address_is_admitted_alone()
        {
            Ec2Instance elsewhere = Instance("i-elsewhere", "10.0.1.30", "sg-0elsewhere", vpc: "vpc-2");
            Ec2Instance[] instances = { Destination, Source, elsewhere };

            // Another VPC: a group reference would not match it.
            Assert.Equal(new[] { "10.0.1.30/32" }, SourcesOf(Run(Planner(), new[] { Vxlan(source: "10.0.1.30") }, instances).Plan));
            // A public address (say a flannel public IP): no group reference matches it either.
            Assert.Equal(new[] { "203.0.113.9/32" }, SourcesOf(Run(Planner(), new[] { Vxlan(source: "203.0.113.9") }, instances).Plan));
            // No instance has it.
            Assert.Equal(new[] { "10.0.5.5/32" }, SourcesOf(Run(Planner(), new[] { Vxlan(source: "10.0.5.5") }, instances).Plan));
            Assert.Equal(new[] { "2001:db8::7/128" }, SourcesOf(Run(Planner(), new[] { Vxlan(source: "2001:db8::7") }, instances).Plan));
        }

        [Fact]
        public void An_address_two_vpcs_share_names_the_instance_in_the_clusters_vpc_or_none()
        {
            // VPCs that overlap: the same private addresses as the destination and the source, in vpc-2.
            Ec2Instance destinationTwin = Instance("i-dest-twin", "10.0.1.10", "sg-0twin", vpc: "vpc-2");
            Ec2Instance sourceTwin = Instance("i-source-twin", "10.0.1.21", "sg-0twin", vpc: "vpc-2");
            Ec2Instance other = Instance("i-other", "10.0.1.40", "sg-0other");

            // Another request's address is vpc-1's alone, so vpc-1 is the cluster's; the source follows the destination.
            (GrantPlan plan, _) = Run(Planner(), new[] { Vxlan(), Vxlan(destination: "10.0.1.40", source: null) },
                new[] { destinationTwin, sourceTwin, Destination, Source, other });
            Assert.Equal(new[] { DestinationGroup, "sg-0other" }, plan.Groups.Select(g => g.Group.GroupId));
            Assert.Equal(SourceGroup, plan.Groups[0].Rules.Single().ReferencedGroupId);

            // Nothing says which VPC: no group is chosen, and the note names both instances.
            (GrantPlan none, IReadOnlyList<GrantNote> notes) = Run(Planner(), new[] { Vxlan(source: null) }, new[] { destinationTwin, Destination });
            Assert.Empty(none.Groups);
            var ambiguous = Assert.IsType<GrantNote.DestinationAmbiguous>(Assert.Single(notes));
            Assert.Equal(new[] { "i-dest-twin", "i-dest" }, ambiguous.InstanceIds);
        }

        [Fact]
        public void With_no_source_at_all_the_group_admits_its_own_members()
        {
            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(), new[] { Vxlan(groupId: "sg-0other", destination: null, source: null) });

            Assert.Equal(new[] { "sg-0other" }, SourcesOf(plan));
            Assert.IsType<GrantNote.OwnGroupChosen>(Assert.Single(notes));
        }

        [Fact]
        public void A_destination_no_instance_has_is_reported_and_left_out()
        {
            TrafficRequest lost = Vxlan(destination: "10.0.3.3");

            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(groups: new[] { SourceGroup }), new[] { lost, Vxlan() });

            Assert.Equal(new GrantNote.DestinationNotFound(lost), Assert.Single(notes));
            Assert.Equal(DestinationGroup, Assert.Single(plan.Groups).Group.GroupId);
        }

        [Fact]
        public void A_group_that_does_not_exist_is_reported_and_the_others_are_still_planned()
        {
            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(groups: new[] { SourceGroup }),
                new[] { Vxlan(groupId: "sg-0gone"), Vxlan(groupId: "sg-0other") });

            Assert.Equal(new GrantNote.SecurityGroupNotFound("sg-0gone"), Assert.Single(notes));
            Assert.Equal("sg-0other", Assert.Single(plan.Groups).Group.GroupId);
        }

        [Theory]
        [InlineData("0.0.0.0/0")]
        [InlineData("::/0")]
        public void A_cluster_only_port_is_never_opened_to_the_world_without_Force(string world)
        {
            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(cidrs: new[] { world }), new[] { Vxlan(groupId: DestinationGroup) });

            Assert.Empty(plan.Groups);
            GrantNote.WorldRefused refused = Assert.IsType<GrantNote.WorldRefused>(Assert.Single(notes));
            Assert.Equal(world, refused.Source);
        }

        [Fact]
        public void Force_opens_a_cluster_only_port_to_the_world_only_from_that_explicit_cidr()
        {
            (GrantPlan forced, IReadOnlyList<GrantNote> forcedNotes) = Run(Planner(cidrs: new[] { "::/0", "10.0.0.0/16" }, force: true),
                new[] { Vxlan(groupId: DestinationGroup) });
            Assert.Equal(new[] { "::/0", "10.0.0.0/16" }, SourcesOf(forced));
            Assert.IsType<GrantNote.WorldForced>(Assert.Single(forcedNotes));

            // -Force alone does not let a suggested world source through: only a CIDR the user typed does.
            (GrantPlan suggested, IReadOnlyList<GrantNote> suggestedNotes) = Run(Planner(force: true),
                new[] { Vxlan(groupId: DestinationGroup, suggested: "0.0.0.0/0") });
            Assert.Empty(suggested.Groups);
            Assert.IsType<GrantNote.WorldRefused>(Assert.Single(suggestedNotes));
        }

        [Fact]
        public void A_port_that_may_face_the_internet_is_opened_to_the_world_with_a_warning()
        {
            (GrantPlan plan, IReadOnlyList<GrantNote> notes) = Run(Planner(cidrs: new[] { "0.0.0.0/0" }),
                new[] { Vxlan(groupId: DestinationGroup, protocol: TrafficProtocol.Tcp, from: 6443, to: 6443) });

            Assert.Equal(new[] { "0.0.0.0/0" }, SourcesOf(plan));
            Assert.IsType<GrantNote.WorldOpened>(Assert.Single(notes));
        }

        [Fact]
        public void Each_group_gets_each_rule_once_in_request_order()
        {
            TrafficRequest[] requests =
            {
                Vxlan(groupId: "sg-0other", protocol: TrafficProtocol.Tcp, from: 5001, to: 5001),
                Vxlan(),                                                   // to the destination's group, from the source's
                Vxlan(groupId: DestinationGroup, suggested: SourceGroup),  // the same rule, named differently
                Vxlan(groupId: "sg-0other", protocol: TrafficProtocol.Tcp, from: 5001, to: 5001),
                Vxlan(groupId: "sg-0other"),
            };

            (GrantPlan plan, _) = Run(Planner(), requests);

            Assert.Equal(new[] { "sg-0other", DestinationGroup }, plan.Groups.Select(g => g.Group.GroupId));
            Assert.Equal(new int?[] { 5001, 8472 }, plan.Groups[0].Rules.Select(r => r.FromPort));
            Assert.Equal(SourceGroup, Assert.Single(plan.Groups[1].Rules).ReferencedGroupId);
        }

        [Fact]
        public void A_broader_existing_rule_makes_a_wanted_rule_already_present_and_the_rest_would_be_added()
        {
            var broader = new SecurityGroupRule("udp", 8000, 9000, CidrIpv4: "10.0.0.0/16", RuleId: "sgr-1");
            Ec2SecurityGroup group = Group("sg-0other", broader);

            (GrantPlan plan, _) = Run(Planner(cidrs: new[] { "10.0.1.0/24", "10.1.0.0/16" }), new[] { Vxlan(groupId: "sg-0other") }, groups: new[] { group });
            IReadOnlyList<RuleOutcome> outcomes = Assert.Single(plan.Groups).Compare();

            Assert.Equal(new[] { SecurityGroupChangeAction.AlreadyPresent, SecurityGroupChangeAction.WouldAdd }, outcomes.Select(o => o.Action));
            Assert.Same(broader, outcomes[0].Present);
            Assert.Equal("10.1.0.0/16", outcomes[1].Rule.Source);
            Assert.Null(outcomes[1].Present);
        }

        [Fact]
        public void A_source_the_group_already_admits_by_cidr_gets_no_group_rule_it_does_not_need()
        {
            var vpcWide = new SecurityGroupRule("udp", 8472, 8472, CidrIpv4: "10.0.0.0/16", RuleId: "sgr-vpc");
            Ec2SecurityGroup[] groups = { Group(DestinationGroup, vpcWide), Group(SourceGroup) };

            // A verdict blocked only by a network ACL suggests the source's group; the group already admits its address.
            (GrantPlan suggested, _) = Run(Planner(), new[] { Vxlan(suggested: SourceGroup) }, groups: groups);
            (GrantPlan chosen, _) = Run(Planner(), new[] { Vxlan() }, groups: groups);

            foreach (GrantPlan plan in new[] { suggested, chosen })
            {
                RuleOutcome outcome = Assert.Single(Assert.Single(plan.Groups).Compare());
                Assert.Equal(SecurityGroupChangeAction.AlreadyPresent, outcome.Action);
                Assert.Same(vpcWide, outcome.Present);
            }
        }

        [Fact]
        public void A_source_group_the_user_names_is_added_even_when_a_cidr_already_admits_the_source()
        {
            var vpcWide = new SecurityGroupRule("udp", 8472, 8472, CidrIpv4: "10.0.0.0/16", RuleId: "sgr-vpc");

            (GrantPlan plan, _) = Run(Planner(groups: new[] { SourceGroup }), new[] { Vxlan() }, groups: new[] { Group(DestinationGroup, vpcWide) });

            RuleOutcome outcome = Assert.Single(Assert.Single(plan.Groups).Compare());
            Assert.Equal(SecurityGroupChangeAction.WouldAdd, outcome.Action);
            Assert.Equal(SourceGroup, outcome.Rule.ReferencedGroupId);
        }

        [Fact]
        public void After_a_lost_race_the_group_read_again_decides_what_is_still_missing()
        {
            (GrantPlan plan, _) = Run(Planner(groups: new[] { SourceGroup }), new[] { Vxlan(groupId: "sg-0other") });
            GroupGrant grant = Assert.Single(plan.Groups);
            Assert.Equal(SecurityGroupChangeAction.WouldAdd, Assert.Single(grant.Compare()).Action);

            var raced = new SecurityGroupRule("udp", 8472, 8472, ReferencedGroupId: SourceGroup, RuleId: "sgr-race");
            GroupGrant reread = grant with { Group = Group("sg-0other", raced) };

            Assert.Equal("sgr-race", Assert.Single(reread.Compare()).Present?.RuleId);
        }

        [Fact]
        public void The_rule_EC2_created_is_found_by_protocol_ports_and_source()
        {
            SecurityGroupRule wanted = SecurityGroupRule.From(TrafficProtocol.Udp, 8472, 8472, SourceGroup, "k3s x (K3sNet)");
            SecurityGroupRule[] added =
            {
                new("udp", 8472, 8472, ReferencedGroupId: DestinationGroup, RuleId: "sgr-other"),
                new("udp", 8472, 8472, ReferencedGroupId: SourceGroup, RuleId: "sgr-mine"),
            };

            Assert.Equal("sgr-mine", GroupGrant.Created(added, wanted)?.RuleId);
            Assert.Null(GroupGrant.Created(Array.Empty<SecurityGroupRule>(), wanted));
        }

        [Fact]
        public void More_than_five_source_groups_of_one_port_become_one_cidr_over_their_subnets()
        {
            // Twenty nodes, each in a group of its own, in two subnets: a blocked group would need twenty rules.
            Ec2Instance[] sources = Enumerable.Range(1, 20)
                .Select(n => new Ec2Instance($"i-{n}", "running", "vpc-1", n % 2 == 0 ? "subnet-a" : "subnet-b", $"10.0.{n % 2 + 1}.{n + 100}", null,
                    new[] { $"10.0.{n % 2 + 1}.{n + 100}" }, Array.Empty<string>(), new[] { $"sg-0node{n}" }))
                .ToArray();
            TrafficRequest[] requests = sources.Select(s => Vxlan(source: s.PrivateIpAddress)).ToArray();
            Ec2SecurityGroup[] groups = sources.Select(s => Group(s.GroupIds[0])).Append(Group(DestinationGroup)).ToArray();
            GrantPlanner planner = Planner();
            GrantPlacement placement = planner.Place(requests, sources.Append(Destination));

            GrantPlan plan = planner.Plan(placement, groups);
            SourceConsolidation pending = Assert.Single(plan.Consolidations);
            Assert.Equal(20, pending.Replaced.Count);
            Assert.Empty(Assert.Single(plan.Groups).Rules);

            var subnetOf = sources.ToDictionary(s => s.PrivateIpAddress!, s => s.SubnetId == "subnet-a" ? "10.0.1.0/24" : "10.0.2.0/24");
            Assert.Equal(20, GrantPlanner.AddressesToCover(plan).Count);
            GrantPlan consolidated = GrantPlanner.Consolidate(plan, null, subnetOf, new[] { "10.0.0.0/16" });
            SecurityGroupRule rule = Assert.Single(Assert.Single(consolidated.Groups).Rules);
            Assert.Equal("10.0.0.0/22", rule.CidrIpv4); // the span of 10.0.1.0/24 and 10.0.2.0/24, inside the VPC's /16
            GrantNote.SourcesConsolidated note = Assert.Single(consolidated.Notes.OfType<GrantNote.SourcesConsolidated>());
            Assert.Contains("20 sources of udp/8472", note.Why, StringComparison.Ordinal);

            GrantPlan listed = GrantPlanner.Consolidate(plan, "pl-0123456789abcdef0", new Dictionary<string, string>(), Array.Empty<string>());
            Assert.Equal("pl-0123456789abcdef0", Assert.Single(Assert.Single(listed.Groups).Rules).PrefixListId);
        }

        [Fact]
        public void Five_source_groups_keep_a_rule_each_and_explicit_sources_are_never_consolidated()
        {
            Ec2Instance[] sources = Enumerable.Range(1, 5)
                .Select(n => Instance($"i-{n}", $"10.0.1.{n + 30}", $"sg-0node{n}"))
                .ToArray();
            GrantPlanner planner = Planner();
            GrantPlan plan = planner.Plan(planner.Place(sources.Select(s => Vxlan(source: s.PrivateIpAddress)).ToArray(), sources.Append(Destination)),
                sources.Select(s => Group(s.GroupIds[0])).Append(Group(DestinationGroup)));

            Assert.Empty(plan.Consolidations);
            Assert.Equal(5, Assert.Single(plan.Groups).Rules.Count);

            string[] many = Enumerable.Range(1, 8).Select(n => $"sg-0given{n}").ToArray();
            GrantPlan asked = Run(Planner(groups: many), new[] { Vxlan() }).Plan;
            Assert.Empty(asked.Consolidations);
            Assert.Equal(8, Assert.Single(asked.Groups).Rules.Count);
        }

        [Fact]
        public void Subnets_in_different_vpc_blocks_get_a_cidr_each_never_wider_than_the_vpc()
        {
            IPNetwork[] vpc = { Cidr.Parse("10.0.0.0/16"), Cidr.Parse("100.64.0.0/16") };
            IReadOnlyList<IPNetwork> cover = GrantPlanner.Cover(
                new[] { Cidr.Parse("10.0.1.0/24"), Cidr.Parse("10.0.3.0/24"), Cidr.Parse("100.64.8.0/22") }, vpc);

            Assert.Equal(new[] { "10.0.0.0/22", "100.64.8.0/22" }, cover.Select(c => c.ToString()));
            Assert.Equal("10.0.0.0/16", Cidr.Parse("10.0.1.0/24").Span(Cidr.Parse("10.0.200.0/24")).ToString());
        }
    }
}
