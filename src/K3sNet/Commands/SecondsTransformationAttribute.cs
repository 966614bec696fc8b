using System;
using System.Globalization;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Lets a TimeSpan parameter take a number as seconds: <c>-Duration 5</c> is five seconds, as a person means it.
    /// PowerShell's own conversion reads an integer as ticks (5 is half a microsecond) and the string "5" as five days.
    /// A TimeSpan, or a string with a colon such as <c>00:01:00</c>, passes through to PowerShell's conversion unchanged.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
    internal sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
            double? seconds = value switch
            {
                byte or sbyte or short or ushort or int or uint or long or ulong or float or double or decimal =>
                    Convert.ToDouble(value, CultureInfo.InvariantCulture),
                string text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
                _ => null,
            };
            if (seconds is not double s)
            {
                return inputData;
            }

            if (double.IsNaN(s) || Math.Abs(s) >= TimeSpan.MaxValue.TotalSeconds)
            {
                throw new ArgumentTransformationMetadataException(
                    $"{value} is not a number of seconds a duration can hold. Give seconds (-Duration 30) or a time span (-Duration 00:10:00).");
            }

            return TimeSpan.FromSeconds(s);
        }
    }
}
