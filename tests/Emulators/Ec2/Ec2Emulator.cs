using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace K3sNet.Emulators.Ec2
{
    /// <summary>
    /// A loopback EC2 endpoint for the real AWSSDK.EC2 client. Tests start it on port 0 and read <see cref="ServiceUrl"/>;
    /// they steer it in-process (<see cref="ThrottleNext"/>, <see cref="Deny"/>, <see cref="CallCount"/>) or, when it
    /// runs as its own process, through the loopback-only control endpoint under <c>/_emulator/</c>.
    /// Like a regional EC2 endpoint it serves one <see cref="Region"/> and verifies every request's SigV4 signature
    /// against the access keys it knows (<see cref="DefaultAccessKeyId"/> and those added with <see cref="AddAccessKey"/>).
    /// </summary>
    public sealed class Ec2Emulator : IAsyncDisposable
    {
        private readonly object _lock = new();
        private readonly Ec2State _state;
        private readonly Ec2Actions _actions;
        private readonly ConcurrentDictionary<string, int> _calls = new(StringComparer.Ordinal);
        private readonly HashSet<string> _denied = new(StringComparer.Ordinal);
        private readonly List<(string? Action, int Remaining)> _throttles = new();
        private readonly List<(string Action, Action<Ec2State> Change)> _pending = new();
        private readonly ConcurrentDictionary<string, Ec2AccessKey> _keys = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, bool> _hanging = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<(string Action, string Attempt), byte> _attempts = new();
        private int _aborted;
        private WebApplication? _app;

        public Ec2Emulator(Ec2State state)
        {
            _state = state.Clone();
            _actions = new Ec2Actions(_state);
            AddAccessKey(DefaultAccessKeyId, DefaultSecretAccessKey);
        }

        /// <summary>The key every emulator knows from the start: what the tests sign with unless they test credentials.</summary>
        public const string DefaultAccessKeyId = "AKIDEXAMPLE";

        public const string DefaultSecretAccessKey = "test-secret";

        /// <summary>The region this endpoint serves: a request signed for another region is refused, as EC2 refuses it.</summary>
        public string Region { get; set; } = "us-east-1";

        /// <summary>Lets requests signed with this key in (with <paramref name="sessionToken"/>, only when they carry that token).</summary>
        public void AddAccessKey(string accessKeyId, string secretAccessKey, string? sessionToken = null) =>
            _keys[accessKeyId] = new Ec2AccessKey(accessKeyId, secretAccessKey, sessionToken);

        /// <summary>
        /// From now on calls of <paramref name="action"/> (or of any action, "*") are accepted, read, counted and never
        /// answered: a hung endpoint. The emulator waits until the client gives up (<see cref="AbortedCount"/>).
        /// </summary>
        public void Hang(string action = "*") => _hanging[action] = true;

        public void StopHanging() => _hanging.Clear();

        /// <summary>Hung requests the client abandoned (a timeout, Ctrl+C): proof that it cancelled the request in flight.</summary>
        public int AbortedCount => Volatile.Read(ref _aborted);

        /// <summary>
        /// Short pages as EC2 may send them: at most <paramref name="pageLimit"/> items whatever MaxResults asks for, and
        /// with <paramref name="emptyFirstPage"/> a first page that holds nothing but a NextToken. A client must page on.
        /// </summary>
        public void SetPaging(int? pageLimit, bool emptyFirstPage = false)
        {
            lock (_lock)
            {
                _actions.Paging = new Ec2Paging(pageLimit, emptyFirstPage);
            }
        }

        /// <summary>Called with the whole state (JSON) after every change to a security group, under the emulator's lock.</summary>
        public Action<string>? OnChange { get; set; }

        public Uri ServiceUrl { get; private set; } = new("http://127.0.0.1:0/");

        public int Port => ServiceUrl.Port;

        public static async Task<Ec2Emulator> StartAsync(Ec2State state, string listenAddress = "127.0.0.1", int port = 0)
        {
            var emulator = new Ec2Emulator(state);
            await emulator.StartCoreAsync(IPAddress.Parse(listenAddress), port).ConfigureAwait(false);
            return emulator;
        }

        /// <summary>Requests seen per action, every attempt counted (throttled and failed ones too).</summary>
        public int CallCount(string action) => _calls.TryGetValue(action, out int count) ? count : 0;

        public IReadOnlyDictionary<string, int> CallCounts => new Dictionary<string, int>(_calls);

        /// <summary>Calls of the actions that change state, so a test can assert -WhatIf made none.</summary>
        public int MutatingCallCount => _calls.Where(c => Ec2Actions.Mutates(c.Key)).Sum(c => c.Value);

        public void ResetCallCounts()
        {
            _calls.Clear();
            _attempts.Clear();
        }

        /// <summary>The SDK's attempts of <paramref name="action"/>, as it numbers them: what its retry mode and a timeout bound.</summary>
        public int AttemptCount(string action) => _attempts.Keys.Count(k => k.Action == action);

        /// <summary>
        /// The credential scope of the last signed request, <c>AccessKeyId/date/region/ec2/aws4_request</c>: which key and
        /// region a client resolved (the secret never travels).
        /// </summary>
        public string? LastCredentialScope { get; private set; }

        /// <summary>The next <paramref name="count"/> calls (of <paramref name="action"/>, or of any action) get RequestLimitExceeded.</summary>
        public void ThrottleNext(int count, string? action = null)
        {
            lock (_lock)
            {
                _throttles.Add((action, count));
            }
        }

        /// <summary>Every call of <paramref name="action"/> gets UnauthorizedOperation (403) until <see cref="Allow"/>.</summary>
        public void Deny(string action)
        {
            lock (_lock)
            {
                _denied.Add(action);
            }
        }

        public void Allow(string action)
        {
            lock (_lock)
            {
                _denied.Remove(action);
            }
        }

        /// <summary>
        /// Applies <paramref name="change"/> to the state just before the next call of <paramref name="action"/> runs: another
        /// writer acting between K3sNet's read and its write (a race).
        /// </summary>
        public void BeforeNext(string action, Action<Ec2State> change)
        {
            lock (_lock)
            {
                _pending.Add((action, change));
            }
        }

        /// <summary>A copy of the current state.</summary>
        public Ec2State Snapshot()
        {
            lock (_lock)
            {
                return _state.Clone();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.StopAsync().ConfigureAwait(false);
                await _app.DisposeAsync().ConfigureAwait(false);
            }
        }

        private async Task StartCoreAsync(IPAddress address, int port)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(address, port));
            _app = builder.Build();
            _app.MapPost("/", HandleQueryAsync);
            _app.MapGet("/_emulator/calls", (HttpContext c) => Control(c, () => Results.Json(CallCounts)));
            _app.MapPost("/_emulator/calls/reset", (HttpContext c) => Control(c, () => { ResetCallCounts(); return Results.NoContent(); }));
            _app.MapPost("/_emulator/throttle", (HttpContext c, int count, string? action) =>
                Control(c, () => { ThrottleNext(count, action); return Results.NoContent(); }));
            _app.MapPost("/_emulator/deny", (HttpContext c, string action) => Control(c, () => { Deny(action); return Results.NoContent(); }));
            _app.MapPost("/_emulator/allow", (HttpContext c, string action) => Control(c, () => { Allow(action); return Results.NoContent(); }));
            _app.MapPost("/_emulator/race/add-rule", async (HttpContext c, string action, string groupId) =>
            {
                RuleState rule = System.Text.Json.JsonSerializer.Deserialize<RuleState>(await new System.IO.StreamReader(c.Request.Body).ReadToEndAsync(), Ec2State.Json)!;
                return Control(c, () =>
                {
                    BeforeNext(action, state => state.SecurityGroups.First(g => g.GroupId == groupId).Ingress.Add(rule));
                    return Results.NoContent();
                });
            });
            _app.MapPost("/_emulator/access-keys", (HttpContext c, string accessKeyId, string secretAccessKey, string? sessionToken) =>
                Control(c, () => { AddAccessKey(accessKeyId, secretAccessKey, sessionToken); return Results.NoContent(); }));
            _app.MapPost("/_emulator/region", (HttpContext c, string region) => Control(c, () => { Region = region; return Results.NoContent(); }));
            _app.MapPost("/_emulator/hang", (HttpContext c, string? action) => Control(c, () => { Hang(action ?? "*"); return Results.NoContent(); }));
            _app.MapPost("/_emulator/hang/stop", (HttpContext c) => Control(c, () => { StopHanging(); return Results.NoContent(); }));
            _app.MapGet("/_emulator/attempts", (HttpContext c, string action) => Control(c, () => Results.Json(AttemptCount(action))));
            _app.MapGet("/_emulator/aborted", (HttpContext c) => Control(c, () => Results.Json(AbortedCount)));
            _app.MapPost("/_emulator/paging", (HttpContext c, int? limit, bool? emptyFirstPage) =>
                Control(c, () => { SetPaging(limit, emptyFirstPage ?? false); return Results.NoContent(); }));
            _app.MapGet("/_emulator/credential-scope", (HttpContext c) => Control(c, () => Results.Text(LastCredentialScope ?? string.Empty)));
            _app.MapGet("/_emulator/state", (HttpContext c) => Control(c, () => Results.Text(Snapshot().ToJson(), "application/json")));
            await _app.StartAsync().ConfigureAwait(false);

            string bound = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            ServiceUrl = new Uri(bound.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        }

        /// <summary>The control endpoint answers loopback callers only.</summary>
        private static IResult Control(HttpContext context, Func<IResult> action) =>
            context.Connection.RemoteIpAddress is IPAddress remote && IPAddress.IsLoopback(remote)
                ? action()
                : Results.StatusCode(StatusCodes.Status403Forbidden);

        private async Task HandleQueryAsync(HttpContext context)
        {
            // The raw body first: the signature covers its hash. The form is read from the same bytes.
            context.Request.EnableBuffering();
            using var raw = new System.IO.MemoryStream();
            await context.Request.Body.CopyToAsync(raw, context.RequestAborted).ConfigureAwait(false);
            context.Request.Body.Position = 0;
            IFormCollection form = await context.Request.ReadFormAsync().ConfigureAwait(false);
            var request = new QueryRequest(form.ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal));
            string action = request.Action;
            _calls.AddOrUpdate(action, 1, (_, n) => n + 1);
            // The SDK numbers its attempts of one call (amz-sdk-invocation-id, amz-sdk-request: attempt=N; max=M); the
            // transport may resend one attempt on a fresh connection, which is a call but not another attempt.
            string invocation = context.Request.Headers["amz-sdk-invocation-id"].ToString();
            _attempts.TryAdd((action, invocation.Length == 0 ? Guid.NewGuid().ToString() : invocation + "|" + context.Request.Headers["amz-sdk-request"]), 0);
            string requestId = Guid.NewGuid().ToString();

            if (_hanging.ContainsKey(action) || _hanging.ContainsKey("*"))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref _aborted);
                }

                return;
            }

            XElement body;
            int status = StatusCodes.Status200OK;
            try
            {
                body = Execute(context, request, raw.ToArray(), requestId);
            }
            catch (Ec2Error error)
            {
                status = error.StatusCode;
                body = new XElement("Response",
                    new XElement("Errors", new XElement("Error", new XElement("Code", error.Code), new XElement("Message", error.Message))),
                    new XElement("RequestID", requestId));
            }

            context.Response.StatusCode = status;
            context.Response.ContentType = "text/xml;charset=UTF-8";
            await context.Response.WriteAsync(body.ToString(SaveOptions.DisableFormatting)).ConfigureAwait(false);
        }

        private XElement Execute(HttpContext context, QueryRequest request, byte[] rawBody, string requestId)
        {
            // SigV4: AWS rejects a request whose signature does not hold before it looks at anything else. The scope is
            // recorded first, so a test sees which key and region a refused client signed with.
            LastCredentialScope = SigV4Verifier.Scope(context.Request.Headers.Authorization.ToString()) ?? LastCredentialScope;
            SigV4Verifier.Verify(context.Request, rawBody, _keys, Region);

            lock (_lock)
            {
                if (TakeThrottle(request.Action))
                {
                    throw new Ec2Error("RequestLimitExceeded", StatusCodes.Status503ServiceUnavailable, "Request limit exceeded.");
                }

                if (!Ec2Actions.IsKnown(request.Action))
                {
                    throw Ec2Error.BadRequest("InvalidAction", $"The action {request.Action} is not valid for this web service.");
                }

                if (_denied.Contains(request.Action))
                {
                    throw new Ec2Error("UnauthorizedOperation", StatusCodes.Status403Forbidden,
                        "You are not authorized to perform this operation.");
                }

                foreach ((string _, Action<Ec2State> change) in _pending.Where(p => p.Action == request.Action).ToList())
                {
                    change(_state);
                    _pending.RemoveAll(p => p.Change == change);
                }

                if (request.DryRun)
                {
                    throw new Ec2Error("DryRunOperation", StatusCodes.Status412PreconditionFailed,
                        "Request would have succeeded, but DryRun flag is set.");
                }

                // Enumerate under the lock: validation and change happen together, so Authorize is atomic.
                List<object> content = _actions.Run(request).ToList();
                if (Ec2Actions.Mutates(request.Action))
                {
                    OnChange?.Invoke(_state.ToJson());
                }

                return new XElement(Ec2Actions.Ns + (request.Action + "Response"),
                    new XElement(Ec2Actions.Ns + "requestId", requestId), content);
            }
        }

        private bool TakeThrottle(string action)
        {
            for (int i = 0; i < _throttles.Count; i++)
            {
                (string? target, int remaining) = _throttles[i];
                if (target is null || target == action)
                {
                    if (remaining <= 1)
                    {
                        _throttles.RemoveAt(i);
                    }
                    else
                    {
                        _throttles[i] = (target, remaining - 1);
                    }

                    return true;
                }
            }

            return false;
        }
    }
}
