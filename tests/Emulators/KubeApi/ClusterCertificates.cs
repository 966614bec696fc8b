using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// The certificates of a k3s server in miniature, each ECDSA P-256 as k3s makes them: a server CA
    /// (k3s-server-ca@&lt;time&gt;) that signs the serving certificate, a client CA (k3s-client-ca@&lt;time&gt;) that signs
    /// the admin's client certificate (CN=system:admin, O=system:masters). A new set per emulator, so two emulators are
    /// two clusters whose kubeconfigs do not trust each other.
    /// </summary>
    public sealed class ClusterCertificates : IDisposable
    {
        private const string ServerAuth = "1.3.6.1.5.5.7.3.1";
        private const string ClientAuth = "1.3.6.1.5.5.7.3.2";

        private ClusterCertificates(X509Certificate2 serverCa, X509Certificate2 clientCa, X509Certificate2 serving, X509Certificate2 admin, string adminKeyPem)
        {
            ServerCa = serverCa;
            ClientCa = clientCa;
            ServingCertificate = serving;
            AdminCertificate = admin;
            AdminKeyPem = adminKeyPem;
        }

        /// <summary>The names k3s puts in every serving certificate, before its node addresses and --tls-san.</summary>
        public static IReadOnlyList<string> K3sDefaultNames { get; } = new[]
        {
            "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local",
            "localhost", "127.0.0.1", "::1", "10.43.0.1",
        };

        /// <summary>The CA a kubeconfig's certificate-authority-data holds.</summary>
        public X509Certificate2 ServerCa { get; }

        /// <summary>The CA the server checks client certificates against.</summary>
        public X509Certificate2 ClientCa { get; }

        /// <summary>The serving certificate, with its private key.</summary>
        public X509Certificate2 ServingCertificate { get; }

        /// <summary>The admin's client certificate (without its key; the key is <see cref="AdminKeyPem"/>).</summary>
        public X509Certificate2 AdminCertificate { get; }

        /// <summary>The admin's key as k3s.yaml carries it: "-----BEGIN EC PRIVATE KEY-----" (SEC 1).</summary>
        public string AdminKeyPem { get; }

        /// <summary>
        /// A new cluster's certificates, the serving one naming <paramref name="serverNames"/> (DNS names and IP
        /// addresses, as --tls-san takes them).
        /// </summary>
        public static ClusterCertificates Create(IEnumerable<string> serverNames)
        {
            ArgumentNullException.ThrowIfNull(serverNames);
            string stamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            X509Certificate2 serverCa = CreateAuthority("k3s-server-ca@" + stamp);
            X509Certificate2 clientCa = CreateAuthority("k3s-client-ca@" + stamp);

            using ECDsa servingKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            X509Certificate2 serving = Issue(serverCa, "CN=k3s, O=k3s", servingKey, ServerAuth, serverNames.Distinct(StringComparer.OrdinalIgnoreCase).ToArray());

            // Kestrel on Linux serves a key that came from a PKCS#12 blob reliably; an ephemeral CNG-style key may not.
            using X509Certificate2 servingWithKey = serving.CopyWithPrivateKey(servingKey);
            X509Certificate2 servable = X509CertificateLoader.LoadPkcs12(servingWithKey.Export(X509ContentType.Pkcs12), null);
            serving.Dispose();

            using ECDsa adminKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            X509Certificate2 admin = Issue(clientCa, "CN=system:admin, O=system:masters", adminKey, ClientAuth, Array.Empty<string>());
            return new ClusterCertificates(serverCa, clientCa, servable, admin, adminKey.ExportECPrivateKeyPem());
        }

        /// <summary>
        /// The client-certificate-data of k3s.yaml: the admin certificate followed by the client CA that signed it
        /// (k3s writes the chain), PEM.
        /// </summary>
        public string AdminCertificateChainPem() => AdminCertificate.ExportCertificatePem() + "\n" + ClientCa.ExportCertificatePem() + "\n";

        /// <summary>Base64 of PEM text, as kubeconfig *-data fields hold it.</summary>
        public static string KubeconfigData(string pem) => Convert.ToBase64String(Encoding.ASCII.GetBytes(pem));

        /// <summary>
        /// True when <paramref name="certificate"/> chains to the client CA and may authenticate a client, the check the
        /// API server's x509 authenticator makes (an unknown certificate is not a TLS failure there: it is a 401).
        /// </summary>
        public bool IsTrustedClient(X509Certificate2? certificate)
        {
            if (certificate is null)
            {
                return false;
            }

            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ClientCa);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            chain.ChainPolicy.ApplicationPolicy.Add(new Oid(ClientAuth));
            return chain.Build(certificate);
        }

        public void Dispose()
        {
            ServerCa.Dispose();
            ClientCa.Dispose();
            ServingCertificate.Dispose();
            AdminCertificate.Dispose();
        }

        private static X509Certificate2 CreateAuthority(string commonName)
        {
            using ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var request = new CertificateRequest("CN=" + commonName, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(10));
        }

        private static X509Certificate2 Issue(X509Certificate2 authority, string subject, ECDsa key, string usage, IReadOnlyList<string> names)
        {
            var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid(usage) }, false));
            if (names.Count > 0)
            {
                var alternativeNames = new SubjectAlternativeNameBuilder();
                foreach (string name in names)
                {
                    if (IPAddress.TryParse(name, out IPAddress? address))
                    {
                        alternativeNames.AddIpAddress(address);
                    }
                    else
                    {
                        alternativeNames.AddDnsName(name);
                    }
                }

                request.CertificateExtensions.Add(alternativeNames.Build());
            }

            byte[] serial = RandomNumberGenerator.GetBytes(16);
            serial[0] &= 0x7f;
            return request.Create(authority, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1), serial);
        }
    }
}
