using System;
using System.Collections.Generic;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using Amazon.Runtime.Credentials;
using K3sNet.Aws;

namespace K3sNet.Cloud.Aws
{
    /// <summary>
    /// Credentials in AWS.Tools' and the SDK's order: -AccessKey/-SecretKey(/-SessionToken) → -ProfileName (an error when
    /// missing, no fall-through) → -Credential → $StoredAWSCredentials (keys, or a profile name) → AWS_ACCESS_KEY_ID /
    /// AWS_SECRET_ACCESS_KEY (/AWS_SESSION_TOKEN) → the profile AWS_PROFILE names, else "default" → the SDK's own chain for
    /// what only it knows: web identity, container credentials and the instance's role from EC2 instance metadata, gated
    /// as the SDK gates it (AWS_EC2_METADATA_DISABLED=true turns metadata off). Half-given keys stop the search with an
    /// error, as the AWS CLI does, instead of silently using some other identity.
    /// </summary>
    internal static class AwsCredentialResolver
    {
        public static AWSCredentials Resolve(AwsConnection connection, CredentialProfileStoreChain profiles, CredentialProfile? namedProfile, IClientConfig config)
        {
            bool hasAccess = !string.IsNullOrEmpty(connection.AccessKey);
            bool hasSecret = !string.IsNullOrEmpty(connection.SecretKey);
            if (hasAccess && hasSecret)
            {
                return Keys(new AwsKeys(connection.AccessKey!, connection.SecretKey!, connection.SessionToken));
            }

            if (hasAccess || hasSecret || !string.IsNullOrEmpty(connection.SessionToken))
            {
                string missing = hasAccess ? "-SecretKey" : hasSecret ? "-AccessKey" : "-AccessKey and -SecretKey";
                throw new AwsSettingsException("IncompleteCredentials",
                    $"{Given(hasAccess, hasSecret, !string.IsNullOrEmpty(connection.SessionToken))} given without {missing}: K3sNet does not sign with half a key pair, nor fall back to another identity.",
                    "Pass -AccessKey and -SecretKey together (with -SessionToken for temporary credentials), or leave all three out and use -ProfileName or the default chain.");
            }

            if (namedProfile is not null)
            {
                return FromProfile(namedProfile, profiles);
            }

            if (connection.Credential is AwsKeys given)
            {
                return Keys(given);
            }

            if (connection.StoredCredentials is AwsKeys stored)
            {
                return Keys(stored);
            }

            string? accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            string? secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
            if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
            {
                return Keys(new AwsKeys(accessKey, secretKey, AwsEnvironment.Get("AWS_SESSION_TOKEN")));
            }

            if (!string.IsNullOrEmpty(accessKey) || !string.IsNullOrEmpty(secretKey))
            {
                // The AWS CLI stops here too ("Partial credentials found in env").
                throw new AwsSettingsException("IncompleteCredentials",
                    $"The environment variable {(string.IsNullOrEmpty(accessKey) ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID")} is set but {(string.IsNullOrEmpty(accessKey) ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY")} is not.",
                    "Set both AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary credentials), or remove the one that is set.");
            }

            if (AwsEnvironment.ProfileFromEnvironment(profiles) is CredentialProfile environmentProfile)
            {
                return FromProfile(environmentProfile, profiles);
            }

            // What only the SDK knows how to read: web identity, container credentials, the instance profile (IMDS).
            try
            {
                using var chain = new DefaultAWSCredentialsIdentityResolver();
                return chain.ResolveIdentity(config);
            }
            catch (AmazonClientException)
            {
                // Never the SDK's four-part exception: where K3sNet looked, and what to set.
                throw new AwsSettingsException("NoCredentials",
                    "No AWS credentials found. K3sNet looked, in order, at -AccessKey/-SecretKey, -ProfileName, -Credential, $StoredAWSCredentials, "
                    + $"the environment variables AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, the profile '{AwsEnvironment.ProfileName}' in {Files(connection)}, "
                    + $"web identity (AWS_WEB_IDENTITY_TOKEN_FILE), container credentials, and {InstanceMetadata()}.",
                    "Pass -AccessKey and -SecretKey or -ProfileName, run Set-AWSCredential, set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or create the profile with 'aws configure'.");
            }
        }

        internal static AWSCredentials FromProfile(CredentialProfile profile, CredentialProfileStoreChain profiles) =>
            AWSCredentialsFactory.TryGetAWSCredentials(profile, profiles, out AWSCredentials credentials)
                ? credentials
                : throw new AwsSettingsException("ProfileNotUsable",
                    $"The AWS profile '{profile.Name}' holds no credentials K3sNet can use.",
                    "Give the profile aws_access_key_id and aws_secret_access_key (or a role, SSO or credential_process setting the AWS SDK supports).");

        private static string Given(bool access, bool secret, bool token)
        {
            var given = new List<string>();
            if (access)
            {
                given.Add("-AccessKey");
            }

            if (secret)
            {
                given.Add("-SecretKey");
            }

            if (token)
            {
                given.Add("-SessionToken");
            }

            return string.Join(" and ", given) + (given.Count > 1 ? " were" : " was");
        }

        private static string Files(AwsConnection connection) => connection.ProfileLocation ?? "the shared credentials and config files (~/.aws)";

        private static string InstanceMetadata() => string.Equals(Environment.GetEnvironmentVariable("AWS_EC2_METADATA_DISABLED"), "true", StringComparison.OrdinalIgnoreCase)
            ? "EC2 instance metadata (turned off by AWS_EC2_METADATA_DISABLED=true)"
            : "EC2 instance metadata (not reachable: not on EC2, or the instance has no role)";

        internal static AWSCredentials Keys(AwsKeys keys) => string.IsNullOrEmpty(keys.SessionToken)
            ? new BasicAWSCredentials(keys.AccessKey, keys.SecretKey)
            : new SessionAWSCredentials(keys.AccessKey, keys.SecretKey, keys.SessionToken);
    }
}
