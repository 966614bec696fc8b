using System;
using System.Net;
using System.Net.Sockets;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>CIDR parsing and canonical form as EC2 applies it (<c>100.68.0.18/18</c> is stored as <c>100.68.0.0/18</c>).</summary>
    internal static class Cidr
    {
        public static bool TryCanonical(string? text, AddressFamily family, out string canonical)
        {
            canonical = string.Empty;
            if (text is null)
            {
                return false;
            }

            string[] parts = text.Split('/');
            if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out IPAddress? address) || address.AddressFamily != family
                || !int.TryParse(parts[1], out int length))
            {
                return false;
            }

            byte[] bytes = address.GetAddressBytes();
            if (length < 0 || length > bytes.Length * 8)
            {
                return false;
            }

            for (int bit = length; bit < bytes.Length * 8; bit++)
            {
                bytes[bit / 8] &= (byte)~(0x80 >> (bit % 8));
            }

            canonical = $"{new IPAddress(bytes)}/{length}";
            return true;
        }

        public static bool Contains(string cidr, string address)
        {
            string[] parts = cidr.Split('/');
            if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out IPAddress? network) || !IPAddress.TryParse(address, out IPAddress? ip)
                || network.AddressFamily != ip.AddressFamily)
            {
                return false;
            }

            int length = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
            byte[] a = network.GetAddressBytes();
            byte[] b = ip.GetAddressBytes();
            for (int bit = 0; bit < length; bit++)
            {
                int mask = 0x80 >> (bit % 8);
                if ((a[bit / 8] & mask) != (b[bit / 8] & mask))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
