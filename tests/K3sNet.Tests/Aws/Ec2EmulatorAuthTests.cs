using System;
using System.Net;
using System.Threading.Tasks;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// The emulator checks SigV4 as EC2 does, so a client that resolved the wrong key, secret or region fails here as it
    /// would against AWS. The real SDK signs every request.
    /// </summary>
    public sealed class Ec2EmulatorAuthTests
    {
        private static AmazonEC2Client Client(Ec2Emulator emulator, string accessKey, string secretKey, string region, string? service = null)
        {
            var config = new AmazonEC2Config { ServiceURL = emulator.ServiceUrl.ToString(), AuthenticationRegion = region, MaxErrorRetry = 0 };
            if (service is not null)
            {
                config.AuthenticationServiceName = service;
            }

            return new AmazonEC2Client(new BasicAWSCredentials(accessKey, secretKey), config);
        }

        private static async Task<AmazonEC2Exception> Refused(AmazonEC2Client client)
        {
            using (client)
            {
                return await Assert.ThrowsAsync<AmazonEC2Exception>(() => client.DescribeVpcsAsync(new DescribeVpcsRequest()));
            }
        }

        [Fact]
        public async Task A_request_signed_with_a_known_key_for_the_endpoint_region_is_answered()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            emulator.Region = "eu-west-1";
            emulator.AddAccessKey("AKIDOTHER", "other-secret");
            using AmazonEC2Client client = Client(emulator, "AKIDOTHER", "other-secret", "eu-west-1");

            DescribeVpcsResponse response = await client.DescribeVpcsAsync(new DescribeVpcsRequest());

            Assert.Equal("vpc-0a", Assert.Single(response.Vpcs).VpcId);
        }

        [Fact]
        public async Task An_unknown_access_key_is_AuthFailure()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());

            AmazonEC2Exception error = await Refused(Client(emulator, "AKIDNOBODY", "test-secret", "us-east-1"));

            Assert.Equal("AuthFailure", error.ErrorCode);
            Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
            Assert.Equal("AWS was not able to validate the provided access credentials", error.Message);
        }

        [Fact]
        public async Task A_wrong_secret_key_is_SignatureDoesNotMatch()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());

            AmazonEC2Exception error = await Refused(Client(emulator, Ec2Emulator.DefaultAccessKeyId, "not-the-secret", "us-east-1"));

            Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
            Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        }

        [Fact]
        public async Task A_signature_scoped_to_another_region_is_refused_as_AWS_refuses_it()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            emulator.Region = "ap-northeast-2";

            AmazonEC2Exception error = await Refused(Client(emulator, Ec2Emulator.DefaultAccessKeyId, Ec2Emulator.DefaultSecretAccessKey, "us-east-1"));

            Assert.Equal("AuthFailure", error.ErrorCode);
            Assert.StartsWith("Credential should be scoped to a valid region, not 'us-east-1'.", error.Message, StringComparison.Ordinal);
            Assert.Equal($"{Ec2Emulator.DefaultAccessKeyId}/{emulator.LastCredentialScope!.Split('/')[1]}/us-east-1/ec2/aws4_request", emulator.LastCredentialScope);
        }

        [Fact]
        public async Task A_signature_scoped_to_another_service_is_refused()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());

            AmazonEC2Exception error = await Refused(Client(emulator, Ec2Emulator.DefaultAccessKeyId, Ec2Emulator.DefaultSecretAccessKey, "us-east-1", service: "s3"));

            Assert.Equal("AuthFailure", error.ErrorCode);
            Assert.StartsWith("Credential should be scoped to correct service: 'ec2'.", error.Message, StringComparison.Ordinal);
        }

        [Fact]
        public async Task A_temporary_key_needs_its_session_token()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(new Ec2State());
            emulator.AddAccessKey("ASIATEMP", "temp-secret", "the-token");
            var config = new AmazonEC2Config { ServiceURL = emulator.ServiceUrl.ToString(), AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 };
            using var withToken = new AmazonEC2Client(new SessionAWSCredentials("ASIATEMP", "temp-secret", "the-token"), config);
            using var withoutToken = new AmazonEC2Client(new BasicAWSCredentials("ASIATEMP", "temp-secret"), config);

            await withToken.DescribeVpcsAsync(new DescribeVpcsRequest());
            AmazonEC2Exception error = await Assert.ThrowsAsync<AmazonEC2Exception>(() => withoutToken.DescribeVpcsAsync(new DescribeVpcsRequest()));

            Assert.Equal("AuthFailure", error.ErrorCode);
        }
    }
}
