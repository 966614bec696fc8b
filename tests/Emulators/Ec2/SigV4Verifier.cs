using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// Checks a request's AWS Signature Version 4 the way EC2 does, in EC2's order: a signature at all, an access key the
    /// account knows, a credential scope for this endpoint's region and for <c>ec2</c>, then the signature itself recomputed
    /// from the secret key. Each failure is the error EC2 answers with, so a client meets the same codes as against AWS.
    /// </summary>
    internal static class SigV4Verifier
    {
        private const string Algorithm = "AWS4-HMAC-SHA256";

        /// <summary>The credential scope (<c>AccessKeyId/date/region/service/aws4_request</c>), or null when the request is unsigned.</summary>
        public static string? Scope(string authorization) =>
            Parse(authorization) is { } parts && parts.TryGetValue("Credential", out string? credential) ? credential : null;

        /// <summary>Throws the <see cref="Ec2Error"/> EC2 answers with when the signature does not hold.</summary>
        public static void Verify(HttpRequest request, byte[] body, IReadOnlyDictionary<string, Ec2AccessKey> keys, string region)
        {
            string authorization = request.Headers.Authorization.ToString();
            if (Parse(authorization) is not { } parts
                || !parts.TryGetValue("Credential", out string? credential)
                || !parts.TryGetValue("SignedHeaders", out string? signedHeaders)
                || !parts.TryGetValue("Signature", out string? signature))
            {
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized, "AWS was not able to validate the provided access credentials");
            }

            string[] scope = credential.Split('/');
            if (scope.Length != 5 || scope[4] != "aws4_request")
            {
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized,
                    $"Credential should be scoped to a valid region, not '{(scope.Length > 2 ? scope[2] : string.Empty)}'. ");
            }

            (string accessKeyId, string date, string scopeRegion, string service) = (scope[0], scope[1], scope[2], scope[3]);
            if (!keys.TryGetValue(accessKeyId, out Ec2AccessKey? key))
            {
                // EC2 answers an unknown key with AuthFailure (IAM and STS say InvalidClientTokenId).
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized, "AWS was not able to validate the provided access credentials");
            }

            if (!string.Equals(scopeRegion, region, StringComparison.Ordinal))
            {
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized, $"Credential should be scoped to a valid region, not '{scopeRegion}'. ");
            }

            if (!string.Equals(service, "ec2", StringComparison.Ordinal))
            {
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized, "Credential should be scoped to correct service: 'ec2'. ");
            }

            if (key.SessionToken is not null && request.Headers["X-Amz-Security-Token"].ToString() != key.SessionToken)
            {
                throw new Ec2Error("AuthFailure", StatusCodes.Status401Unauthorized, "AWS was not able to validate the provided access credentials");
            }

            string amzDate = request.Headers["X-Amz-Date"].ToString();
            string expected = Signature(request, body, signedHeaders, amzDate, key.SecretAccessKey, date, scopeRegion, service);
            if (!amzDate.StartsWith(date, StringComparison.Ordinal)
                || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(expected), Encoding.ASCII.GetBytes(signature)))
            {
                throw new Ec2Error("SignatureDoesNotMatch", StatusCodes.Status403Forbidden,
                    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.");
            }
        }

        /// <summary><c>AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…</c> as its three parts.</summary>
        private static Dictionary<string, string>? Parse(string authorization)
        {
            if (!authorization.StartsWith(Algorithm + " ", StringComparison.Ordinal))
            {
                return null;
            }

            return authorization[(Algorithm.Length + 1)..]
                .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(p => p.Split('=', 2))
                .Where(p => p.Length == 2)
                .GroupBy(p => p[0], StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        }

        private static string Signature(HttpRequest request, byte[] body, string signedHeaders, string amzDate,
            string secret, string date, string region, string service)
        {
            // The canonical request: method, path, query, the signed headers (lower-case, trimmed, inner spaces folded), payload hash.
            var canonical = new StringBuilder()
                .Append(request.Method).Append('\n')
                .Append(string.IsNullOrEmpty(request.Path.Value) ? "/" : request.Path.Value).Append('\n')
                .Append(CanonicalQuery(request)).Append('\n');
            foreach (string name in signedHeaders.Split(';'))
            {
                string value = name == "host" ? request.Host.Value ?? string.Empty : string.Join(',', request.Headers[name].Select(v => v ?? string.Empty));
                canonical.Append(name).Append(':').Append(string.Join(' ', value.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries))).Append('\n');
            }

            canonical.Append('\n').Append(signedHeaders).Append('\n').Append(Hex(SHA256.HashData(body)));

            string stringToSign = $"{Algorithm}\n{amzDate}\n{date}/{region}/{service}/aws4_request\n{Hex(SHA256.HashData(Encoding.UTF8.GetBytes(canonical.ToString())))}";
            byte[] signingKey = Hmac(Hmac(Hmac(Hmac(Encoding.UTF8.GetBytes("AWS4" + secret), date), region), service), "aws4_request");
            return Hex(Hmac(signingKey, stringToSign));
        }

        private static string CanonicalQuery(HttpRequest request) => string.Join('&', request.Query
            .SelectMany(q => q.Value.Select(v => (Key: Uri.EscapeDataString(q.Key), Value: Uri.EscapeDataString(v ?? string.Empty))))
            .OrderBy(p => p.Key, StringComparer.Ordinal).ThenBy(p => p.Value, StringComparer.Ordinal)
            .Select(p => p.Key + "=" + p.Value));

        private static byte[] Hmac(byte[] key, string data) => HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(data));

        private static string Hex(byte[] bytes) => Convert.ToHexString(bytes).ToLower(CultureInfo.InvariantCulture);
    }

    /// <summary>An access key the emulated account knows: its secret, and the session token a temporary key must carry.</summary>
    public sealed record Ec2AccessKey(string AccessKeyId, string SecretAccessKey, string? SessionToken = null);
}
