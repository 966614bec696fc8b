using System;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using K3sNet.Emulators.Ec2;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// A hung endpoint: the emulator accepts each request and never answers. K3sNet gives up after the timeout on each
    /// of the SDK's attempts and says which endpoint and bound; a cancellation stops the request in flight. Counts, not
    /// clocks, are asserted.
    /// </summary>
    public sealed class Ec2TimeoutTests
    {
        private static Ec2CloudNetwork Connect(Ec2Emulator emulator, TimeSpan timeout) => new(new AwsConnection
        {
            Region = "us-east-1",
            AccessKey = Ec2Emulator.DefaultAccessKeyId,
            SecretKey = Ec2Emulator.DefaultSecretAccessKey,
            EndpointUrl = emulator.ServiceUrl.ToString(),
            Timeout = timeout,
        });

        [Fact]
        public async Task A_hung_endpoint_ends_in_a_Timeout_that_names_the_endpoint_and_the_bound_after_every_attempt()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            emulator.Hang("DescribeVpcs");
            using Ec2CloudNetwork ec2 = Connect(emulator, TimeSpan.FromSeconds(1));

            Ec2ApiException error = await Assert.ThrowsAsync<Ec2ApiException>(() => ec2.DescribeVpcsAsync(CancellationToken.None));

            Assert.Equal("Timeout", error.ErrorCode);
            Assert.Equal("DescribeVpcs", error.Action);
            Assert.Contains(emulator.ServiceUrl.ToString(), error.Message, StringComparison.Ordinal);
            Assert.Contains("within 1 s", error.Message, StringComparison.Ordinal);
            // The SDK's standard mode retries a timed-out attempt: three attempts, each abandoned by the client.
            Assert.Equal(3, emulator.AttemptCount("DescribeVpcs"));
            await WaitUntil(() => emulator.AbortedCount >= 3);
        }

        [Fact]
        public async Task Cancelling_stops_the_request_in_flight_at_once()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            emulator.Hang();
            using Ec2CloudNetwork ec2 = Connect(emulator, TimeSpan.FromMinutes(10));
            using var stop = new CancellationTokenSource();

            Task reading = ec2.DescribeVpcsAsync(stop.Token);
            await WaitUntil(() => emulator.CallCount("DescribeVpcs") >= 1);
            stop.Cancel();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
            await WaitUntil(() => emulator.AbortedCount >= 1);
            Assert.Equal(1, emulator.AttemptCount("DescribeVpcs"));
        }

        [Fact]
        public async Task Throttling_is_retried_within_the_timeout_as_the_SDK_standard_mode_does()
        {
            await using Ec2Emulator emulator = await Ec2Emulator.StartAsync(Ec2TestBed.Cluster(nodes: 1, groups: 1));
            emulator.ThrottleNext(2, "DescribeVpcs");
            using Ec2CloudNetwork ec2 = Connect(emulator, TimeSpan.FromSeconds(30));

            Assert.Single(await ec2.DescribeVpcsAsync(CancellationToken.None));
            Assert.Equal(3, emulator.AttemptCount("DescribeVpcs"));
        }

        /// <summary>Polls a condition the emulator reaches asynchronously; bounded, so a broken run fails instead of hanging.</summary>
        private static async Task WaitUntil(Func<bool> condition)
        {
            for (int poll = 0; poll < 1500 && !condition(); poll++)
            {
                await Task.Delay(20);
            }

            Assert.True(condition());
        }
    }
}
