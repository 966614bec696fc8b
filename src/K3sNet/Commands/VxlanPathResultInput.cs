using System;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Reads a VxlanPathResult from whatever a pipeline carries: the object itself, or one with its property names that
    /// crossed a remoting session (Invoke-Command on each node), Import-Clixml or ConvertFrom-Json, where Verdict is a
    /// name ('VxlanBlocked') or a number (ConvertTo-Json writes enums as numbers). Every property is kept, so failed
    /// pairs read back from JSON still pipe into Grant-K3sNodeTraffic. A bad object is an ErrorRecord, not an exception,
    /// so the cmdlet reports it and goes on with the rest.
    /// </summary>
    internal static class VxlanPathResultInput
    {
        public const string MissingNodeNamesId = "ResultWithoutSourceOrDestination";
        public const string InvalidPropertyId = "ResultPropertyInvalid";

        public static VxlanPathResult? Read(PSObject item, out ErrorRecord? error)
        {
            error = null;
            if (item.BaseObject is VxlanPathResult result)
            {
                return string.IsNullOrWhiteSpace(result.Source) || string.IsNullOrWhiteSpace(result.Destination)
                    ? Fail(item, out error)
                    : result;
            }

            string? source = Read<string>(item, nameof(VxlanPathResult.Source));
            string? destination = Read<string>(item, nameof(VxlanPathResult.Destination));
            if (string.IsNullOrWhiteSpace(source) || string.IsNullOrWhiteSpace(destination))
            {
                return Fail(item, out error);
            }

            try
            {
                return new VxlanPathResult
                {
                    Source = source,
                    Destination = destination,
                    Verdict = ReadEnum<VxlanVerdict>(item, nameof(VxlanPathResult.Verdict))
                        ?? throw new FormatException("it has no Verdict"),
                    Reason = Read<string>(item, nameof(VxlanPathResult.Reason)) ?? string.Empty,
                    Remedy = Read<string>(item, nameof(VxlanPathResult.Remedy)),
                    SourceAddress = Read<string>(item, nameof(VxlanPathResult.SourceAddress)),
                    DestinationAddress = Read<string>(item, nameof(VxlanPathResult.DestinationAddress)),
                    VtepAddress = Read<string>(item, nameof(VxlanPathResult.VtepAddress)),
                    Protocol = ReadEnum<TrafficProtocol>(item, nameof(VxlanPathResult.Protocol)) ?? TrafficProtocol.Udp,
                    FromPort = Read<int?>(item, nameof(VxlanPathResult.FromPort)) ?? 8472,
                    ToPort = Read<int?>(item, nameof(VxlanPathResult.ToPort)) ?? 8472,
                    Underlay = ReadEnum<PathState>(item, nameof(VxlanPathResult.Underlay)) ?? PathState.NotTested,
                    Overlay = ReadEnum<PathState>(item, nameof(VxlanPathResult.Overlay)) ?? PathState.NotTested,
                    RoundTripMs = Read<double?>(item, nameof(VxlanPathResult.RoundTripMs)),
                    PathMtu = Read<int?>(item, nameof(VxlanPathResult.PathMtu)),
                    PodPathReached = Read<bool?>(item, nameof(VxlanPathResult.PodPathReached)),
                };
            }
            catch (FormatException e)
            {
                error = K3sNetErrors.Create(
                    InvalidPropertyId, ErrorCategory.InvalidData, Target(item),
                    $"The result for {source} -> {destination} cannot be read: {e.Message}.",
                    $"Give Verdict as one of {string.Join(", ", Enum.GetNames<VxlanVerdict>())} (or its number), as Test-K3sVxlan writes it.",
                    e);
                return null;
            }
        }

        private static VxlanPathResult? Fail(PSObject item, out ErrorRecord error)
        {
            error = K3sNetErrors.Create(
                MissingNodeNamesId, ErrorCategory.InvalidData, Target(item),
                $"An object ({item.TypeNames[0]}) without a Source and a Destination cannot be placed in the matrix, so it is left out.",
                "Pipe in the results of Test-K3sVxlan, or objects with their property names (Source, Destination, Verdict), such as results saved with ConvertTo-Json and read back with ConvertFrom-Json.");
            return null;
        }

        /// <summary>The object as it came in: a [pscustomobject] or a deserialized object is its PSObject, not the empty placeholder inside.</summary>
        private static object Target(PSObject item) => item.BaseObject is PSCustomObject ? item : item.BaseObject;

        private static T? ReadEnum<T>(PSObject item, string name)
            where T : struct, Enum
        {
            T? value = Read<T?>(item, name);
            return value is null || Enum.IsDefined(value.Value)
                ? value
                : throw new FormatException($"its {name} '{item.Properties[name]?.Value}' is not a {typeof(T).Name}");
        }

        private static T? Read<T>(PSObject item, string name)
        {
            object? value = item.Properties[name]?.Value;
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
                throw new FormatException($"its {name} '{value}' is not a valid {Nullable.GetUnderlyingType(typeof(T))?.Name ?? typeof(T).Name}", e);
            }
        }
    }
}
