using System;
using System.Management.Automation;

namespace K3sNet.Commands
{
    /// <summary>
    /// Builds the ErrorRecords K3sNet writes: a stable id scripts can match on, the category, the target, and a
    /// recommended action that says what to do.
    /// </summary>
    internal static class K3sNetErrors
    {
        public static ErrorRecord Create(
            string errorId,
            ErrorCategory category,
            object? target,
            string message,
            string recommendedAction,
            Exception? innerException = null)
        {
            var exception = new K3sNetException(message, innerException);
            var record = new ErrorRecord(exception, errorId, category, target)
            {
                ErrorDetails = new ErrorDetails(message) { RecommendedAction = recommendedAction },
            };
            return record;
        }
    }
}
