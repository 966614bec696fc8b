namespace K3sNet.Probing
{
    /// <summary>Which way a K3sNet probe travels.</summary>
    internal enum ProbeKind : byte
    {
        Request = 1,
        Reply = 2,
    }
}
