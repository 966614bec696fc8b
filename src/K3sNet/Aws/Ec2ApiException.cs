using System;

namespace K3sNet.Aws
{
    /// <summary>
    /// An EC2 API error, translated inside K3sNet.Cloud so no SDK type crosses into the module root: the action that
    /// failed, AWS's error code and HTTP status. Cmdlets turn it into an ErrorRecord that says what to do.
    /// </summary>
    internal sealed class Ec2ApiException : Exception
    {
        public Ec2ApiException(string action, string errorCode, int statusCode, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Action = action;
            ErrorCode = errorCode;
            StatusCode = statusCode;
        }

        /// <summary>The EC2 action, such as <c>AuthorizeSecurityGroupIngress</c>.</summary>
        public string Action { get; }

        public string ErrorCode { get; }

        public int StatusCode { get; }

        /// <summary>The IAM action a policy must allow: <c>ec2:</c> and the API action.</summary>
        public string IamAction => "ec2:" + Action;

        public bool IsNotFound => ErrorCode.EndsWith(".NotFound", StringComparison.Ordinal);
    }
}
