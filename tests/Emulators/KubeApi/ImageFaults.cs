using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>A failure the kubelet meets with a container, as a user sees it in the pod's status.</summary>
    public enum PodFault
    {
        /// <summary>The container starts normally.</summary>
        None,

        /// <summary>The image cannot be pulled: ErrImagePull, then ImagePullBackOff.</summary>
        ImagePull,

        /// <summary>The container runs but never becomes ready (Ready False).</summary>
        NeverReady,

        /// <summary>The runtime cannot create the container: CreateContainerError.</summary>
        CreateContainerError,
    }

    /// <summary>
    /// Images are never pulled: the image name only chooses a fault. Images of the registry
    /// <see cref="FaultRegistry"/> fail by their repository name (<c>fault.k3snet.invalid/image-pull</c>,
    /// <c>fault.k3snet.invalid/never-ready</c>, <c>fault.k3snet.invalid/create-container-error</c>, any tag), and
    /// any image can be given a fault on demand (<see cref="Set"/>).
    /// </summary>
    public sealed class ImageFaults
    {
        /// <summary>A registry that cannot exist (.invalid), so that no real pull could ever succeed for these names.</summary>
        public const string FaultRegistry = "fault.k3snet.invalid";

        private readonly ConcurrentDictionary<string, PodFault> _set = new(StringComparer.Ordinal);

        public void Set(string image, PodFault fault) => _set[image] = fault;

        public void Clear() => _set.Clear();

        public PodFault For(string image)
        {
            if (_set.TryGetValue(image, out PodFault set))
            {
                return set;
            }

            string repository = image.Split('@')[0];
            int tag = repository.LastIndexOf(':');
            if (tag > repository.LastIndexOf('/'))
            {
                repository = repository[..tag];
            }

            return repository switch
            {
                FaultRegistry + "/image-pull" => PodFault.ImagePull,
                FaultRegistry + "/never-ready" => PodFault.NeverReady,
                FaultRegistry + "/create-container-error" => PodFault.CreateContainerError,
                _ => PodFault.None,
            };
        }

        /// <summary>The image as the kubelet names it in messages: with a tag (":latest" when it has none).</summary>
        public static string Reference(string image)
        {
            int slash = image.LastIndexOf('/');
            return image.Contains('@', StringComparison.Ordinal) || image.LastIndexOf(':') > slash ? image : image + ":latest";
        }

        /// <summary>The image as containerd resolves it: Docker Hub's short names expanded, with a tag.</summary>
        public static string FullReference(string image)
        {
            string reference = Reference(image);
            string first = reference.Split('/')[0];
            if (!reference.Contains('/', StringComparison.Ordinal) || (!first.Contains('.', StringComparison.Ordinal) && !first.Contains(':', StringComparison.Ordinal) && first != "localhost"))
            {
                reference = "docker.io/" + (reference.Contains('/', StringComparison.Ordinal) ? string.Empty : "library/") + reference;
            }

            return reference;
        }

        public static string ErrImagePullMessage(string image)
        {
            string reference = FullReference(image);
            string host = reference.Split('/')[0];
            string path = reference[(host.Length + 1)..];
            int colon = path.LastIndexOf(':');
            // As the kubelet passes on containerd's CRI error: a registry that does not resolve.
            return $"rpc error: code = Unknown desc = failed to pull and unpack image \"{reference}\": failed to resolve reference \"{reference}\": failed to do request: Head \"https://{host}/v2/{path[..colon]}/manifests/{path[(colon + 1)..]}\": dial tcp: lookup {host}: no such host";
        }

        public static IEnumerable<string> Names => new[] { "image-pull", "never-ready", "create-container-error" }.Select(n => FaultRegistry + "/" + n);
    }
}
