using System;
using System.Management.Automation;
using K3sNet.Commands;

namespace K3sNet.Matrix
{
    /// <summary>
    /// Reads a PodNetworkResult from what a pipeline carries: the object itself, or one with its property names from
    /// Import-Clixml or ConvertFrom-Json (enums as names or numbers). An object is taken for one when it has a Check
    /// property; a bad one is an ErrorRecord, so Show-K3sVxlanMatrix reports it and goes on.
    /// </summary>
    internal static class PodNetworkResultInput
    {
        public static bool IsPodNetworkResult(PSObject item) => item.BaseObject is PodNetworkResult || item.Properties[nameof(PodNetworkResult.Check)] is not null;

        public static PodNetworkResult? Read(PSObject item, out ErrorRecord? error)
        {
            error = null;
            PodNetworkResult? result = item.BaseObject as PodNetworkResult ?? Convert(item, out error);
            if (result is not null && (string.IsNullOrWhiteSpace(result.Source) || string.IsNullOrWhiteSpace(result.Destination)))
            {
                error = K3sNetErrors.Create(
                    VxlanPathResultInput.MissingNodeNamesId, ErrorCategory.InvalidData, item.BaseObject is PSCustomObject ? item : item.BaseObject,
                    "A pod network result without a Source and a Destination cannot be placed in the matrix, so it is left out.",
                    "Pipe in Test-K3sPodNetwork's results, or objects with their property names (Check, Source, Destination, Verdict).");
                return null;
            }

            return result;
        }

        private static PodNetworkResult? Convert(PSObject item, out ErrorRecord? error)
        {
            error = null;
            try
            {
                return new PodNetworkResult
                {
                    Check = Enum<PodNetworkCheck>(item, nameof(PodNetworkResult.Check)) ?? throw new FormatException("it has no Check"),
                    Source = Read<string>(item, nameof(PodNetworkResult.Source)) ?? string.Empty,
                    SourcePod = Read<string>(item, nameof(PodNetworkResult.SourcePod)),
                    SourceAddress = Read<string>(item, nameof(PodNetworkResult.SourceAddress)),
                    Destination = Read<string>(item, nameof(PodNetworkResult.Destination)) ?? string.Empty,
                    DestinationAddress = Read<string>(item, nameof(PodNetworkResult.DestinationAddress)),
                    Protocol = Read<string>(item, nameof(PodNetworkResult.Protocol)) ?? "ICMP",
                    FromPort = Read<int?>(item, nameof(PodNetworkResult.FromPort)),
                    ToPort = Read<int?>(item, nameof(PodNetworkResult.ToPort)),
                    Verdict = Enum<PodNetworkVerdict>(item, nameof(PodNetworkResult.Verdict)) ?? throw new FormatException("it has no Verdict"),
                    Cause = Enum<VxlanVerdict>(item, nameof(PodNetworkResult.Cause)),
                    RoundTripMs = Read<double?>(item, nameof(PodNetworkResult.RoundTripMs)),
                    Reason = Read<string>(item, nameof(PodNetworkResult.Reason)) ?? string.Empty,
                    Remedy = Read<string>(item, nameof(PodNetworkResult.Remedy)),
                };
            }
            catch (Exception e) when (e is FormatException or PSInvalidCastException)
            {
                error = K3sNetErrors.Create(
                    VxlanPathResultInput.InvalidPropertyId, ErrorCategory.InvalidData, item,
                    $"A pod network result cannot be read: {e.Message}.",
                    $"Pipe in Test-K3sPodNetwork's results, or objects with their property names (Check, Source, Destination, Verdict as one of {string.Join(", ", System.Enum.GetNames<PodNetworkVerdict>())}).",
                    e);
                return null;
            }
        }

        private static T? Enum<T>(PSObject item, string name)
            where T : struct, System.Enum
        {
            object? value = item.Properties[name]?.Value;
            if (value is null || (value is string text && text.Length == 0))
            {
                return null;
            }

            T converted = LanguagePrimitives.ConvertTo<T>(value);
            return System.Enum.IsDefined(converted) ? converted : throw new FormatException($"its {name} '{value}' is not a {typeof(T).Name}");
        }

        private static T? Read<T>(PSObject item, string name)
        {
            object? value = item.Properties[name]?.Value;
            return value is null || (value is string text && text.Length == 0 && typeof(T) != typeof(string)) ? default : LanguagePrimitives.ConvertTo<T>(value);
        }
    }
}
