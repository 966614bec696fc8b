namespace K3sNet.Cloud
{
    /// <summary>
    /// How to reach EC2. Explicit keys sign every request; without them the AWS SDK's own credential chain applies.
    /// <see cref="EndpointUrl"/> points the client at a VPC endpoint or an emulator.
    /// </summary>
    internal sealed record AwsConnection
    {
        public string? Region { get; init; }

        public string? AccessKey { get; init; }

        public string? SecretKey { get; init; }

        public string? SessionToken { get; init; }

        public string? EndpointUrl { get; init; }

        /// <summary>Never prints the keys: records print every property by default.</summary>
        public override string ToString() =>
            $"AwsConnection {{ Region = {Region}, EndpointUrl = {EndpointUrl}, AccessKey = {(AccessKey is null ? "(none)" : "(set)")} }}";
    }
}
