using System;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using K3sNet.Aws;

namespace K3sNet.Cloud.Aws
{
    /// <summary>
    /// Credentials and region in the order AWS Tools for PowerShell resolves them. Credentials: -AccessKey/-SecretKey →
    /// -ProfileName (an error when missing, no fall-through) → -Credential → $StoredAWSCredentials → environment variables
    /// → the default profile → the SDK's own chain (container, then instance profile). Region: -Region →
    /// $StoredAWSRegion → the profile's region → AWS_REGION → none (an error, unless -EndpointUrl names an endpoint,
    /// which is then signed for us-east-1). The endpoint: -EndpointUrl → AWS_ENDPOINT_URL_EC2 → AWS_ENDPOINT_URL → the
    /// region's own.
    /// </summary>
    internal static class AwsClientFactory
    {
        public static AmazonEC2Client Create(AwsConnection connection)
        {
            ArgumentNullException.ThrowIfNull(connection);
            CredentialProfileStoreChain profiles = new(connection.ProfileLocation);
            // Keys given outright come first: no profile is consulted for credentials then, so none can be missing.
            bool keysGiven = !string.IsNullOrEmpty(connection.AccessKey) && !string.IsNullOrEmpty(connection.SecretKey);
            string? profileName = keysGiven
                ? null
                : connection.ProfileName ?? (connection.Credential is null && connection.StoredCredentials is null ? connection.StoredProfileName : null);
            CredentialProfile? profile = null;
            if (profileName is not null && !profiles.TryGetProfile(profileName, out profile))
            {
                throw new AwsSettingsException("ProfileNotFound",
                    $"The AWS profile '{profileName}' does not exist in {(connection.ProfileLocation ?? "the shared credentials and config files")}.",
                    "Name a profile that exists (see ~/.aws/credentials and ~/.aws/config), or pass -ProfileLocation with the file that holds it.");
            }

            AWSCredentials? credentials = Credentials(connection, profiles, profile);
            string? region = Region(connection, profiles, profile);

            var config = new AmazonEC2Config
            {
                // Standard retries: three attempts with back-off; RequestLimitExceeded and 5xx are retried, 4xx are not.
                RetryMode = RequestRetryMode.Standard,
                MaxErrorRetry = 2,
            };
            // -EndpointUrl, else the endpoint variables every AWS SDK and the CLI read (VPC endpoints, LocalStack, emulators).
            string? endpointUrl = NullIfEmpty(connection.EndpointUrl)
                ?? NullIfEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL_EC2"))
                ?? NullIfEmpty(Environment.GetEnvironmentVariable("AWS_ENDPOINT_URL"));
            if (endpointUrl is not null)
            {
                if (!Uri.TryCreate(endpointUrl, UriKind.Absolute, out Uri? endpoint) || endpoint.Scheme is not ("http" or "https"))
                {
                    throw new AwsSettingsException("BadEndpointUrl", $"'{endpointUrl}' is not an http or https URL.",
                        "Pass -EndpointUrl as a full URL, such as https://ec2.us-east-1.amazonaws.com or http://127.0.0.1:8080.");
                }

                // An explicit URL wins over AWS_ENDPOINT_URL_EC2 and the regional endpoint; the region still signs.
                config.ServiceURL = endpointUrl;
                config.AuthenticationRegion = region ?? "us-east-1";
            }
            else if (region is not null)
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
            }
            else
            {
                throw new AwsSettingsException("NoRegion", "No region specified or obtained from persisted/shell defaults.",
                    "Pass -Region (for example -Region us-east-1), run Set-DefaultAWSRegion, set AWS_REGION, or give the profile a region.");
            }

            return credentials is null ? new AmazonEC2Client(config) : new AmazonEC2Client(credentials, config);
        }

        private static AWSCredentials? Credentials(AwsConnection connection, CredentialProfileStoreChain profiles, CredentialProfile? profile)
        {
            if (!string.IsNullOrEmpty(connection.AccessKey) && !string.IsNullOrEmpty(connection.SecretKey))
            {
                return Keys(new AwsKeys(connection.AccessKey, connection.SecretKey, connection.SessionToken));
            }

            if (profile is not null && connection.ProfileName is not null)
            {
                return FromProfile(profile, profiles);
            }

            if (connection.Credential is AwsKeys given)
            {
                return Keys(given);
            }

            if (connection.StoredCredentials is AwsKeys stored)
            {
                return Keys(stored);
            }

            if (profile is not null)
            {
                return FromProfile(profile, profiles);
            }

            string? accessKey = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            string? secretKey = Environment.GetEnvironmentVariable("AWS_SECRET_ACCESS_KEY");
            if (!string.IsNullOrEmpty(accessKey) && !string.IsNullOrEmpty(secretKey))
            {
                return Keys(new AwsKeys(accessKey, secretKey, NullIfEmpty(Environment.GetEnvironmentVariable("AWS_SESSION_TOKEN"))));
            }

            if (profiles.TryGetProfile(DefaultProfileName, out CredentialProfile? fallback))
            {
                return FromProfile(fallback, profiles);
            }

            // The SDK's own chain: container credentials, then the instance profile.
            return null;
        }

        private static AWSCredentials FromProfile(CredentialProfile profile, CredentialProfileStoreChain profiles) =>
            AWSCredentialsFactory.TryGetAWSCredentials(profile, profiles, out AWSCredentials credentials)
                ? credentials
                : throw new AwsSettingsException("ProfileNotUsable",
                    $"The AWS profile '{profile.Name}' holds no credentials K3sNet can use.",
                    "Give the profile aws_access_key_id and aws_secret_access_key (or a role, SSO or credential_process setting the AWS SDK supports).");

        private static string? Region(AwsConnection connection, CredentialProfileStoreChain profiles, CredentialProfile? profile)
        {
            if (!string.IsNullOrEmpty(connection.Region))
            {
                return connection.Region;
            }

            if (!string.IsNullOrEmpty(connection.StoredRegion))
            {
                return connection.StoredRegion;
            }

            if (profile?.Region is RegionEndpoint named)
            {
                return named.SystemName;
            }

            if (profiles.TryGetProfile(DefaultProfileName, out CredentialProfile? fallback) && fallback.Region is RegionEndpoint region)
            {
                return region.SystemName;
            }

            return NullIfEmpty(Environment.GetEnvironmentVariable("AWS_REGION"))
                ?? NullIfEmpty(Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION"));
        }

        /// <summary>AWS_PROFILE names the profile the environment chooses; otherwise "default".</summary>
        private static string DefaultProfileName => NullIfEmpty(Environment.GetEnvironmentVariable("AWS_PROFILE")) ?? "default";

        private static AWSCredentials Keys(AwsKeys keys) => string.IsNullOrEmpty(keys.SessionToken)
            ? new BasicAWSCredentials(keys.AccessKey, keys.SecretKey)
            : new SessionAWSCredentials(keys.AccessKey, keys.SecretKey, keys.SessionToken);

        private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
    }
}
