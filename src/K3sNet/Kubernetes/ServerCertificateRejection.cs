using System;
using System.Collections.Generic;
using System.Globalization;

namespace K3sNet.Kubernetes
{
    /// <summary>
    /// Why K3sNet refused an API server's certificate, with what the server offered, so the error can say the cause and
    /// the k3s fix instead of "unreachable". Certificates are public: subjects and names may be shown; nothing here is a
    /// credential.
    /// </summary>
    internal sealed record ServerCertificateRejection(
        ServerCertificateFault Fault,
        string Address,
        string Subject,
        string Issuer,
        IReadOnlyList<string> Names,
        IReadOnlyList<string> TrustedAuthorities,
        DateTime NotBefore,
        DateTime NotAfter)
    {
        /// <summary>One paragraph that names the cause, for the exception message.</summary>
        public string Describe(Uri server)
        {
            ArgumentNullException.ThrowIfNull(server);
            string offered = Names.Count == 0 ? "no names at all" : string.Join(", ", Names);
            return Fault switch
            {
                ServerCertificateFault.UntrustedAuthority => TrustedAuthorities.Count == 0
                    ? $"The API server {server} presented a certificate ({Subject}, issued by {Issuer}) that no certificate authority of this machine trusts, and the kubeconfig names none (certificate-authority-data)."
                    : $"The API server {server} presented a certificate ({Subject}, issued by {Issuer}) that is not trusted by the kubeconfig's CA ({string.Join("; ", TrustedAuthorities)}).",
                ServerCertificateFault.NameMismatch =>
                    $"The API server {server} presented a certificate that does not name the address used, {Address}: it names {offered}. "
                    + "k3s names only the addresses it knows (its node IPs, localhost and --tls-san), so a k3s.yaml pointed at another address, such as the node's public IP, is refused.",
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"The API server {server} presented a certificate ({Subject}) that is not valid now: it is valid from {NotBefore:u} to {NotAfter:u}."),
            };
        }
    }

    /// <summary>What is wrong with an API server's certificate, in the order K3sNet checks.</summary>
    internal enum ServerCertificateFault
    {
        /// <summary>It does not chain to the kubeconfig's CA (another cluster's, or a reinstalled server's).</summary>
        UntrustedAuthority,

        /// <summary>It is outside its validity period (expired, or this machine's clock is wrong).</summary>
        NotValidNow,

        /// <summary>Its subject alternative names do not include the address the kubeconfig's server: uses.</summary>
        NameMismatch,
    }
}
