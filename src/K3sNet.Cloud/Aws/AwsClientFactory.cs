using System;
using Amazon;
using Amazon.EC2;
using Amazon.Runtime;
using Amazon.Runtime.CredentialManagement;
using K3sNet.Aws;

namespace K3sNet.Cloud.Aws
{
    /// <summary>
    /// An EC2 client for what the user gave: credentials (<see cref="AwsCredentialResolver"/>) and region
    /// (<see cref="AwsRegionResolver"/>) in AWS.Tools' and the SDK's order, the endpoint (-EndpointUrl →
    /// AWS_ENDPOINT_URL_EC2 → AWS_ENDPOINT_URL → the region's own), and a bound on every request attempt.
    /// </summary>
    internal static class AwsClientFactory
    {
        /// <summary>How long one request attempt may take unless -TimeoutSeconds says otherwise.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        public static AmazonEC2Client Create(AwsConnection connection) => Create(connection, out _);

        /// <summary>The client, and the endpoint it calls as a person would name it (for errors: which endpoint hung).</summary>
        public static AmazonEC2Client Create(AwsConnection connection, out string endpointName)
        {
            ArgumentNullException.ThrowIfNull(connection);
            CredentialProfileStoreChain profiles = new(connection.ProfileLocation);
            CredentialProfile? namedProfile = NamedProfile(connection, profiles);
            Uri? endpoint = Endpoint(connection);
            string region = AwsRegionResolver.Resolve(connection, profiles, namedProfile, endpoint);

            var config = new AmazonEC2Config
            {
                // Standard retries: three attempts with back-off; RequestLimitExceeded, 5xx and timed-out attempts are
                // retried, other 4xx are not.
                RetryMode = RequestRetryMode.Standard,
                MaxErrorRetry = 2,
                // Without it the SDK waits 100 s per attempt: five minutes on a hung endpoint.
                Timeout = connection.Timeout ?? DefaultTimeout,
            };
            if (endpoint is not null)
            {
                // An explicit URL wins over AWS_ENDPOINT_URL_EC2 and the regional endpoint; the resolved region signs.
                config.ServiceURL = endpoint.ToString();
                config.AuthenticationRegion = region;
                endpointName = endpoint.ToString();
            }
            else
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
                endpointName = $"https://ec2.{region}.amazonaws.com{(region.StartsWith("cn-", StringComparison.Ordinal) ? ".cn" : string.Empty)}/";
            }

            AWSCredentials credentials = AwsCredentialResolver.Resolve(connection, profiles, namedProfile, config);
            return new AmazonEC2Client(credentials, config);
        }

        /// <summary>
        /// -ProfileName, else the profile $StoredAWSCredentials names (Set-AWSCredential -ProfileName), unless keys were
        /// given outright: a named profile must exist (no fall-through to another identity).
        /// </summary>
        private static CredentialProfile? NamedProfile(AwsConnection connection, CredentialProfileStoreChain profiles)
        {
            bool keysGiven = !string.IsNullOrEmpty(connection.AccessKey) || !string.IsNullOrEmpty(connection.SecretKey);
            string? profileName = keysGiven
                ? null
                : connection.ProfileName ?? (connection.Credential is null && connection.StoredCredentials is null ? connection.StoredProfileName : null);
            if (profileName is null)
            {
                return null;
            }

            return profiles.TryGetProfile(profileName, out CredentialProfile? profile)
                ? profile
                : throw new AwsSettingsException("ProfileNotFound",
                    $"The AWS profile '{profileName}' does not exist in {(connection.ProfileLocation ?? "the shared credentials and config files")}.",
                    "Name a profile that exists (see ~/.aws/credentials and ~/.aws/config), or pass -ProfileLocation with the file that holds it.");
        }

        /// <summary>-EndpointUrl, else the endpoint variables every AWS SDK and the CLI read (VPC endpoints, LocalStack, emulators).</summary>
        private static Uri? Endpoint(AwsConnection connection)
        {
            string? endpointUrl = (string.IsNullOrEmpty(connection.EndpointUrl) ? null : connection.EndpointUrl)
                ?? AwsEnvironment.Get("AWS_ENDPOINT_URL_EC2")
                ?? AwsEnvironment.Get("AWS_ENDPOINT_URL");
            if (endpointUrl is null)
            {
                return null;
            }

            return Uri.TryCreate(endpointUrl, UriKind.Absolute, out Uri? endpoint) && endpoint.Scheme is "http" or "https"
                ? endpoint
                : throw new AwsSettingsException("BadEndpointUrl", $"'{endpointUrl}' is not an http or https URL.",
                    "Pass -EndpointUrl as a full URL, such as https://ec2.us-east-1.amazonaws.com or http://127.0.0.1:8080.");
        }
    }
}
