using System.Management.Automation;

namespace K3sNet.Hosting
{
    /// <summary>
    /// Runs when PowerShell imports the module. It only hooks assembly resolution; nothing third-party loads until a cmdlet
    /// needs the cloud, so <c>Import-Module K3sNet</c> stays cheap.
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        public void OnImport() => CloudBridge.RegisterResolver();
    }
}
