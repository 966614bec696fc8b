using K3sNet.ClusterProbes;
using K3sNet.Cloud;

namespace K3sNet.Tests.ClusterProbes
{
    public sealed class ProbePodStateTests
    {
        [Fact]
        public void An_image_pull_failure_is_final_and_keeps_the_kubelets_words()
        {
            ProbePodState state = ProbePodState.Of(new ProbePodStatus
            {
                Name = "p",
                Phase = "Pending",
                WaitingReason = "ErrImagePull",
                WaitingMessage = "failed to pull image \"fault.k3snet.invalid/image-pull\": not found",
            });
            Assert.Equal(ProbePodStateKind.Failed, state.Kind);
            Assert.Equal("ErrImagePull: failed to pull image \"fault.k3snet.invalid/image-pull\": not found", state.Description);
        }

        [Fact]
        public void Unschedulable_create_container_errors_and_deadlines_are_failures()
        {
            Assert.Equal("Unschedulable: 0/3 nodes are available", ProbePodState.Of(new ProbePodStatus
            {
                Name = "p", Phase = "Pending", UnschedulableReason = "Unschedulable", UnschedulableMessage = "0/3 nodes are available",
            }).Description);
            Assert.Equal(ProbePodStateKind.Failed, ProbePodState.Of(new ProbePodStatus { Name = "p", Phase = "Pending", WaitingReason = "CreateContainerError" }).Kind);
            ProbePodState deadline = ProbePodState.Of(new ProbePodStatus
            {
                Name = "p", Phase = "Failed", Reason = "DeadlineExceeded", Message = "Pod was active on the node longer than the specified deadline",
                TerminatedReason = "Error", ExitCode = 137,
            });
            Assert.Equal("DeadlineExceeded: Pod was active on the node longer than the specified deadline", deadline.Description);
        }

        [Fact]
        public void A_container_on_its_way_is_still_starting_and_a_ready_one_is_ready()
        {
            ProbePodState creating = ProbePodState.Of(new ProbePodStatus { Name = "p", Phase = "Pending", WaitingReason = "ContainerCreating" });
            Assert.Equal(ProbePodStateKind.Starting, creating.Kind);
            Assert.Equal("Pending: ContainerCreating", creating.Description);
            Assert.Equal(ProbePodStateKind.Starting, ProbePodState.Of(new ProbePodStatus { Name = "p", Phase = "Running", Ready = false }).Kind);
            Assert.Equal(ProbePodStateKind.Ready, ProbePodState.Of(new ProbePodStatus { Name = "p", Phase = "Running", Ready = true }).Kind);
        }

        [Fact]
        public void A_deleted_pod_is_a_failure()
        {
            Assert.Equal(ProbePodStateKind.Failed, ProbePodState.Of(new ProbePodStatus { Name = "p", Phase = "Running", Ready = true, Deleted = true }).Kind);
        }
    }
}
