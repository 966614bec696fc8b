using System;
using System.Collections.Generic;

namespace K3sNet.Tests.Aws
{
    /// <summary>Sets environment variables for one test (null removes one) and restores every one of them afterwards.</summary>
    internal sealed class EnvironmentScope : IDisposable
    {
        private readonly List<(string Name, string? Value)> _saved = new();

        public EnvironmentScope(params (string Name, string? Value)[] variables)
        {
            foreach ((string name, string? value) in variables)
            {
                _saved.Add((name, Environment.GetEnvironmentVariable(name)));
                Environment.SetEnvironmentVariable(name, value);
            }
        }

        public void Dispose()
        {
            foreach ((string name, string? value) in _saved)
            {
                Environment.SetEnvironmentVariable(name, value);
            }
        }
    }
}
