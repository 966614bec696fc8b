using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Accepts K3sNode objects, and objects with K3sNode's property names: objects that crossed a remoting session,
    /// Import-Clixml or ConvertFrom-Json, or a [pscustomobject]. Properties are read by name, so `Get-K3sNode |
    /// Export-Clixml` on one machine and `Import-Clixml | Test-K3sVxlan` on a node works. (A hashtable's keys are not
    /// properties, so a hashtable is refused for having no Name.)
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class K3sNodeTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            if (value is K3sNode node)
            {
                return node;
            }

            if (value is IList list && value is not string)
            {
                var nodes = new List<K3sNode>();
                foreach (object? item in list)
                {
                    if (item is not null)
                    {
                        nodes.Add(ToNode(item));
                    }
                }

                return nodes.ToArray();
            }

            return ToNode(inputData);
        }

        private static K3sNode ToNode(object item)
        {
            object value = item is PSObject wrapped ? wrapped.BaseObject : item;
            if (value is K3sNode node)
            {
                return node;
            }

            var source = PSObject.AsPSObject(item);
            string? name = Read<string>(source, nameof(K3sNode.Name));
            if (string.IsNullOrEmpty(name))
            {
                throw new ArgumentTransformationMetadataException(
                    $"Cannot read a K3sNode from a {value.GetType().Name}: it has no Name. Pipe objects from Get-K3sNode, or objects with its property names.");
            }

            return new K3sNode
            {
                Name = name,
                Roles = Read<string[]>(source, nameof(K3sNode.Roles)) ?? Array.Empty<string>(),
                IsServer = Read<bool?>(source, nameof(K3sNode.IsServer)) ?? false,
                EmbeddedEtcd = Read<bool?>(source, nameof(K3sNode.EmbeddedEtcd)) ?? false,
                EmbeddedRegistry = Read<bool?>(source, nameof(K3sNode.EmbeddedRegistry)) ?? false,
                InternalIP = Read<string>(source, nameof(K3sNode.InternalIP)),
                InternalIPv6 = Read<string>(source, nameof(K3sNode.InternalIPv6)),
                ExternalIP = Read<string>(source, nameof(K3sNode.ExternalIP)),
                FlannelBackend = Read<FlannelBackend?>(source, nameof(K3sNode.FlannelBackend)),
                FlannelPublicIP = Read<string>(source, nameof(K3sNode.FlannelPublicIP)),
                FlannelPublicIPv6 = Read<string>(source, nameof(K3sNode.FlannelPublicIPv6)),
                VtepMac = Read<string>(source, nameof(K3sNode.VtepMac)),
                Vni = Read<int?>(source, nameof(K3sNode.Vni)),
                PodCidr = Read<string>(source, nameof(K3sNode.PodCidr)),
                VtepAddress = Read<string>(source, nameof(K3sNode.VtepAddress)),
                ProviderId = Read<string>(source, nameof(K3sNode.ProviderId)),
                InstanceId = Read<string>(source, nameof(K3sNode.InstanceId)),
                AvailabilityZone = Read<string>(source, nameof(K3sNode.AvailabilityZone)),
                K3sVersion = Read<string>(source, nameof(K3sNode.K3sVersion)),
                KernelVersion = Read<string>(source, nameof(K3sNode.KernelVersion)),
                OSImage = Read<string>(source, nameof(K3sNode.OSImage)),
                Ready = Read<bool?>(source, nameof(K3sNode.Ready)) ?? false,
                HostsClusterDns = Read<bool?>(source, nameof(K3sNode.HostsClusterDns)) ?? false,
                Problems = Read<string[]>(source, nameof(K3sNode.Problems)) ?? Array.Empty<string>(),
            };
        }

        private static T? Read<T>(PSObject source, string name)
        {
            object? value = source.Properties[name]?.Value;
            if (value is null || (value is string text && text.Length == 0 && typeof(T) != typeof(string)))
            {
                return default;
            }

            try
            {
                return LanguagePrimitives.ConvertTo<T>(value);
            }
            catch (PSInvalidCastException e)
            {
                throw new ArgumentTransformationMetadataException($"The node's {name} '{value}' is not a valid {typeof(T).Name}: {e.Message}", e);
            }
        }
    }
}
