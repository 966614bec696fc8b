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

        private static async Task<string?> SignedScope(Ec2Emulator emulator, AwsConnection connection)
        {
            using var ec2 = new Ec2CloudNetwork(connection with { EndpointUrl = emulator.ServiceUrl.ToString() });
            await ec2.DescribeSecurityGroupsAsync(new[] { "sg-0123456789abcdef0" }, CancellationToken.None);
            return emulator.LastCredentialScope;
        }

        [Fact]
        public async Task Explicit_keys_win_over_a_profile_and_the_region_parameter_signs()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            string file = Profiles("[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = s\nregion = eu-west-1\n");

            string? scope = await SignedScope(emulator, new AwsConnection { AccessKey = "AKIDGIVEN", SecretKey = "s", Region = "ap-northeast-2", ProfileLocation = file });

            Assert.StartsWith("AKIDGIVEN/", scope, StringComparison.Ordinal);
            Assert.Contains("/ap-northeast-2/ec2/", scope, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_named_profile_gives_its_keys_and_its_region()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
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
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = us-east-1\n");
            var stored = new AwsConnection { StoredCredentials = new AwsKeys("AKIDSTORED", "s", null), StoredRegion = "sa-east-1", ProfileLocation = file };

            string? fromStore = await SignedScope(emulator, stored);
            string? fromParameter = await SignedScope(emulator, stored with { Credential = new AwsKeys("AKIDCREDENTIAL", "s", "token"), Region = "us-west-2" });

            Assert.StartsWith("AKIDSTORED/", fromStore, StringComparison.Ordinal);
            Assert.Contains("/sa-east-1/", fromStore, StringComparison.Ordinal);
            Assert.StartsWith("AKIDCREDENTIAL/", fromParameter, StringComparison.Ordinal);
            Assert.Contains("/us-west-2/", fromParameter, StringComparison.Ordinal);
        }

        [Fact]
        public async Task The_default_profile_is_used_when_nothing_else_is_given()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\nregion = ca-central-1\n");
            string? saved = Environment.GetEnvironmentVariable("AWS_ACCESS_KEY_ID");
            Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", null);
            try
            {
                string? scope = await SignedScope(emulator, new AwsConnection { ProfileLocation = file });

                Assert.StartsWith("AKIDDEFAULT/", scope, StringComparison.Ordinal);
                Assert.Contains("/ca-central-1/", scope, StringComparison.Ordinal);
            }
            finally
            {
                Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", saved);
            }
        }

        [Fact]
        public void No_region_anywhere_is_AWS_Tools_own_error()
        {
            string file = Profiles("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s\n");
            string? region = Environment.GetEnvironmentVariable("AWS_REGION");
            string? defaultRegion = Environment.GetEnvironmentVariable("AWS_DEFAULT_REGION");
            Environment.SetEnvironmentVariable("AWS_REGION", null);
            Environment.SetEnvironmentVariable("AWS_DEFAULT_REGION", null);
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
