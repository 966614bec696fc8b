using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json.Nodes;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// Pod Security admission's enforce mode: a namespace labelled <c>pod-security.kubernetes.io/enforce</c> baseline
    /// or restricted refuses pods that break the level with the admission plugin's 403 (<c>pods "x" is forbidden:
    /// violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true), ...</c>). The checks are the ones a
    /// probe pod meets, reported in the plugin's order (by check id), with restricted's checks overriding baseline's.
    /// </summary>
    internal static class PodSecurityAdmission
    {
        public const string EnforceLabel = "pod-security.kubernetes.io/enforce";
        public const string EnforceVersionLabel = "pod-security.kubernetes.io/enforce-version";

        public static ApiError? Check(JsonObject pod, JsonObject? ns)
        {
            IReadOnlyDictionary<string, string> labels = ns is null ? new Dictionary<string, string>() : ClusterObjects.LabelsOf(ns);
            string level = labels.GetValueOrDefault(EnforceLabel) ?? "privileged";
            if (level is not ("baseline" or "restricted"))
            {
                return null;
            }

            List<string> violations = Violations(pod["spec"] as JsonObject ?? new JsonObject(), level == "restricted");
            if (violations.Count == 0)
            {
                return null;
            }

            string name = ClusterObjects.NameOf(pod) ?? string.Empty;
            string version = labels.GetValueOrDefault(EnforceVersionLabel) ?? "latest";
            return new ApiError(HttpStatusCode.Forbidden, "Forbidden",
                $"pods \"{name}\" is forbidden: violates PodSecurity \"{level}:{version}\": {string.Join(", ", violations)}",
                ApiResponses.Details(name, null, "pods"));
        }

        private static List<string> Violations(JsonObject spec, bool restricted)
        {
            JsonObject[] containers = new[] { "initContainers", "containers" }
                .SelectMany(k => (spec[k] as JsonArray ?? new JsonArray()).OfType<JsonObject>()).ToArray();
            JsonObject podContext = spec["securityContext"] as JsonObject ?? new JsonObject();
            var found = new List<string>();
            if (restricted)
            {
                // allowPrivilegeEscalation
                Add(found, "allowPrivilegeEscalation != false", containers.Where(c => (bool?)c["securityContext"]?["allowPrivilegeEscalation"] != false),
                    "must set securityContext.allowPrivilegeEscalation=false");
            }

            // capabilities_baseline: only the container runtime's default capabilities may be added
            JsonObject[] adding = containers.Where(c => AddedBeyondDefault(c).Any()).ToArray();
            if (adding.Length > 0)
            {
                string capabilities = string.Join(", ", adding.SelectMany(AddedBeyondDefault).Distinct(StringComparer.Ordinal).Select(c => $"\"{c}\""));
                found.Add($"non-default capabilities ({Plural("container", adding.Select(Name).ToArray())} must not include {capabilities} in securityContext.capabilities.add)");
            }

            // capabilities_restricted
            if (restricted)
            {
                Add(found, "unrestricted capabilities", containers.Where(c => !(c["securityContext"]?["capabilities"]?["drop"] as JsonArray ?? new JsonArray())
                    .Any(d => (string?)d == "ALL")), "must set securityContext.capabilities.drop=[\"ALL\"]");
            }

            // hostNamespaces
            string[] hostNamespaces = new[] { "hostNetwork", "hostPID", "hostIPC" }.Where(k => (bool?)spec[k] == true).Select(k => $"{k}=true").ToArray();
            if (hostNamespaces.Length > 0)
            {
                found.Add($"host namespaces ({string.Join(", ", hostNamespaces)})");
            }

            string[] hostPathVolumes = (spec["volumes"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                .Where(v => v["hostPath"] is JsonObject).Select(v => (string?)v["name"] ?? string.Empty).ToArray();
            if (!restricted && hostPathVolumes.Length > 0)
            {
                // hostPathVolumes (restricted's restrictedVolumes overrides it)
                found.Add($"hostPath volumes ({Plural("volume", hostPathVolumes)})");
            }

            // privileged
            Add(found, "privileged", containers.Where(c => (bool?)c["securityContext"]?["privileged"] == true), "must not set securityContext.privileged=true");
            if (restricted)
            {
                // restrictedVolumes
                if (hostPathVolumes.Length > 0)
                {
                    found.Add($"restricted volume types ({Plural("volume", hostPathVolumes)} {(hostPathVolumes.Length == 1 ? "uses" : "use")} restricted volume type \"hostPath\")");
                }

                // runAsNonRoot
                if ((bool?)podContext["runAsNonRoot"] != true)
                {
                    string[] unset = containers.Where(c => (bool?)c["securityContext"]?["runAsNonRoot"] != true).Select(Name).ToArray();
                    if (unset.Length > 0)
                    {
                        found.Add($"runAsNonRoot != true (pod or {Plural("container", unset)} must set securityContext.runAsNonRoot=true)");
                    }
                }

                // seccompProfile_restricted
                if ((string?)podContext["seccompProfile"]?["type"] is not ("RuntimeDefault" or "Localhost"))
                {
                    string[] unset = containers.Where(c => (string?)c["securityContext"]?["seccompProfile"]?["type"] is not ("RuntimeDefault" or "Localhost")).Select(Name).ToArray();
                    if (unset.Length > 0)
                    {
                        found.Add($"seccompProfile (pod or {Plural("container", unset)} must set securityContext.seccompProfile.type to \"RuntimeDefault\" or \"Localhost\")");
                    }
                }
            }

            return found;
        }

        private static void Add(List<string> found, string check, IEnumerable<JsonObject> containers, string must)
        {
            string[] names = containers.Select(Name).ToArray();
            if (names.Length > 0)
            {
                found.Add($"{check} ({Plural("container", names)} {must})");
            }
        }

        private static readonly string[] DefaultCapabilities =
        {
            "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
        };

        private static IEnumerable<string> AddedBeyondDefault(JsonObject container) =>
            (container["securityContext"]?["capabilities"]?["add"] as JsonArray ?? new JsonArray())
                .Select(c => (string?)c ?? string.Empty).Where(c => !DefaultCapabilities.Contains(c, StringComparer.Ordinal));

        private static string Name(JsonObject container) => (string?)container["name"] ?? string.Empty;

        private static string Plural(string noun, IReadOnlyList<string> names) =>
            $"{noun}{(names.Count == 1 ? string.Empty : "s")} {string.Join(", ", names.Select(n => $"\"{n}\""))}";
    }
}
