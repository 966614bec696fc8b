using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// Credentials and region in AWS.Tools' order, observed where it matters: the access key and region a request is
    /// signed with when it reaches the emulator. Every case names keys or a profile file, so the SDK never looks for
    /// instance metadata.
    /// </summary>
    [Collection("Environment")]
    public sealed class AwsClientFactoryTests : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("k3snet-aws-").FullName;

        public void Dispose() => Directory.Delete(_folder, recursive: true);

        private string Profiles(string text)
        {
            string path = Path.Combine(_folder, "credentials");
            File.WriteAllText(path, text);
            File.WriteAllText(Path.Combine(_folder, "config"), string.Empty);
            return path;
        }

        /// <summary>An emulator serving <paramref name="region"/> that knows each key in <paramref name="accessKeyIds"/> with the secret "s".</summary>
        private static async Task<Ec2Emulator> Emulator(string region, params string[] accessKeyIds)
        {
            Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            emulator.Region = region;
            foreach (string id in accessKeyIds)
            {
                emulator.AddAccessKey(id, "s");
            }

            return emulator;
        }

        private static async Task<string?> SignedScope(Ec2Emulator emulator, AwsConnection connection)
        {
            using var ec2 = new Ec2CloudNetwork(connection with { EndpointUrl = emulator.ServiceUrl.ToString() });
            await ec2.DescribeSecurityGroupsAsync(new[] { "sg-0123456789abcdef0" }, CancellationToken.None);
            return emulator.LastCredentialScope;
        }

        [Fact]
        public async Task Explicit_keys_win_over_a_profile_and_the_region_parameter_signs()
        {
            await using Ec2Emulator emulator = await Emulator("ap-northeast-2", "AKIDGIVEN");
            string file = Profiles("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\nregion = eu-west-1\n");

            string? scope = await SignedScope(emulator, new AwsConnection { AccessKey = "AKIDGIVEN", SecretKey = "s", Region = "ap-northeast-2", ProfileLocation = file });

            Assert.StartsWith("AKIDGIVEN/", scope, StringComparison.Ordinal);
            Assert.Contains("/ap-northeast-2/ec2/", scope, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_named_profile_gives_its_keys_and_its_region()
        {
            await using Ec2Emulator emulator = await Emulator("eu-central-1", "AKIDOPS");
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n\n[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\nregion = eu-central-1\n");

            string? scope = await SignedScope(emulator, new AwsConnection { ProfileName = "ops", ProfileLocation = file });

            Assert.StartsWith("AKIDOPS/", scope, StringComparison.Ordinal);
            Assert.Contains("/eu-central-1/ec2/", scope, StringComparison.Ordinal);
        }

        [Fact]
        public void A_missing_named_profile_is_an_error_not_a_fall_through()
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = us-east-1\n");

            AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(new AwsConnection { ProfileName = "nope", ProfileLocation = file }));

            Assert.Equal("ProfileNotFound", error.ErrorId);
            Assert.Contains("'nope'", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_session_stored_credentials_and_region_come_after_the_parameters()
        {
            await using Ec2Emulator emulator = await Emulator("sa-east-1", "AKIDSTORED");
            emulator.AddAccessKey("AKIDCREDENTIAL", "s", "token");
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = us-east-1\n");
            var stored = new AwsConnection { StoredCredentials = new AwsKeys("AKIDSTORED", "s", null), StoredRegion = "sa-east-1", ProfileLocation = file };

            string? fromStore = await SignedScope(emulator, stored);
            emulator.Region = "us-west-2";
            string? fromParameter = await SignedScope(emulator, stored with { Credential = new AwsKeys("AKIDCREDENTIAL", "s", "token"), Region = "us-west-2" });

            Assert.StartsWith("AKIDSTORED/", fromStore, StringComparison.Ordinal);
            Assert.Contains("/sa-east-1/", fromStore, StringComparison.Ordinal);
            Assert.StartsWith("AKIDCREDENTIAL/", fromParameter, StringComparison.Ordinal);
            Assert.Contains("/us-west-2/", fromParameter, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_default_profile_is_used_when_nothing_else_is_given()
        {
            await using Ec2Emulator emulator = await Emulator("ca-central-1", "AKIDDEFAULT");
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = ca-central-1\n");
            using var environment = new EnvironmentScope(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null), ("AWS_REGION", null), ("AWS_DEFAULT_REGION", null), ("AWS_PROFILE", null));

            string? scope = await SignedScope(emulator, new AwsConnection { ProfileLocation = file });

            Assert.StartsWith("AKIDDEFAULT/", scope, StringComparison.Ordinal);
            Assert.Contains("/ca-central-1/", scope, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_environment_comes_before_the_profile_AWS_REGION_before_the_profile_region()
        {
            await using Ec2Emulator emulator = await Emulator("eu-north-1", "AKIDENV");
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = ca-central-1\n");
            using var environment = new EnvironmentScope(("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", "s"), ("AWS_REGION", "eu-north-1"), ("AWS_DEFAULT_REGION", "ap-south-1"), ("AWS_PROFILE", null));

            string? scope = await SignedScope(emulator, new AwsConnection { ProfileLocation = file });

            Assert.StartsWith("AKIDENV/", scope, StringComparison.Ordinal);
            Assert.Contains("/eu-north-1/", scope, StringComparison.Ordinal);
        }

        [Fact]
        public async Task AWS_DEFAULT_REGION_counts_when_AWS_REGION_is_not_set_and_AWS_PROFILE_picks_the_profile()
        {
            await using Ec2Emulator emulator = await Emulator("ap-south-1", "AKIDOPS");
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n\n[ops]\naws_access_key_id = AKIDOPS\naws_secret_access_key = s\nregion = eu-central-1\n");
            using var environment = new EnvironmentScope(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null), ("AWS_REGION", null), ("AWS_DEFAULT_REGION", "ap-south-1"), ("AWS_PROFILE", "ops"));

            string? scope = await SignedScope(emulator, new AwsConnection { ProfileLocation = file });

            Assert.StartsWith("AKIDOPS/", scope, StringComparison.Ordinal);
            Assert.Contains("/ap-south-1/", scope, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("AKIDHALF", null, null, "-AccessKey was given without -SecretKey")]
        [InlineData(null, "half-secret", null, "-SecretKey was given without -AccessKey")]
        [InlineData(null, null, "lonely-token", "-SessionToken was given without -AccessKey and -SecretKey")]
        public void Half_given_keys_are_an_error_that_names_what_is_missing(string? accessKey, string? secretKey, string? token, string expected)
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = us-east-1\n");

            AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(
                new AwsConnection { AccessKey = accessKey, SecretKey = secretKey, SessionToken = token, Region = "us-east-1", ProfileLocation = file }));

            Assert.Equal("IncompleteCredentials", error.ErrorId);
            Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("half-secret", error.Message + error.RecommendedAction, StringComparison.Ordinal);
            Assert.DoesNotContain("lonely-token", error.Message + error.RecommendedAction, StringComparison.Ordinal);
        }

        [Fact]
        public void Half_set_environment_keys_are_an_error_too()
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = us-east-1\n");
            using var environment = new EnvironmentScope(("AWS_ACCESS_KEY_ID", "AKIDENV"), ("AWS_SECRET_ACCESS_KEY", null));

            AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(new AwsConnection { Region = "us-east-1", ProfileLocation = file }));

            Assert.Equal("IncompleteCredentials", error.ErrorId);
            Assert.Contains("AWS_SECRET_ACCESS_KEY", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void No_credentials_anywhere_lists_where_K3sNet_looked_instead_of_the_SDK_four_part_exception()
        {
            string file = Profiles(string.Empty);
            // Instance metadata off, as the SDK reads it; and every file the SDK's own chain would read is empty.
            using var environment = new EnvironmentScope(("AWS_ACCESS_KEY_ID", null), ("AWS_SECRET_ACCESS_KEY", null), ("AWS_PROFILE", null),
                ("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_SHARED_CREDENTIALS_FILE", file), ("AWS_CONFIG_FILE", Path.Combine(_folder, "config")),
                ("AWS_WEB_IDENTITY_TOKEN_FILE", null), ("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", null), ("AWS_CONTAINER_CREDENTIALS_FULL_URI", null));

            AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(new AwsConnection { Region = "us-east-1", ProfileLocation = file }));

            Assert.Equal("NoCredentials", error.ErrorId);
            Assert.Contains("AWS_ACCESS_KEY_ID", error.Message, StringComparison.Ordinal);
            Assert.Contains("$StoredAWSCredentials", error.Message, StringComparison.Ordinal);
            Assert.Contains("instance metadata (turned off by AWS_EC2_METADATA_DISABLED=true)", error.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception 1 of", error.Message, StringComparison.Ordinal);
            Assert.Null(error.InnerException);
        }

        [Fact]
        public void An_endpoint_without_a_region_anywhere_is_an_error_not_us_east_1()
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n");
            using var environment = new EnvironmentScope(("AWS_REGION", null), ("AWS_DEFAULT_REGION", null), ("AWS_PROFILE", null), ("AWS_EC2_METADATA_DISABLED", "true"));

            AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(
                new AwsConnection { AccessKey = "AKIDEXAMPLE", SecretKey = "s", EndpointUrl = "http://127.0.0.1:9/", ProfileLocation = file }));

            Assert.Equal("NoRegion", error.ErrorId);
            Assert.Contains("http://127.0.0.1:9/", error.Message, StringComparison.Ordinal);
            Assert.Contains("-Region", error.RecommendedAction, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("https://ec2.eu-west-1.amazonaws.com", "eu-west-1")]
        [InlineData("https://vpce-0a1b2c3d-e4f5.ec2.ap-south-1.vpce.amazonaws.com", "ap-south-1")]
        [InlineData("https://ec2.amazonaws.com", "us-east-1")]
        [InlineData("http://127.0.0.1:8080", null)]
        [InlineData("https://ec2-proxy.corp.example", null)]
        public void The_endpoint_gives_the_region_only_when_its_host_names_one(string url, string? region)
        {
            Assert.Equal(region, AwsRegionResolver.EndpointRegion(new Uri(url)));
        }

        [Fact]
        public void An_endpoint_that_names_its_region_signs_for_it_even_when_the_environment_says_otherwise()
        {
            using var environment = new EnvironmentScope(("AWS_REGION", "us-east-1"));

            using Amazon.EC2.AmazonEC2Client client = AwsClientFactory.Create(
                new AwsConnection { AccessKey = "AKIDEXAMPLE", SecretKey = "s", EndpointUrl = "https://ec2.eu-west-1.amazonaws.com" }, out string endpoint);

            Assert.Equal("eu-west-1", client.Config.AuthenticationRegion);
            Assert.Equal("https://ec2.eu-west-1.amazonaws.com/", endpoint);
        }

        [Fact]
        public void No_region_anywhere_is_AWS_Tools_own_error()
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n");
            string? region = Environment.GetEnvironmentVariable("AWS_REGION");
            string? defaultRegion = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
            Environment.SetEnvironmentVariable("AWS_REGION", null);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", null);
            using var metadataOff = new EnvironmentScope(("AWS_EC2_METADATA_DISABLED", "true"), ("AWS_PROFILE", null));
            try
            {
                AwsSettingsException error = Assert.Throws<AwsSettingsException>(() => AwsClientFactory.Create(new AwsConnection { ProfileLocation = file }));

                Assert.Equal("NoRegion", error.ErrorId);
                Assert.Equal("No region specified or obtained from persisted/shell defaults.", error.Message);
            }
            finally
            {
                Environment.SetEnvironmentVariable("AWS_REGION", region);
                Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", defaultRegion);
            }
        }

        [Fact]
        public void Never_prints_a_secret_key_or_session_token()
        {
            var connection = new AwsConnection
            {
                AccessKey = "AKIDPS", SecretKey = "the-secret", SessionToken = "the-token",
                Credential = new AwsKeys("AKIDC", "c-secret", "c-token"), StoredCredentials = new AwsKeys("AKIDS", "s-secret", null),
            };

            string text = connection.ToString() + connection.Credential + connection.StoredCredentials;

            Assert.DoesNotContain("secret", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("token", text, StringComparison.OrdinalIgnoreCase);
        }
    }
}
