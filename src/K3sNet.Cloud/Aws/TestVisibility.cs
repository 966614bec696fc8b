using System.Runtime.CompilerServices;

// The xunit project drives Ec2CloudNetwork and AwsClientFactory against the loopback EC2 emulator.
[assembly: InternalsVisibleTo("K3sNet.Tests")]
