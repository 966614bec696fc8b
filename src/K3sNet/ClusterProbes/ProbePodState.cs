using System;
using K3sNet.Cloud;

namespace K3sNet.ClusterProbes
{
    /// <summary>
    /// What a probe pod's status means for the run: ready to exec into, failed for a reason of its own (in the
    /// kubelet's words, "ErrImagePull: ..."), or still on its way (and how far, for progress).
    /// </summary>
    internal sealed record ProbePodState(ProbePodStateKind Kind, string Description)
    {
        public bool IsSettled => Kind != ProbePodStateKind.Starting;

        /// <summary>
        /// Reads a status. Image and container errors count as failures at once: the kubelet would retry them with a
        /// back-off, but a probe run waits for no registry, and the reason is what the user needs.
        /// </summary>
        public static ProbePodState Of(ProbePodStatus status)
        {
            if (status.Deleted)
            {
                return Failed(status.Reason ?? "Deleted", status.Message ?? "the pod was deleted before it ran the probes");
            }

            if (status.Phase is "Failed" or "Succeeded")
            {
                // The pod's own reason (DeadlineExceeded, Evicted, OutOfcpu...) says more than the container's exit.
                return status.Reason is not null
                    ? Failed(status.Reason, status.Message)
                    : Failed(status.TerminatedReason ?? status.Phase,
                        status.TerminatedMessage ?? (status.ExitCode is int code ? $"exit code {code}" : null));
            }

            if (status.TerminatedReason is not null)
            {
                return Failed(status.TerminatedReason, status.TerminatedMessage ?? (status.ExitCode is int code ? $"exit code {code}" : null));
            }

            if (status.WaitingReason is string waiting && IsFailure(waiting))
            {
                return Failed(waiting, status.WaitingMessage);
            }

            if (status.UnschedulableReason is string unschedulable)
            {
                return Failed(unschedulable, status.UnschedulableMessage);
            }

            if (status.Phase == "Running" && status.Ready)
            {
                return new ProbePodState(ProbePodStateKind.Ready, "Running, Ready");
            }

            string progress = status.WaitingReason is not null ? $"{status.Phase ?? "Pending"}: {status.WaitingReason}" : status.Phase ?? "Pending";
            return new ProbePodState(ProbePodStateKind.Starting, progress);
        }

        /// <summary>Container waiting reasons that will not turn into a running container by waiting (ContainerCreating will).</summary>
        public static bool IsFailure(string waitingReason) => waitingReason is
            "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull" or "RegistryUnavailable"
            or "CreateContainerError" or "CreateContainerConfigError" or "RunContainerError" or "CrashLoopBackOff"
            or "PreCreateHookError" or "PreStartHookError" or "PostStartHookError";

        private static ProbePodState Failed(string reason, string? message) =>
            new(ProbePodStateKind.Failed, string.IsNullOrWhiteSpace(message) ? reason : $"{reason}: {message.Trim()}");
    }

    internal enum ProbePodStateKind
    {
        Starting,
        Ready,
        Failed,
    }
}
