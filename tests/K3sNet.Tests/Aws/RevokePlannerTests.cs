using System;
using System.Collections.Generic;
using System.Linq;
using K3sNet.Aws;

namespace K3sNet.Tests.Aws
{
    public sealed class RevokePlannerTests
    {
        private const string Group = "sg-0a";

        private static readonly SecurityGroupRule Vxlan = new("udp", 8472, 8472, ReferencedGroupId: Group, Description: "k3s Flannel VXLAN (K3sNet)", RuleId: "sgr-vxlan");
        private static readonly SecurityGroupRule Registry = new("tcp", 5001, 5001, ReferencedGroupId: Group, Description: "k3s registry (K3sNet)", RuleId: "sgr-registry");
        private static readonly SecurityGroupRule Kubelet = new("tcp", 10250, 10250, CidrIpv4: "10.0.0.0/16", Description: "kubelet", RuleId: "sgr-kubelet");
        private static readonly SecurityGroupRule Api = new("tcp", 6443, 6443, CidrIpv4: "10.0.0.0/16", RuleId: "sgr-api");

        private static readonly (string GroupId, SecurityGroupRule Rule)[] Current =
            new[] { Vxlan, Registry, Kubelet, Api }.Select(r => (Group, r)).ToArray();

        private static RevokeRequest Request(TrafficProtocol? protocol = null, int? from = null, int? to = null, string group = Group) =>
            new(group, protocol, from, to ?? from);

        private static GroupRevoke PlanOne(RevokePlanner planner, params RevokeRequest[] requests) =>
            Assert.Single(planner.Plan(requests, Current, new[] { Group }));

        [Fact]
        public void Without_sources_only_the_rules_K3sNet_added_are_meant()
        {
            var planner = new RevokePlanner(null, null);

            Assert.Equal(new[] { Vxlan, Registry }, PlanOne(planner, Request()).Rules);
            Assert.Equal(new[] { Registry }, PlanOne(planner, Request(TrafficProtocol.Tcp)).Rules);
            Assert.Equal(new[] { Vxlan }, PlanOne(planner, Request(TrafficProtocol.Udp, 8472)).Rules);
            Assert.Empty(PlanOne(planner, Request(TrafficProtocol.Tcp, 10250)).Rules); // someone else's rule stays
        }

        [Fact]
        public void With_sources_exactly_those_sources_are_meant_whoever_added_the_rule()
        {
            var planner = new RevokePlanner(new[] { "10.0.7.7/16" }, null);

            Assert.Equal(new[] { Kubelet, Api }, PlanOne(planner, Request()).Rules);
            Assert.Equal(new[] { Kubelet }, PlanOne(planner, Request(TrafficProtocol.Tcp, 10250)).Rules);
            Assert.Empty(PlanOne(planner, Request(TrafficProtocol.Tcp, 10250, 10251)).Rules); // ports must match exactly
            Assert.Equal(new[] { Vxlan, Registry }, PlanOne(new RevokePlanner(null, new[] { Group }), Request()).Rules);
        }

        [Fact]
        public void Protocol_All_matches_only_all_traffic_rules()
        {
            var all = new SecurityGroupRule("-1", null, null, ReferencedGroupId: Group, Description: "k3s everything (K3sNet)", RuleId: "sgr-all");
            GroupRevoke plan = Assert.Single(new RevokePlanner(null, null).Plan(new[] { Request(TrafficProtocol.All) }, new[] { (Group, all), (Group, Vxlan) }, new[] { Group }));

            Assert.Equal(new[] { all }, plan.Rules);
        }

        [Fact]
        public void A_request_nothing_matches_is_not_present_and_a_rule_two_requests_mean_is_removed_once()
        {
            GroupRevoke plan = PlanOne(new RevokePlanner(null, null), Request(TrafficProtocol.Udp, 8472), Request(), Request(TrafficProtocol.Tcp, 443));

            Assert.Equal(new[] { Vxlan, Registry }, plan.Rules);
            SecurityGroupChange notPresent = Assert.Single(plan.NotPresent);
            Assert.Equal(SecurityGroupChangeAction.NotPresent, notPresent.Action);
            Assert.Equal((TrafficProtocol.Tcp, 443, 443), (notPresent.Protocol, notPresent.FromPort, notPresent.ToPort));
            Assert.Equal("(rules K3sNet added)", notPresent.Source);
            Assert.Null(notPresent.RuleId);

            SecurityGroupChange withSources = Assert.Single(PlanOne(new RevokePlanner(new[] { "10.9.0.0/16" }, new[] { "sg-0b" }), Request()).NotPresent);
            Assert.Equal("sg-0b, 10.9.0.0/16", withSources.Source);
            Assert.Equal((TrafficProtocol.All, 0, 65535), (withSources.Protocol, withSources.FromPort, withSources.ToPort));
        }

        [Fact]
        public void Rules_chosen_without_a_port_mark_the_plan_as_the_change_that_asks_first()
        {
            var planner = new RevokePlanner(null, null);

            Assert.True(PlanOne(planner, Request()).WithoutPort);
            Assert.True(PlanOne(planner, Request(TrafficProtocol.Udp)).WithoutPort);
            Assert.True(PlanOne(planner, Request(TrafficProtocol.Udp, 8472), Request()).WithoutPort);
            Assert.False(PlanOne(planner, Request(TrafficProtocol.Udp, 8472)).WithoutPort);
            Assert.False(PlanOne(planner, Request(TrafficProtocol.Udp, 8472), Request(TrafficProtocol.Tcp, 443)).WithoutPort);
            // "All" traffic has no ports: it means the one all-traffic rule, not every rule.
            Assert.False(new RevokeRequest(Group, TrafficProtocol.All, null, null).NamesNoPort);
            // A request without a port that matches nothing removes nothing, so there is nothing to ask about.
            Assert.False(PlanOne(new RevokePlanner(new[] { "192.0.2.0/24" }, null), Request()).WithoutPort);
        }

        [Fact]
        public void Groups_are_planned_in_the_order_requests_name_them_and_a_missing_one_is_marked()
        {
            IReadOnlyList<GroupRevoke> plans = new RevokePlanner(null, null).Plan(
                new[] { Request(group: "sg-0gone"), Request(), Request(group: "sg-0gone") }, Current, new[] { Group });

            Assert.Equal(new[] { ("sg-0gone", false), (Group, true) }, plans.Select(p => (p.GroupId, p.Exists)));
            Assert.Empty(plans[0].Rules);
            Assert.Equal(new[] { "sg-0gone", Group }, RevokePlanner.GroupIds(new[] { Request(group: "sg-0gone"), Request(), Request(group: "sg-0gone") }));
        }

        [Fact]
        public void After_a_lost_race_only_the_rules_still_there_are_revoked_again()
        {
            (IReadOnlyList<SecurityGroupRule> remaining, IReadOnlyList<SecurityGroupRule> gone) =
                RevokePlanner.StillPresent(new[] { Vxlan, Registry }, new[] { Registry, Api });

            Assert.Equal(new[] { Registry }, remaining);
            Assert.Equal(new[] { Vxlan }, gone);
        }
    }
}
