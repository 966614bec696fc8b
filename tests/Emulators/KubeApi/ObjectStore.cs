using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>One change to a stored object, as a watch reports it: ADDED, MODIFIED or DELETED, with the object after it.</summary>
    internal sealed record StoreEvent(string Type, string Resource, long ResourceVersion, JsonObject Object);

    /// <summary>
    /// The API server's storage: objects per resource (pods, namespaces, daemonsets, ...), keyed by namespace and name,
    /// with one resourceVersion counter across all of them as etcd's revision is. Every change is kept for a while so a
    /// watch may start from an earlier resourceVersion. Stored objects are never handed out: readers get copies.
    /// </summary>
    internal sealed class ObjectStore
    {
        private const int KeptEvents = 4096;
        private readonly object _gate = new();
        private readonly Dictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = new();
        private readonly LinkedList<StoreEvent> _history = new();
        private readonly List<(string Resource, Channel<StoreEvent> Channel)> _watchers = new();
        private long _revision = 1000;

        /// <summary>Raised after every change, outside the store's lock (controllers wake on it).</summary>
        public event Action<StoreEvent>? Changed;

        public long Revision
        {
            get { lock (_gate) { return _revision; } }
        }

        public string RevisionText => Revision.ToString(CultureInfo.InvariantCulture);

        public JsonObject? Get(string resource, string ns, string name)
        {
            lock (_gate)
            {
                return _objects.TryGetValue((resource, ns, name), out JsonObject? found) ? (JsonObject)found.DeepClone() : null;
            }
        }

        /// <summary>Every object of the resource, in one namespace or (null) all, ordered by namespace then name as etcd lists them.</summary>
        public IReadOnlyList<JsonObject> List(string resource, string? ns = null)
        {
            lock (_gate)
            {
                return _objects.Where(o => o.Key.Resource == resource && (ns is null || o.Key.Namespace == ns))
                    .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                    .Select(o => (JsonObject)o.Value.DeepClone()).ToArray();
            }
        }

        /// <summary>Stores a new object (its resourceVersion set here); false when one of that name exists.</summary>
        public bool TryAdd(string resource, JsonObject item, out JsonObject stored)
        {
            StoreEvent change;
            lock (_gate)
            {
                var key = (resource, ClusterObjects.NamespaceOf(item) ?? string.Empty, ClusterObjects.NameOf(item)!);
                if (_objects.ContainsKey(key))
                {
                    stored = (JsonObject)_objects[key].DeepClone();
                    return false;
                }

                change = Record("ADDED", resource, key, item);
            }

            Publish(change);
            stored = (JsonObject)change.Object.DeepClone();
            return true;
        }

        /// <summary>Changes a stored object through <paramref name="change"/> (on a copy); null when it is gone.</summary>
        public JsonObject? Update(string resource, string ns, string name, Action<JsonObject> change, string? uid = null)
        {
            StoreEvent recorded;
            lock (_gate)
            {
                if (!_objects.TryGetValue((resource, ns, name), out JsonObject? current) || !Is(current, uid))
                {
                    return null;
                }

                var next = (JsonObject)current.DeepClone();
                change(next);
                if (JsonNode.DeepEquals(next, current))
                {
                    return (JsonObject)current.DeepClone();
                }

                recorded = Record("MODIFIED", resource, (resource, ns, name), next);
            }

            Publish(recorded);
            return (JsonObject)recorded.Object.DeepClone();
        }

        /// <summary>Removes an object (only the one with <paramref name="uid"/> when given: a namesake created since is kept).</summary>
        public JsonObject? Remove(string resource, string ns, string name, string? uid = null)
        {
            StoreEvent recorded;
            lock (_gate)
            {
                if (!_objects.TryGetValue((resource, ns, name), out JsonObject? current) || !Is(current, uid))
                {
                    return null;
                }

                recorded = Record("DELETED", resource, (resource, ns, name), (JsonObject)current.DeepClone());
            }

            Publish(recorded);
            return (JsonObject)recorded.Object.DeepClone();
        }

        /// <summary>
        /// Starts a watch on a resource. Without a resourceVersion (or "0") it begins with every current object as
        /// ADDED, as the API server does; with one it replays the changes after it. Null when that version is older
        /// than the kept history (the client must list again: 410 Gone).
        /// </summary>
        public Channel<StoreEvent>? Watch(string resource, string? fromVersion)
        {
            var channel = Channel.CreateUnbounded<StoreEvent>(new UnboundedChannelOptions { SingleReader = true });
            lock (_gate)
            {
                if (string.IsNullOrEmpty(fromVersion) || fromVersion == "0")
                {
                    foreach (var item in _objects.Where(o => o.Key.Resource == resource).OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal))
                    {
                        channel.Writer.TryWrite(new StoreEvent("ADDED", resource, _revision, (JsonObject)item.Value.DeepClone()));
                    }
                }
                else
                {
                    if (!long.TryParse(fromVersion, NumberStyles.None, CultureInfo.InvariantCulture, out long from)
                        || (_history.First is { } oldest && from < oldest.Value.ResourceVersion - 1 && _history.Count >= KeptEvents))
                    {
                        return null;
                    }

                    foreach (StoreEvent past in _history.Where(e => e.Resource == resource && e.ResourceVersion > from))
                    {
                        channel.Writer.TryWrite(past with { Object = (JsonObject)past.Object.DeepClone() });
                    }
                }

                _watchers.Add((resource, channel));
            }

            return channel;
        }

        public void StopWatching(Channel<StoreEvent> channel)
        {
            lock (_gate)
            {
                _watchers.RemoveAll(w => w.Channel == channel);
            }

            channel.Writer.TryComplete();
        }

        private static bool Is(JsonObject item, string? uid) => uid is null || (string?)item["metadata"]?["uid"] == uid;

        private StoreEvent Record(string type, string resource, (string, string, string) key, JsonObject item)
        {
            _revision++;
            var metadata = item["metadata"] as JsonObject ?? new JsonObject();
            item["metadata"] = metadata;
            metadata["resourceVersion"] = _revision.ToString(CultureInfo.InvariantCulture);
            if (type == "DELETED")
            {
                _objects.Remove(key);
            }
            else
            {
                _objects[key] = item;
            }

            var change = new StoreEvent(type, resource, _revision, (JsonObject)item.DeepClone());
            _history.AddLast(change);
            if (_history.Count > KeptEvents)
            {
                _history.RemoveFirst();
            }

            foreach (var watcher in _watchers.Where(w => w.Resource == resource))
            {
                watcher.Channel.Writer.TryWrite(change with { Object = (JsonObject)change.Object.DeepClone() });
            }

            return change;
        }

        private void Publish(StoreEvent change) => Changed?.Invoke(change);
    }
}
