using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Amazon;
using Amazon.EC2;
using Amazon.EC2.Model;
using Amazon.Runtime;

namespace K3sNet.Cloud.Aws
{
    /// <summary>EC2 through AWSSDK.EC2.</summary>
    internal sealed class Ec2CloudNetwork : ICloudNetwork
    {
        private readonly AmazonEC2Client _client;

        public Ec2CloudNetwork(AwsConnection connection)
        {
            ArgumentNullException.ThrowIfNull(connection);
            var config = new AmazonEC2Config();
            if (!string.IsNullOrEmpty(connection.EndpointUrl))
            {
                // An explicit URL wins over AWS_ENDPOINT_URL_EC2 and the regional endpoint; the region still signs.
                config.ServiceURL = connection.EndpointUrl;
                config.AuthenticationRegion = connection.Region ?? "us-east-1";
            }
            else if (!string.IsNullOrEmpty(connection.Region))
            {
                config.RegionEndpoint = RegionEndpoint.GetBySystemName(connection.Region);
            }

            _client = CredentialsOf(connection) is AWSCredentials credentials
                ? new AmazonEC2Client(credentials, config)
                : new AmazonEC2Client(config);
        }

        public async Task<IReadOnlyList<VpcNetwork>> DescribeVpcsAsync(CancellationToken cancellationToken)
        {
            var vpcs = new List<VpcNetwork>();
            var request = new DescribeVpcsRequest();
            do
            {
                DescribeVpcsResponse response = await _client.DescribeVpcsAsync(request, cancellationToken).ConfigureAwait(false);

                // AWSSDK v4 leaves absent collections null.
                foreach (Vpc vpc in response.Vpcs ?? new List<Vpc>())
                {
                    IEnumerable<string> ipv4 = (vpc.CidrBlockAssociationSet ?? new List<VpcCidrBlockAssociation>())
                        .Select(a => a.CidrBlock)
                        .Prepend(vpc.CidrBlock)
                        .Where(c => !string.IsNullOrEmpty(c))
                        .Distinct(StringComparer.Ordinal);
                    IEnumerable<string> ipv6 = (vpc.Ipv6CidrBlockAssociationSet ?? new List<VpcIpv6CidrBlockAssociation>())
                        .Select(a => a.Ipv6CidrBlock)
                        .Where(c => !string.IsNullOrEmpty(c));
                    vpcs.Add(new VpcNetwork(vpc.VpcId, ipv4.ToArray(), ipv6.ToArray()));
                }

                request.NextToken = response.NextToken;
            }
            while (!string.IsNullOrEmpty(request.NextToken));

            return vpcs;
        }

        public void Dispose() => _client.Dispose();

        private static AWSCredentials? CredentialsOf(AwsConnection connection)
        {
            if (string.IsNullOrEmpty(connection.AccessKey) || string.IsNullOrEmpty(connection.SecretKey))
            {
                return null;
            }

            return string.IsNullOrEmpty(connection.SessionToken)
                ? new BasicAWSCredentials(connection.AccessKey, connection.SecretKey)
                : new SessionAWSCredentials(connection.AccessKey, connection.SecretKey, connection.SessionToken);
        }
    }
}
