using System;
using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using k8s;

namespace K3sNet.Cloud.Kubernetes
{
    /// <summary>
    /// The WebSocket KubernetesClient opens for exec, made so that K3sNet can use it on every supported k3s:
    /// <list type="bullet">
    /// <item>It offers v5.channel.k8s.io before the protocol the library adds (v4.channel.k8s.io). An API server from
    /// 1.30 takes v5 (stdin can be closed); an older one passes the offer to the kubelet, which takes the first protocol
    /// it knows, v4: the fallback costs no second connection.</item>
    /// <item>A refused upgrade keeps its status and body. ClientWebSocket reports only "status code 403 when 101 was
    /// expected", and the library's retry of a refused upgrade as a plain GET gets "Upgrade request required", which
    /// loses RBAC's 403 and "error dialing backend" (the kubelet's own refusal, before 1.30). So the connection goes
    /// through a handler of its own that reads a refusal's body.</item>
    /// <item>It connects within <see cref="ExecCall.Timeout"/> and the caller's token: the library connects with none.</item>
    /// </list>
    /// </summary>
    internal sealed class ExecWebSocketBuilder : WebSocketBuilder
    {
        public const string V5 = "v5.channel.k8s.io";
        public const string V4 = "v4.channel.k8s.io";

        private readonly ExecCall _call;

        public ExecWebSocketBuilder(ExecCall call)
        {
            _call = call ?? throw new ArgumentNullException(nameof(call));
            Options.AddSubProtocol(V5);
        }

        public override async Task<WebSocket> BuildAndConnectAsync(Uri uri, CancellationToken cancellationToken)
        {
            _call.Count();

            // With an invoker of its own, ClientWebSocket takes TLS settings from the invoker's handler only.
            var certificates = new X509CertificateCollection();
            certificates.AddRange(Options.ClientCertificates);
            var tls = new SslClientAuthenticationOptions
            {
                ClientCertificates = certificates,
                RemoteCertificateValidationCallback = Options.RemoteCertificateValidationCallback,
            };
            Options.ClientCertificates = new X509CertificateCollection();
            Options.RemoteCertificateValidationCallback = null;
            var handler = new SocketsHttpHandler { SslOptions = tls };
            _call.Certificates?.InstallOn(handler);
            var capture = new RefusalCapture(handler);

            // ClientWebSocket itself disposes the invoker it makes once connected: the upgraded stream outlives it.
            using var invoker = new HttpMessageInvoker(capture);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _call.CancellationToken);
            timeout.CancelAfter(_call.Timeout);
            try
            {
                await WebSocket.ConnectAsync(uri, invoker, timeout.Token).ConfigureAwait(false);
                return WebSocket;
            }
            catch (WebSocketException) when (capture.Refusal is { } refusal)
            {
                WebSocket.Dispose();
                throw new ExecUpgradeRefusedException(refusal.Status, refusal.Body);
            }
            catch (Exception)
            {
                // A timeout surfaces as the cancellation the caller did not ask for, which ClusterRequests calls a timeout.
                WebSocket.Dispose();
                throw;
            }
        }

        /// <summary>Keeps the status and body of an answer that is not 101 Switching Protocols.</summary>
        private sealed class RefusalCapture : DelegatingHandler
        {
            public RefusalCapture(HttpMessageHandler inner)
                : base(inner)
            {
            }

            public (HttpStatusCode Status, string? Body)? Refusal { get; private set; }

            protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.SwitchingProtocols)
                {
                    string? body = null;
                    try
                    {
                        body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    }
                    catch (HttpRequestException)
                    {
                        // The status alone says enough to map it.
                    }

                    Refusal = (response.StatusCode, body);
                }

                return response;
            }
        }
    }
}
