using System.Linq;
using K3sNet.Vxlan;

namespace K3sNet.Tests.Vxlan
{
    public sealed class IpJsonTests
    {
        [Fact]
        public void Reads_flannel_1_as_the_lab_kernel_reports_it()
        {
            FlannelDevice? device = IpJson.ReadDevice(LabCapture.FlannelLink);
            Assert.Equal(new FlannelDevice("flannel.1", LabCapture.NodeAMac, 1450, 1, 8472, "10.0.1.10", "eth0", false), device);
        }

        [Fact]
        public void Reads_a_device_that_is_not_vxlan_without_vxlan_facts()
        {
            FlannelDevice? device = IpJson.ReadDevice(LabCapture.Eth0Link);
            Assert.NotNull(device);
            Assert.Null(device!.Vni);
            Assert.Equal(1500, device.Mtu);
        }

        [Fact]
        public void Reads_the_lower_device_mtu()
        {
            Assert.Equal(1500, IpJson.ReadMtu(LabCapture.Eth0Link));
        }

        [Fact]
        public void Reads_neighbour_fdb_and_route_entries()
        {
            Assert.Equal(
                new[] { new NeighbourEntry("10.42.2.0", LabCapture.NodeCMac, "PERMANENT"), new NeighbourEntry("10.42.1.0", LabCapture.NodeBMac, "PERMANENT") },
                IpJson.ReadNeighbours(LabCapture.Neighbours));
            Assert.Equal(
                new[] { new FdbEntry(LabCapture.NodeCMac, "10.0.1.250", true, true), new FdbEntry(LabCapture.NodeBMac, "10.0.1.11", true, true) },
                IpJson.ReadFdb(LabCapture.Fdb));
            Assert.Equal(
                new[] { new RouteEntry("10.42.1.0/24", "10.42.1.0", null, true), new RouteEntry("10.42.2.0/24", "10.42.2.0", null, true) },
                IpJson.ReadRoutes(LabCapture.Routes));
        }

        [Fact]
        public void Lower_cases_macs_so_annotations_compare_equal()
        {
            var fdb = IpJson.ReadFdb("""[{"mac":"AA:BB:CC:DD:EE:FF","dst":"10.0.1.11","flags":["self"],"state":"permanent"}]""");
            Assert.Equal("aa:bb:cc:dd:ee:ff", fdb.Single().Mac);
        }

        [Theory]
        [InlineData("")]
        [InlineData("not json")]
        [InlineData("{}")]
        [InlineData("[1, \"x\", null]")]
        [InlineData("[{\"mtu\":\"big\"}]")]
        [InlineData("[{\"ifname\":\"flannel.1\",\"linkinfo\":{\"info_kind\":\"vxlan\",\"info_data\":[]}}]")]
        public void Reads_nothing_from_garbage_and_never_throws(string json)
        {
            Assert.Empty(IpJson.ReadNeighbours(json));
            Assert.Empty(IpJson.ReadFdb(json));
            Assert.Empty(IpJson.ReadRoutes(json));
            FlannelDevice? device = IpJson.ReadDevice(json);
            Assert.True(device is null || device.Vni is null);
        }

        [Fact]
        public void A_neighbour_state_that_is_not_a_string_is_read_as_unknown()
        {
            NeighbourEntry entry = Assert.Single(IpJson.ReadNeighbours("""[{"dst":"10.42.1.0","lladdr":"02:00:00:00:00:01","state":[7]}]"""));
            Assert.Null(entry.State);
        }
    }
}
