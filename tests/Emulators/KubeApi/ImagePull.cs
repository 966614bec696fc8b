namespace K3sNet.Emulators.KubeApi
{
    /// <summary>One image pull: the node and the image as containerd resolves its name.</summary>
    public sealed record ImagePull(string Node, string Image);
}
