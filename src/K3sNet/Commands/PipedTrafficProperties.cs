using System;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Net;

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

        private readonly (string Name, Type Type)[] _properties;
        private readonly HashSet<string> _givenOnCommandLine;

        /// <param name="givenOnCommandLine">The parameters bound before the first pipeline object: a piped property never overrides them.</param>
        /// <param name="properties">The parameters bound by property name, with the type a piped value must convert to.</param>
        public PipedTrafficProperties(IEnumerable<string> givenOnCommandLine, params (string Name, Type Type)[] properties)
        {
            _properties = properties;
            _givenOnCommandLine = new HashSet<string>(givenOnCommandLine, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>
        /// The error for <paramref name="input"/>, or null when every traffic property it carries converts as the
        /// binder converts it. (Which parameters the binder bound cannot tell: a parameter bound from an earlier object
        /// stays in BoundParameters after its default value is restored.) An empty string is no port (PowerShell would
        /// bind it as port 0), and no address (which is what it means).
        /// </summary>
        public ErrorRecord? Check(PSObject? input)
        {
            if (input is null)
            {
                return null;
            }

            foreach ((string name, Type type) in _properties)
            {
                if (_givenOnCommandLine.Contains(name) || input.Properties[name]?.Value is not object raw)
                {
                    continue;
                }

                object value = raw is PSObject wrapped ? wrapped.BaseObject : raw;
                bool blank = value is string text && string.IsNullOrWhiteSpace(text);
                if (blank && type == typeof(IPAddress))
                {
                    continue;
                }

                bool converts = type == typeof(bool)
                    ? Flag(input, name) is not null
                    : !blank && LanguagePrimitives.TryConvertTo(value, type, CultureInfo.InvariantCulture, out object? converted) && IsDefined(converted);
                if (!converts)
                {
                    return Error(input, name, value);
                }
            }

            return null;
        }

        private static bool IsDefined(object? value) => value is not Enum e || Enum.IsDefined(e.GetType(), e);

        /// <summary>
        /// A piped flag as a Boolean: $true or $false, a number, or the text "True" or "False" (Import-Csv gives that,
        /// and PowerShell will not bind it to a switch); null when it is none of these or not there.
        /// </summary>
        public static bool? Flag(PSObject? input, string name)
        {
            object? value = input?.Properties[name]?.Value;
            value = value is PSObject wrapped ? wrapped.BaseObject : value;
            return value switch
            {
                bool flag => flag,
                SwitchParameter flag => flag.IsPresent,
                string text when bool.TryParse(text.Trim(), out bool flag) => flag,
                int or long or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture) != 0,
                _ => null,
            };
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
