using System.Management.Automation;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Hosting;

namespace K3sNet.Commands
{
    /// <summary>
    /// The AWS parameters every K3sNet AWS cmdlet takes, with AWS Tools for PowerShell's names and aliases, declared
    /// once so they cannot drift; and the connection they describe, with $StoredAWSRegion and $StoredAWSCredentials
    /// read from the session as AWS.Tools' Set-DefaultAWSRegion and Set-AWSCredential leave them.
    /// </summary>
    public abstract class AwsCmdlet : K3sNetCmdlet
    {
        [Parameter]
        [Alias("RegionToCall")]
        public string? Region { get; set; }

        [Parameter]
        [Alias("StoredCredentials", "AWSProfileName")]
        public string? ProfileName { get; set; }

        [Parameter]
        [Alias("AWSProfilesLocation", "ProfilesLocation")]
        public string? ProfileLocation { get; set; }

        [Parameter]
        [Alias("AK")]
        public string? AccessKey { get; set; }

        [Parameter]
        [Alias("SK", "SecretAccessKey")]
        public string? SecretKey { get; set; }

        [Parameter]
        [Alias("ST")]
        public string? SessionToken { get; set; }

        /// <summary>An AWS.Tools AWSCredentials object, or a PSCredential holding the access key and secret key.</summary>
        [Parameter]
        public object? Credential { get; set; }

        [Parameter]
        public string? EndpointUrl { get; set; }

        /// <summary>
        /// How long one EC2 request attempt may take. A healthy endpoint answers in well under a second, a full page of
        /// 1,000 results in a few; 30 s leaves room for slow links and proxies, and with the SDK's three attempts ends a
        /// hung endpoint in about a minute and a half instead of five.
        /// </summary>
        [Parameter]
        [ValidateRange(1.0, 3600.0)]
        public double TimeoutSeconds { get; set; } = 30;

        /// <summary>The connection the parameters and the session describe; K3sNet.Cloud resolves it in AWS.Tools' order.</summary>
        internal AwsConnection Connection()
        {
            (AwsKeys? storedKeys, string? storedProfile) = AwsCredentialReader.Read(SessionState.PSVariable.GetValue("StoredAWSCredentials"));
            object? storedRegion = SessionState.PSVariable.GetValue("StoredAWSRegion");
            AwsKeys? given = Credential is null ? null : AwsCredentialReader.Read(Credential).Keys;
            if (Credential is not null && given is null)
            {
                // The target names the object's type, never the object: it may hold a secret key beside a missing access key.
                string received = $"-Credential ({PSObject.AsPSObject(Credential).TypeNames[0]})";
                ThrowTerminatingError(K3sNetErrors.Create("CredentialNotUsable", ErrorCategory.InvalidArgument, received,
                    "-Credential holds no access key and secret key K3sNet can read.",
                    "Pass an AWSCredentials object (Get-AWSCredential), a PSCredential with the access key as user name and the secret key as password, or use -ProfileName."));
            }

            return new AwsConnection
            {
                Region = Region,
                ProfileName = ProfileName,
                ProfileLocation = ProfileLocation,
                AccessKey = AccessKey,
                SecretKey = SecretKey,
                SessionToken = SessionToken,
                Credential = given,
                StoredCredentials = storedKeys,
                StoredProfileName = storedProfile,
                StoredRegion = (storedRegion is PSObject p ? p.BaseObject : storedRegion)?.ToString(),
                EndpointUrl = EndpointUrl,
                Timeout = System.TimeSpan.FromSeconds(TimeoutSeconds),
            };
        }

        /// <summary>Stops before any EC2 call when a -SourceCidr value is not a CIDR block: nothing is half-applied.</summary>
        internal void AssertSourceCidrs(string[]? sourceCidrs)
        {
            foreach (string cidr in sourceCidrs ?? System.Array.Empty<string>())
            {
                if (!Cidr.TryParse(cidr, out _))
                {
                    ThrowTerminatingError(K3sNetErrors.Create("InvalidSourceCidr", ErrorCategory.InvalidArgument, cidr,
                        $"-SourceCidr '{cidr}' is not a CIDR block.", "Write it as 10.0.0.0/16, 203.0.113.7/32 or 2001:db8::/64."));
                }
            }
        }

