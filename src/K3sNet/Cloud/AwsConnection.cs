namespace K3sNet.Cloud
{
    /// <summary>
    /// How to reach EC2, as the user gave it: explicit keys, a profile (with the file it lives in), what the session
    /// holds from Set-AWSCredential / Set-DefaultAWSRegion, and <see cref="EndpointUrl"/> for a VPC endpoint or an
    /// emulator. K3sNet.Cloud resolves credentials and region from these in AWS.Tools' order.
    /// </summary>
    internal sealed record AwsConnection
    {
        public string? Region { get; init; }

        public string? AccessKey { get; init; }

        public string? SecretKey { get; init; }

        public string? SessionToken { get; init; }

        public string? EndpointUrl { get; init; }

        /// <summary>-ProfileName: must exist when given (no fall-through).</summary>
        public string? ProfileName { get; init; }

        /// <summary>-ProfileLocation: the shared credentials file to read profiles from.</summary>
        public string? ProfileLocation { get; init; }

        /// <summary>Keys from -Credential, already read out of whatever object the user passed.</summary>
        public AwsKeys? Credential { get; init; }

        /// <summary>$StoredAWSCredentials: keys, or a profile name, set by Set-AWSCredential.</summary>
        public AwsKeys? StoredCredentials { get; init; }

        public string? StoredProfileName { get; init; }

        /// <summary>$StoredAWSRegion, set by Set-DefaultAWSRegion.</summary>
        public string? StoredRegion { get; init; }

        /// <summary>-TimeoutSeconds: how long one request attempt may take; null for K3sNet's default.</summary>
        public System.TimeSpan? Timeout { get; init; }

        /// <summary>Never prints the keys: records print every property by default.</summary>
        public override string ToString() =>
            $"AwsConnection {{ Region = {Region}, EndpointUrl = {EndpointUrl}, ProfileName = {ProfileName}, Timeout = {Timeout}, AccessKey = {(AccessKey is null ? "(none)" : "(set)")} }}";
    }

    /// <summary>An access key pair and optional session token.</summary>
    internal sealed record AwsKeys(string AccessKey, string SecretKey, string? SessionToken)
    {
        public override string ToString() => "AwsKeys { (hidden) }";
    }
}
