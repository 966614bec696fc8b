using System;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Lets <c>-FlannelBackend</c> take k3s's own spelling (<c>host-gw</c>, <c>wireguard-native</c>) as well as the enum
    /// name. Anything else passes through unchanged, so PowerShell's enum conversion rejects it with an error that lists
    /// the valid names.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class FlannelBackendTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            return value is string text && FlannelBackendName.TryParse(text, out FlannelBackend backend)
                ? backend
                : inputData;
        }
    }
}
