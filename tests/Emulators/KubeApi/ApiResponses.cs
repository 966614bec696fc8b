using System.Net;
using System.Threading.Tasks;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.KubeApi
{
    /// <summary>How the emulator answers: JSON bodies, and errors as the API server's Status objects.</summary>
    internal static class ApiResponses
    {
        public static Task WriteJsonAsync(HttpContext context, JsonNode body, int statusCode = StatusCodes.Status200OK)
        {
            context.Response.StatusCode = statusCode;
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync(body.ToJsonString());
        }

        public static Task WriteStatusAsync(HttpContext context, HttpStatusCode code, string? reason, string message, JsonObject? details = null) =>
            WriteJsonAsync(context, Status(code, reason, message, details), (int)code);

        public static Task WriteErrorAsync(HttpContext context, ApiError error) =>
            WriteStatusAsync(context, error.Code, error.Reason, error.Message, error.Details);

        /// <summary>A Failure Status; without a reason, as the API server answers what it cannot classify (a kubelet it cannot dial).</summary>
        public static JsonObject Status(HttpStatusCode code, string? reason, string message, JsonObject? details = null)
        {
            var status = new JsonObject
            {
                ["kind"] = "Status",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject(),
                ["status"] = "Failure",
                ["message"] = message,
            };
            if (reason is not null)
            {
                status["reason"] = reason;
            }

            if (details is not null)
            {
                status["details"] = details;
            }

            status["code"] = (int)code;
            return status;
        }

        /// <summary>The Status a successful delete of an object without finalizers answers.</summary>
        public static JsonObject DeletedStatus(string name, string? group, string kind, string uid) => new()
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Success",
            ["details"] = Details(name, group, kind, uid),
        };

        public static JsonObject Details(string? name, string? group, string kind, string? uid = null)
        {
            var details = new JsonObject();
            if (!string.IsNullOrEmpty(name))
            {
                details["name"] = name;
            }

            if (!string.IsNullOrEmpty(group))
            {
                details["group"] = group;
            }

            details["kind"] = kind;
            if (uid is not null)
            {
                details["uid"] = uid;
            }

            return details;
        }
    }

    /// <summary>An API error on its way to the client as a Status (404 NotFound, 409 AlreadyExists, 422 Invalid, 403 Forbidden).</summary>
    internal sealed record ApiError(HttpStatusCode Code, string Reason, string Message, JsonObject? Details = null)
    {
        public static ApiError NotFound(string resource, string name, string? group = null) =>
            new(HttpStatusCode.NotFound, "NotFound", $"{Qualified(resource, group)} \"{name}\" not found", ApiResponses.Details(name, group, resource));

        public static ApiError AlreadyExists(string resource, string name, string? group = null) =>
            new(HttpStatusCode.Conflict, "AlreadyExists", $"{Qualified(resource, group)} \"{name}\" already exists", ApiResponses.Details(name, group, resource));

        public static ApiError BadRequest(string message) => new(HttpStatusCode.BadRequest, "BadRequest", message);

        private static string Qualified(string resource, string? group) => string.IsNullOrEmpty(group) ? resource : $"{resource}.{group}";
    }
}
