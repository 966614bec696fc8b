using System;
using System.Management.Automation;
using System.Reflection;
using K3sNet.Cloud;

namespace K3sNet.Aws
{
    /// <summary>
    /// Reads credentials out of objects K3sNet does not share a type with: AWS.Tools' AWSCredentials (from -Credential)
    /// and the AWSPSCredentials that Set-AWSCredential stores in $StoredAWSCredentials, a PSCredential (user name = access
    /// key, password = secret key), or anything with AccessKey/SecretKey properties. Everything goes by member name, so
    /// K3sNet's AWSSDK never has to be the copy AWS.Tools loaded.
    /// </summary>
    internal static class AwsCredentialReader
    {
        /// <summary>Keys, a profile name, or neither (the object holds nothing K3sNet can read).</summary>
        public static (AwsKeys? Keys, string? ProfileName) Read(object? value)
        {
            object? target = Unwrap(value);
            switch (target)
            {
                case null:
                    return (null, null);
                case string profileName when profileName.Length > 0:
                    return (null, profileName);
                case PSCredential credential:
                    return (new AwsKeys(credential.UserName, credential.GetNetworkCredential().Password, null), null);
            }

            // AWSPSCredentials: { Credentials: AWSCredentials, Name: profile name or null }.
            if (Member(target, "Credentials") is object inner && inner is not string)
            {
                (AwsKeys? keys, _) = Read(inner);
                return keys is not null ? (keys, null) : (null, Member(target, "Name") as string);
            }

            // AWSCredentials: GetCredentials() returns ImmutableCredentials { AccessKey, SecretKey, Token }.
            MethodInfo? getCredentials = target.GetType().GetMethod("GetCredentials", BindingFlags.Public | BindingFlags.Instance, Type.EmptyTypes);
            object? immutable = getCredentials is null ? target : getCredentials.Invoke(target, null);
            if (immutable is not null && Member(immutable, "AccessKey") is string accessKey && Member(immutable, "SecretKey") is string secretKey
                && accessKey.Length > 0 && secretKey.Length > 0)
            {
                string? token = (Member(immutable, "Token") ?? Member(immutable, "SessionToken")) as string;
                return (new AwsKeys(accessKey, secretKey, string.IsNullOrEmpty(token) ? null : token), null);
            }

            return (null, Member(target, "Name") as string ?? Member(target, "ProfileName") as string);
        }

        /// <summary>The object inside a PSObject, unless it is a PSCustomObject, whose properties only the PSObject holds.</summary>
        private static object? Unwrap(object? value) =>
            value is PSObject wrapped && wrapped.BaseObject is not PSCustomObject ? wrapped.BaseObject : value;

        private static object? Member(object target, string name)
        {
            if (target is PSObject ps)
            {
                return Unwrap(ps.Properties[name]?.Value);
            }

            if (target is System.Collections.IDictionary dictionary)
            {
                return dictionary.Contains(name) ? dictionary[name] : null;
            }

            Type type = target.GetType();
            return type.GetProperty(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target)
                ?? type.GetField(name, BindingFlags.Public | BindingFlags.Instance)?.GetValue(target);
        }
    }
}
