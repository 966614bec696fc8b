using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using k8s;
using K3sNet.Kubernetes;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// Checks the API server's certificate as kubectl does, and remembers why it refused one so the failure can be told
    /// by its cause. kubectl trusts only the kubeconfig's CA and requires the certificate to name the address used.
    /// KubernetesClient 21 checks the CA but, for a chain to a CA of the kubeconfig's own (every k3s cluster), not the
    /// name, so a k3s.yaml pointed at an address the server does not know would work here and fail in kubectl; and when
    /// it refuses a certificate, it says only that the SSL connection could not be established.
    /// </summary>
    internal sealed class ServerCertificateCheck
    {
        private const string SubjectAlternativeNameOid = "2.5.29.17";

        private readonly X509Certificate2Collection? _authorities;
        private readonly string _host;
        private ServerCertificateRejection? _rejection;

        private ServerCertificateCheck(X509Certificate2Collection? authorities, string host)
        {
            _authorities = authorities;
            _host = host;
        }

        /// <summary>
        /// Puts the check on the client's handler in place of the library's (which it includes), unless the kubeconfig
        /// says insecure-skip-tls-verify or the server is plain http. The handler comes from
        /// <see cref="KubernetesClientConfiguration.FirstMessageHandlerSetup"/>, which the client calls before it sets
        /// its own callback: so call this after the client is built, before its first request.
        /// </summary>
        public static ServerCertificateCheck? Install(SocketsHttpHandler? handler, KubernetesClientConfiguration configuration)
        {
            ArgumentNullException.ThrowIfNull(configuration);
            if (handler is null || configuration.SkipTlsVerify
                || !Uri.TryCreate(configuration.Host, UriKind.Absolute, out Uri? server) || server.Scheme != Uri.UriSchemeHttps)
            {
                return null;
            }

            var check = new ServerCertificateCheck(configuration.SslCaCerts, string.IsNullOrEmpty(configuration.TlsServerName) ? server.Host : configuration.TlsServerName);
            handler.SslOptions.RemoteCertificateValidationCallback = check.Validate;
            return check;
        }

        /// <summary>
        /// Puts the same check on another handler of the same client: the one the exec WebSocket connects through, which
        /// the library would otherwise give its own callback (CA only, no name).
        /// </summary>
        public void InstallOn(SocketsHttpHandler handler)
        {
            ArgumentNullException.ThrowIfNull(handler);
            handler.SslOptions.RemoteCertificateValidationCallback = Validate;
        }

        /// <summary>Why the last certificate was refused, once: null when none was since the last call.</summary>
        public ServerCertificateRejection? TakeRejection() => Interlocked.Exchange(ref _rejection, null);

        private bool Validate(object sender, X509Certificate? presented, X509Chain? presentedChain, SslPolicyErrors errors)
        {
            if (presented is null)
            {
                return false;
            }

            X509Certificate2 certificate = presented as X509Certificate2 ?? new X509Certificate2(presented);
            string address = sender is SslStream stream && !string.IsNullOrEmpty(stream.TargetHostName) ? stream.TargetHostName : _host;
            IReadOnlyList<string> names = AlternativeNames(certificate);
            ServerCertificateFault? fault = ChainFault(certificate, presentedChain)
                ?? (ServerCertificateNames.Cover(names, address) ? null : ServerCertificateFault.NameMismatch);
            if (fault is null)
            {
                return true;
            }

            Volatile.Write(ref _rejection, new ServerCertificateRejection(
                fault.Value,
                address.Trim('[', ']'),
                certificate.Subject,
                certificate.Issuer,
                names,
                (_authorities ?? new X509Certificate2Collection()).Select(a => a.Subject).ToArray(),
                certificate.NotBefore.ToUniversalTime(),
                certificate.NotAfter.ToUniversalTime()));
            return false;
        }

        /// <summary>Null when the certificate chains to the kubeconfig's CA (or, without one, to this machine's roots).</summary>
        private ServerCertificateFault? ChainFault(X509Certificate2 certificate, X509Chain? presentedChain)
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            if (_authorities is { Count: > 0 })
            {
                // Only the kubeconfig's CA, as kubectl: a certificate a public CA signed is not this cluster's.
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(_authorities);
            }

            if (presentedChain is not null)
            {
                // The intermediates the server sent with its certificate.
                chain.ChainPolicy.ExtraStore.AddRange(presentedChain.ChainPolicy.ExtraStore);
            }

            if (chain.Build(certificate))
            {
                return null;
            }

            return chain.ChainStatus.All(s => s.Status is X509ChainStatusFlags.NotTimeValid or X509ChainStatusFlags.NotTimeNested)
                ? ServerCertificateFault.NotValidNow
                : ServerCertificateFault.UntrustedAuthority;
        }

        /// <summary>The DNS names, then the IP addresses, of the certificate's subjectAltName extension.</summary>
        private static IReadOnlyList<string> AlternativeNames(X509Certificate2 certificate)
        {
            var names = new List<string>();
            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension.Oid?.Value == SubjectAlternativeNameOid)
                {
                    var alternative = new X509SubjectAlternativeNameExtension(extension.RawData, extension.Critical);
                    names.AddRange(alternative.EnumerateDnsNames());
                    names.AddRange(alternative.EnumerateIPAddresses().Select(a => a.ToString()));
                }
            }

            return names;
        }
    }
}
