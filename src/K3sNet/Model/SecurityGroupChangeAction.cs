namespace K3sNet
{
    /// <summary>What Grant-K3sNodeTraffic or Revoke-K3sNodeTraffic did, or would do, with one rule.</summary>
    public enum SecurityGroupChangeAction
    {
        Added,
        AlreadyPresent,
        WouldAdd,
        Revoked,
        NotPresent,
        WouldRevoke,

        /// <summary>The user answered No to the -Confirm prompt (or the broad-Revoke question): nothing was changed.</summary>
        Declined,
    }
}
