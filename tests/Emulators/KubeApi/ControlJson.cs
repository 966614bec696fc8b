using System.Text.Json;
using System.Text.Json.Serialization;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>How the control endpoints write JSON: camelCase, enums by name.</summary>
    internal static class ControlJson
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
        {
            Converters = { new JsonStringEnumConverter() },
        };
    }
}
