using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using K3sNet.Commands;

namespace K3sNet.PodNetwork
{
    /// <summary>
    /// Lets -VxlanResult take Test-K3sVxlan's results however they arrive: the objects themselves, or objects with their
    /// property names from remoting, Import-Clixml or ConvertFrom-Json (read as Show-K3sVxlanMatrix reads them).
    /// </summary>
    internal sealed class VxlanResultTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            object value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            IEnumerable items = value is IEnumerable enumerable and not string ? enumerable : new[] { inputData };
            var results = new List<VxlanPathResult>();
            foreach (object? item in items)
            {
                if (item is null)
                {
                    continue;
                }

                VxlanPathResult? result = VxlanPathResultInput.Read(item as PSObject ?? PSObject.AsPSObject(item), out ErrorRecord? error);
                if (result is null)
                {
                    throw new ArgumentTransformationMetadataException(error!.Exception.Message, error.Exception);
                }

                results.Add(result);
            }

            return results.ToArray();
        }
    }
}