        /// <summary>A client for EC2, or a terminating error that says what is missing (profile, region, endpoint).</summary>
        internal ICloudNetwork ConnectEc2()
        {
            AwsConnection connection = Connection();
            WriteVerbose($"Connecting to EC2: {connection}");
            try
            {
                return CloudBridge.Services.ConnectCloudNetwork(connection);
            }
            catch (AwsSettingsException e)
            {
                // No identity anywhere is an authentication problem; everything else is input the user can correct.
                ErrorCategory category = e.ErrorId == "NoCredentials" ? ErrorCategory.AuthenticationError : ErrorCategory.InvalidArgument;
                object? target = e.ErrorId switch
                {
                    "IncompleteCredentials" or "NoCredentials" => "credentials",
                    "NoRegion" => "region",
                    "BadEndpointUrl" => EndpointUrl,
                    _ => ProfileName ?? Region,
                };
                ThrowTerminatingError(K3sNetErrors.Create(e.ErrorId, category, target, e.Message, e.RecommendedAction, e));
                throw;
            }
        }

        /// <summary>The ErrorRecord for an EC2 error: what failed, and what to do about it.</summary>
        internal static ErrorRecord Ec2Error(Ec2ApiException e, object? target)
        {
            (string id, ErrorCategory category, string action) = e.ErrorCode switch
            {
                "UnauthorizedOperation" or "AccessDenied" => ("Ec2AccessDenied", ErrorCategory.PermissionDenied,
                    $"Allow {e.IamAction} in the IAM policy of the identity K3sNet uses (see the NOTES of Get-Help {Noun(e)} -Full)."),
                "AuthFailure" or "InvalidClientTokenId" or "SignatureDoesNotMatch" => ("Ec2AuthFailure", ErrorCategory.AuthenticationError,
                    "Check the access key, secret key and session token (or the profile) K3sNet uses."),
                "RequestLimitExceeded" => ("Ec2Throttled", ErrorCategory.LimitsExceeded,
                    "EC2 throttled the account beyond K3sNet's retries: wait a minute and run the command again."),
                "InvalidGroup.NotFound" or "InvalidGroupId.Malformed" => ("SecurityGroupNotFound", ErrorCategory.ObjectNotFound,
                    "Check the security group id and the region: groups belong to one region and VPC."),
                "RulesPerSecurityGroupLimitExceeded" => ("SecurityGroupRuleLimit", ErrorCategory.LimitsExceeded,
                    "Consolidate: replace per-address rules with one rule whose source is a security group all the nodes share (a self-referencing rule, -SourceGroupId <that group>), then run the command again."),
                "ConnectionFailed" or "ClientError" => ("Ec2Unreachable", ErrorCategory.ConnectionError,
                    "Check -EndpointUrl or -Region and the network path to the EC2 endpoint."),
                "Timeout" => ("Ec2Timeout", ErrorCategory.OperationTimeout,
                    "Check -EndpointUrl or -Region and the network path (a proxy, a VPC endpoint's security group); raise -TimeoutSeconds for a slow link."),
                _ when e.StatusCode >= 500 => ("Ec2ServiceError", ErrorCategory.ResourceUnavailable,
                    "EC2 failed on its side: run the command again in a minute, and check the AWS Health Dashboard for the region; "
                    + "with -EndpointUrl, check that endpoint (or the proxy in front of it)."),
                _ => ("Ec2Error", ErrorCategory.InvalidOperation, "Read EC2's message, correct the input, and run the command again."),
            };
            string message = e.ErrorCode == "UnauthorizedOperation"
                ? $"EC2 refused {e.Action}: the caller is not allowed {e.IamAction} (UnauthorizedOperation, HTTP 403)."
                : e.ErrorCode == "Timeout" ? $"EC2 {e.Action} timed out: {e.Message}"
                : $"EC2 {e.Action} failed: {e.ErrorCode}{(e.StatusCode > 0 ? $" (HTTP {e.StatusCode})" : string.Empty)}: {e.Message}";
            return K3sNetErrors.Create(id, category, target, message, action, e);
        }

        /// <summary>The error for a group id that names no group in this account and region (EC2 simply omits it).</summary>
        internal static ErrorRecord SecurityGroupNotFound(string groupId) =>
            K3sNetErrors.Create("SecurityGroupNotFound", ErrorCategory.ObjectNotFound, groupId,
                $"The security group '{groupId}' does not exist in this account and region.",
                "Check the group id and -Region: security groups belong to one region and VPC.");

        private static string Noun(Ec2ApiException e) => e.Action.Contains("Describe", System.StringComparison.Ordinal)
            ? "Test-K3sSecurityGroup"
            : "Grant-K3sNodeTraffic";
    }
}
