using System;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>An EC2 error response: the code, the HTTP status AWS sends with it, and AWS's message.</summary>
    internal sealed class Ec2Error : Exception
    {
        public Ec2Error(string code, int statusCode, string message)
            : base(message)
        {
            Code = code;
            StatusCode = statusCode;
        }

        public string Code { get; }

        public int StatusCode { get; }

        public static Ec2Error BadRequest(string code, string message) => new(code, 400, message);
    }
}
