using System;
using Amazon.Runtime.CredentialManagement;
using K3sNet.Aws;

namespace K3sNet.Cloud.Aws
{
    /// <summary>The AWS_* environment variables every AWS SDK and the CLI read, as K3sNet reads them.</summary>
    internal static class AwsEnvironment
    {
        /// <summary>AWS_PROFILE names the profile the environment chooses; otherwise "default".</summary>
        public static string ProfileName => Get("AWS_PROFILE") ?? "default";

        /// <summary>The profile AWS_PROFILE names (an error when it does not exist), else "default" when there is one.</summary>
        public static CredentialProfile? ProfileFromEnvironment(CredentialProfileStoreChain profiles)
        {
            if (profiles.TryGetProfile(ProfileName, out CredentialProfile? profile))
            {
                return profile;
            }

            return Get("AWS_PROFILE") is string named
                ? throw new AwsSettingsException("ProfileNotFound",
                    $"The AWS profile '{named}' that AWS_PROFILE names does not exist in the shared credentials and config files.",
                    "Set AWS_PROFILE to a profile that exists (see ~/.aws/credentials and ~/.aws/config), or remove the variable.")
                : null;
        }

        public static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
    }
}
