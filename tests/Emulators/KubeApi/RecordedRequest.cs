namespace K3sNet.Emulators.KubeApi
{
    /// <summary>
    /// One request the emulator received. It records whether the bearer token matched, never the token itself, and how
    /// the request ended, so tests can count pages, retries and cancelled requests.
    /// </summary>
    public sealed record RecordedRequest(string Method, string PathAndQuery, bool Authorized, int StatusCode, bool AbortedByClient, string? UserAgent);
}
