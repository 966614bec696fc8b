using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Finds the traffic properties of a piped object that PowerShell's binding dropped without a word. A value that does
    /// not convert to its parameter's type (FromPort "9100-9100", Protocol "Sctp") leaves the parameter at its default
    /// when bound by property name, so Grant would add udp/8472 or tcp/8472 and Revoke would remove every K3sNet rule of
    /// the protocol: rules nobody asked for. Such an object is an error of its own, and the others go on.
    /// </summary>
    internal sealed class PipedTrafficProperties
    {
        public const string ErrorId = "TrafficPropertyInvalid";

        private const string FlagName = "ClusterOnly";

        private readonly string[] _names;
        private readonly HashSet<string> _givenOnCommandLine;

        /// <param name="names">The parameters bound by property name whose type a value may fail to convert to.</param>
        /// <param name="givenOnCommandLine">The parameters bound before the first pipeline object: a piped property never overrides them.</param>
        public PipedTrafficProperties(IEnumerable<string> givenOnCommandLine, params string[] names)
        {
            _names = names;
            _givenOnCommandLine = new HashSet<string>(givenOnCommandLine, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>
        /// The error for <paramref name="input"/>, or null when every traffic property it carries was bound. A property
        /// bound from an empty string counts as not converted (PowerShell turns "" into port 0). An empty address is no address.
        /// </summary>
        public ErrorRecord? Check(PSObject? input, IDictionary<string, object> bound)
        {
            if (input is null)
            {
                return null;
            }

            foreach (string name in _names)
            {
                if (_givenOnCommandLine.Contains(name) || input.Properties[name]?.Value is not object raw)
                {
                    continue;
                }

                object value = raw is PSObject wrapped ? wrapped.BaseObject : raw;
                bool blank = value is string text && string.IsNullOrWhiteSpace(text);
                if (blank && name.EndsWith("Address", StringComparison.Ordinal))
                {
                    continue;
                }

                // A switch binds only a Boolean or a number; Import-Csv gives "True" or "False", which mean just that.
                if (name == FlagName && Flag(input, name) is not null)
                {
                    continue;
                }

                if (!bound.ContainsKey(name) || blank)
                {
                    return Error(input, name, value);
                }
            }

            return null;
        }

        /// <summary>A flag piped as the text "True" or "False" (from Import-Csv), which PowerShell will not bind to a switch.</summary>
        public static bool? Flag(PSObject? input, string name)
        {
            object? value = input?.Properties[name]?.Value;
            return (value is PSObject wrapped ? wrapped.BaseObject : value) is string text && bool.TryParse(text.Trim(), out bool flag) ? flag : null;
        }

        private static ErrorRecord Error(PSObject input, string name, object value)
        {
            (string expected, string action) = name switch
            {
                "Protocol" => ("a protocol K3sNet knows (Tcp, Udp or All)", "Give Protocol as Tcp, Udp or All, as Get-K3sPortMatrix writes it."),
                "FromPort" or "ToPort" => ("a port number from 0 to 65535", "Give FromPort and ToPort as whole numbers from 0 to 65535; a range is two numbers (FromPort 9100, ToPort 9110), not \"9100-9110\"."),
                "SourceAddress" or "DestinationAddress" => ("an IP address", "Give the address as 10.0.1.21 or 2001:db8::15, or leave the property out."),
                _ => ("True or False", $"Give {name} as True or False."),
            };
            string shown = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            // The target is the object as it came in: a [pscustomobject] or one read back from JSON is its PSObject.
            object target = input.BaseObject is PSCustomObject ? input : input.BaseObject;
            return K3sNetErrors.Create(ErrorId, ErrorCategory.InvalidArgument, target,
                $"The piped object's {name} '{shown}' is not {expected}, so K3sNet cannot tell which rule it means and leaves this object out.",
                action);
        }
    }
}
