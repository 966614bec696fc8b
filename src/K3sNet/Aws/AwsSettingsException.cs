using System;

namespace K3sNet.Aws
{
    /// <summary>Credentials or region that cannot be resolved: a missing profile, half a key pair, no credentials or region anywhere.</summary>
    internal sealed class AwsSettingsException : Exception
    {
        public AwsSettingsException(string errorId, string message, string recommendedAction)
            : base(message)
        {
            ErrorId = errorId;
            RecommendedAction = recommendedAction;
        }

        /// <summary>A stable id for the ErrorRecord: ProfileNotFound, ProfileNotUsable, NoRegion, BadEndpointUrl, IncompleteCredentials, NoCredentials.</summary>
        public string ErrorId { get; }

        public string RecommendedAction { get; }
    }
}
