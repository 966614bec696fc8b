using System;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Aws;
using K3sNet.Cloud;
using K3sNet.Cloud.Aws;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K3sNet.Tests.Aws
{
    /// <summary>
    /// An EC2 endpoint that fails with a bare HTTP 500 (no error XML), as a failing service or a proxy answers: the real
    /// AWSSDK.EC2 then says only "See inner exception"; K3sNet's error must name the status and the action (the
    /// ErrorRecord built from it is tested in Pester, Ec2ServerError.Tests.ps1).
    /// </summary>
    public sealed class Ec2ServerErrorTests
    {
        [Fact]
        public async Task A_500_with_no_body_names_the_status_and_the_action_not_the_inner_exception()
        {
            int calls = 0;
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            await using WebApplication app = builder.Build();
            app.Run(context =>
            {
                Interlocked.Increment(ref calls);
                context.Response.StatusCode = 500;
                return Task.CompletedTask;
            });
            await app.StartAsync();
            string url = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
            using var network = new Ec2CloudNetwork(new AwsConnection { Region = "us-east-1", AccessKey = "AKIDEXAMPLE", SecretKey = "test-secret", EndpointUrl = url });

            var error = await Assert.ThrowsAsync<Ec2ApiException>(() => network.DescribeSecurityGroupsAsync(new[] { "sg-0a" }, CancellationToken.None));

            Assert.Equal(3, calls); // the SDK's retries came first
            Assert.Equal(("DescribeSecurityGroups", 500, "NoErrorBody"), (error.Action, error.StatusCode, error.ErrorCode));
            Assert.Equal(
                "EC2 answered HTTP 500 (InternalServerError) to DescribeSecurityGroups with no error body to say why, after the SDK's retries.",
                error.Message);
        }
    }
}
