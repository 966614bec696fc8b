using System.Collections.Generic;

namespace K3sNet.Vxlan
{
    /// <summary>
    /// What <see cref="VxlanTesterFactory"/> made: a tester, or the failure that stops the test; and, either way,
    /// what it found on the way (the local flannel.1, the ICMP socket), for the cmdlet's verbose story.
    /// </summary>
    internal sealed class VxlanTesterCreation
    {
        private VxlanTesterCreation(IVxlanPathTester? tester, VxlanTesterFailure? failure, IReadOnlyList<string> notes)
        {
            Tester = tester;
            Failure = failure;
            Notes = notes;
        }

        /// <summary>The tester; null exactly when <see cref="Failure"/> is set.</summary>
        public IVxlanPathTester? Tester { get; }

        public VxlanTesterFailure? Failure { get; }

        /// <summary>What was found, in the order it was found.</summary>
        public IReadOnlyList<string> Notes { get; }

        public static VxlanTesterCreation Made(IVxlanPathTester tester, IReadOnlyList<string> notes) => new(tester, null, notes);

        public static VxlanTesterCreation Failed(VxlanTesterFailure failure, IReadOnlyList<string> notes) => new(null, failure, notes);
    }
}
