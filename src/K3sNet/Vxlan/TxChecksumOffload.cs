using System;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// Reads whether a device has tx checksum offload on, the way `ethtool -k` does: the SIOCETHTOOL ioctl with
    /// ETHTOOL_GTXCSUM, which reports the device's NETIF_F_CSUM_MASK features (tx-checksum-ip-generic on flannel.1).
    /// No tool to install, and it works without root.
    /// </summary>
    internal static class TxChecksumOffload
    {
        private const ulong SiocEthtool = 0x8946;
        private const uint EthtoolGetTxChecksum = 0x00000016;
        private const int InterfaceNameSize = 16;  // IFNAMSIZ
        private const int InterfaceRequestSize = 40; // struct ifreq on 64-bit Linux: name, then a 24-byte union

        [DllImport("libc", SetLastError = true)]
        private static extern int ioctl(IntPtr fd, ulong request, IntPtr argument);

        /// <summary>
        /// Whether `ethtool -k DEVICE` (ethtool's own or k3s's) reports tx checksum offload on: its "tx-checksumming" line,
        /// which the kernel derives from the same NETIF_F_CSUM_MASK the ioctl reads, else "tx-checksum-ip-generic" (the one
        /// flannel.1 has). Null when the output names neither.
        /// </summary>
        public static bool? ParseEthtoolFeatures(string output)
        {
            bool? generic = null;
            foreach (string raw in output.Split('\n'))
            {
                string line = raw.Trim();
                int colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon < 0)
                {
                    continue;
                }

                string name = line[..colon];
                string[] value = line[(colon + 1)..].Trim().Split(' ');
                bool? on = value[0] switch { "on" => true, "off" => false, _ => null };
                if (name == "tx-checksumming" && on is not null)
                {
                    return on;
                }

                if (name == "tx-checksum-ip-generic")
                {
                    generic = on;
                }
            }

            return generic;
        }

        /// <summary>True or false as the kernel reports it; null with <paramref name="failure"/> when it cannot be read.</summary>
        public static bool? Read(string device, out string? failure)
        {
            byte[] name = Encoding.ASCII.GetBytes(device);
            if (name.Length >= InterfaceNameSize)
            {
                failure = $"'{device}' is not a valid interface name.";
                return null;
            }

            IntPtr request = Marshal.AllocHGlobal(InterfaceRequestSize);
            IntPtr value = Marshal.AllocHGlobal(8); // struct ethtool_value { u32 cmd; u32 data; }
            try
            {
                Marshal.Copy(new byte[InterfaceRequestSize], 0, request, InterfaceRequestSize);
                Marshal.Copy(name, 0, request, name.Length);
                Marshal.WriteIntPtr(request, InterfaceNameSize, value);
                Marshal.WriteInt32(value, 0, unchecked((int)EthtoolGetTxChecksum));
                Marshal.WriteInt32(value, 4, 0);
                using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                if (ioctl(socket.Handle, SiocEthtool, request) != 0)
                {
                    failure = $"SIOCETHTOOL on {device} failed (errno {Marshal.GetLastPInvokeError()}).";
                    return null;
                }

                failure = null;
                return Marshal.ReadInt32(value, 4) != 0;
            }
            finally
            {
                Marshal.FreeHGlobal(value);
                Marshal.FreeHGlobal(request);
            }
        }
    }
}
