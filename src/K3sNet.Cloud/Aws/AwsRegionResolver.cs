using System;
using Amazon;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Util;
using K3sNet.Aws;

namespace K3sNet.Cloud.Aws
{
    /// <summary>
    /// The region to call and sign for: -Region → the region the endpoint URL names (ec2.eu-west-1.amazonaws.com, a
    /// VPC endpoint's host) → the -ProfileName profile's region → $StoredAWSRegion → AWS_REGION → AWS_DEFAULT_REGION → the
    /// region of the profile AWS_PROFILE names, else of "default" → the instance's own region from EC2 instance metadata,
    /// gated as the SDK gates it. Nothing found is an error: never us-east-1 behind the user's back, which against any
    /// other region's endpoint only fails later as an AuthFailure.
    /// </summary>
    internal static class AwsRegionResolver
    {
        public static string Resolve(AwsConnection connection, CredentialProfileStoreChain profiles, CredentialProfile? namedProfile, Uri? endpoint)
        {
            string? region = (string.IsNullOrEmpty(connection.Region) ? null : connection.Region)
                ?? EndpointRegion(endpoint)
                ?? namedProfile?.Region?.SystemName
                ?? (string.IsNullOrEmpty(connection.StoredRegion) ? null : connection.StoredRegion)
                ?? AwsEnvironment.Get("AWS_REGION")
                ?? AwsEnvironment.Get("AWS_DEFAULT_REGION")
                ?? AwsEnvironment.ProfileFromEnvironment(profiles)?.Region?.SystemName
                ?? InstanceRegion();
            if (region is not null)
            {
                return region;
            }

            throw endpoint is null
                ? new AwsSettingsException("NoRegion", "No region specified or obtained from persisted/shell defaults.",
                    "Pass -Region (for example -Region us-east-1), run Set-DefaultAWSRegion, set AWS_REGION, or give the profile a region.")
                : new AwsSettingsException("NoRegion",
                    $"No region specified or obtained from persisted/shell defaults, and the endpoint {endpoint} does not name one: K3sNet does not guess the region to sign for.",
                    "Pass -Region with the region the endpoint serves (for example -Region us-east-1), run Set-DefaultAWSRegion, or set AWS_REGION.");
        }

        /// <summary>
        /// The region the SDK infers from the endpoint URL, only when the host really names it: the SDK answers us-east-1
        /// for any host it cannot read (127.0.0.1, a proxy), and that would be a guess.
        /// </summary>
        internal static string? EndpointRegion(Uri? endpoint)
        {
            if (endpoint is null)
            {
                return null;
            }

            string? inferred = AWSSDKUtils.DetermineRegion(endpoint.ToString());
            string host = endpoint.Host;
            bool named = inferred is not null
                && (host.Contains("." + inferred + ".", StringComparison.OrdinalIgnoreCase)
                    || host.Equals("ec2.amazonaws.com", StringComparison.OrdinalIgnoreCase));
            return named ? inferred : null;
        }

        /// <summary>The instance's region from instance metadata; the SDK returns nothing when metadata is off or absent.</summary>
        private static string? InstanceRegion()
        {
            try
            {
                return new InstanceProfileAWSRegion().Region?.SystemName;
            }
            catch (Exception e) when (e is InvalidOperationException or AmazonClientException or AmazonServiceException)
            {
                return null;
            }
        }
    }
}
