using System;
using System.Globalization;
using System.Text;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>The emulator's opaque continue tokens: where the next page starts. Clients must pass them back unread.</summary>
    internal static class ContinueToken
    {
        private const string Prefix = "k3snet-emulator:";

        public static string Write(int offset) =>
            Convert.ToBase64String(Encoding.UTF8.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture)));

        public static bool TryRead(string token, out int offset)
        {
            offset = 0;
            try
            {
                string text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
                return text.StartsWith(Prefix, StringComparison.Ordinal)
                    && int.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
