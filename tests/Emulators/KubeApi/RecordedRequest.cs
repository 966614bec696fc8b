namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// One request the emulator received. It records whether it was authenticated and as whom ("token", or the client
    /// certificate's subject such as "CN=system:admin, O=system:masters"), never the token itself, and how the request
    /// ended, so tests can count pages, retries and cancelled requests.
    /// </summary>
    public sealed record RecordedRequest(string Method, string PathAndQuery, bool Authorized, int StatusCode, bool AbortedByClient, string? UserAgent, string? AuthenticatedAs);
}
