using System;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// One of the WebSocket subprotocols of remote command (exec): how frames carry channels, what the error channel
    /// holds, and whether a channel can be closed. Negotiated as a Kubernetes API server does it.
    /// </summary>
    public sealed record ExecProtocol(string Name, bool Base64, bool StatusOnErrorChannel, bool SupportsClose)
    {
        public const string V5 = "v5.channel.k8s.io";
        public const string V4 = "v4.channel.k8s.io";
        public const string V4Base64 = "v4.base64.channel.k8s.io";
        public const string V1 = "channel.k8s.io";
        public const string V1Base64 = "base64.channel.k8s.io";

        /// <summary>The protocols the kubelet's websocket server knows (remotecommand), "" being no subprotocol at all.</summary>
        private static readonly ExecProtocol[] KubeletProtocols =
        {
            new(string.Empty, false, false, false),
            new(V1, false, false, false),
            new(V1Base64, true, false, false),
            new(V4, false, true, false),
            new(V4Base64, true, true, false),
        };

        /// <summary>
        /// The protocol for the client's offer (in its order), or null when none is acceptable (the kubelet's websocket
        /// server then answers 403). From Kubernetes 1.30 the API server takes any request that offers v5 itself and
        /// speaks only v5 there, whatever else was offered; an older server (<paramref name="serverSpeaksV5"/> false)
        /// passes every request to the kubelet, which picks the first protocol it knows in the client's order.
        /// </summary>
        public static ExecProtocol? Negotiate(IReadOnlyList<string> offered, bool serverSpeaksV5)
        {
            if (serverSpeaksV5 && offered.Contains(V5, StringComparer.Ordinal))
            {
                return new ExecProtocol(V5, false, true, true);
            }

            if (offered.Count == 0)
            {
                return KubeletProtocols[0];
            }

            foreach (string name in offered)
            {
                ExecProtocol? known = KubeletProtocols.FirstOrDefault(p => p.Name == name);
                if (known is not null)
                {
                    return known;
                }
            }

            return null;
        }
    }
}
