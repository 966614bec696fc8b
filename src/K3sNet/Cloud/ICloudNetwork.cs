using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Cloud
{
    /// <summary>The EC2 network configuration of one account and region, as K3sNet reads and changes it.</summary>
    internal interface ICloudNetwork : IDisposable
    {
        /// <summary>Every VPC with its address ranges: the narrowest source that covers a cluster's private addresses.</summary>
        Task<IReadOnlyList<VpcNetwork>> DescribeVpcsAsync(CancellationToken cancellationToken);
    }
}
