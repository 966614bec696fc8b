using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Packets;

namespace K3sNet.Probing
{
    /// <summary>
    /// Answers K3sNet probes on a UDP port, as a node's flannel.1 would carry them: only well-formed probes for its VNI,
    /// each with its own bytes turned into a reply (never longer than what arrived), at most a token bucket's worth per
    /// source. Everything else is dropped and counted by reason. One receive loop; nothing is allocated per dropped
    /// datagram.
    /// </summary>
    internal sealed class VxlanResponder : IDisposable
    {
        private const int MaxDatagram = 65535;
        private static readonly int ReasonCount = Enum.GetValues<ProbeCheck>().Length;

        private readonly VxlanResponderOptions _options;
        private readonly Socket _socket;
        private readonly long[] _dropped = new long[ReasonCount];
        // Answered sources, for the summary's count; bounded like the rate limiter's table (options.MaxSources).
        private readonly HashSet<IPAddress> _sources = new();
        private long _received;
        private long _answered;
        private long _sendFailed;
        private DateTimeOffset _startTime;
        private long _startTimestamp;
        private long _stopTimestamp;

        public VxlanResponder(VxlanResponderOptions options)
        {
            _options = options;
            _socket = new Socket(options.BindAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        }

        /// <summary>Where it listens, once <see cref="Start"/> has bound the socket.</summary>
        public IPEndPoint LocalEndPoint => (IPEndPoint)_socket.LocalEndPoint!;

        /// <summary>
        /// Binds the port. Throws SocketException (AddressAlreadyInUse when flannel.1 or another responder owns it), so
        /// a caller learns of that before anything runs.
        /// </summary>
        public void Start()
        {
            if (_socket.AddressFamily == AddressFamily.InterNetwork)
            {
                // Replies leave with DF like the probes, so the MTU a client measures is the round trip's.
                _socket.DontFragment = true;
            }

            _socket.Bind(new IPEndPoint(_options.BindAddress, _options.Port));
            _startTime = DateTimeOffset.Now;
            _startTimestamp = Stopwatch.GetTimestamp();
        }

        /// <summary>Answers until <paramref name="cancellationToken"/> is cancelled or the duration ends, then returns the summary.</summary>
        public async Task<VxlanResponderSummary> RunAsync(CancellationToken cancellationToken)
        {
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (_options.Duration is TimeSpan duration)
            {
                stopping.CancelAfter(duration);
            }

            var limiter = new SourceRateLimiter(_options.BurstPerSource, _options.RatePerSource, Stopwatch.Frequency, _options.MaxSources);
            byte[] buffer = GC.AllocateUninitializedArray<byte>(MaxDatagram, pinned: true);
            var sender = new SocketAddress(_socket.AddressFamily);
            while (!stopping.IsCancellationRequested)
            {
                int length;
                try
                {
                    length = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, sender, stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
                catch (SocketException)
                {
                    // An ICMP error for an earlier reply, or a datagram too large: nothing to answer, keep listening.
                    continue;
                }

                Interlocked.Increment(ref _received);
                await HandleAsync(buffer.AsMemory(0, length), sender, limiter, stopping.Token).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _stopTimestamp, Stopwatch.GetTimestamp());
            return Snapshot();
        }

        private async ValueTask HandleAsync(Memory<byte> datagram, SocketAddress sender, SourceRateLimiter limiter, CancellationToken cancellationToken)
        {
            ProbeCheck check = ProbeFrame.Check(datagram.Span, _options.Vni, ProbeKind.Request, out VxlanFrame frame, out _);
            if (check != ProbeCheck.Valid)
            {
                Interlocked.Increment(ref _dropped[(int)check]);
                return;
            }

            IPAddress source = ((IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(sender)).Address;
            if (!limiter.TryAdmit(source, Stopwatch.GetTimestamp()))
            {
                Interlocked.Increment(ref _dropped[(int)ProbeCheck.RateLimited]);
                return;
            }

            ProbeFrame.TurnIntoReply(datagram.Span, frame);
            try
            {
                await _socket.SendToAsync(datagram, SocketFlags.None, sender, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _answered);
                lock (_sources)
                {
                    if (_sources.Count < _options.MaxSources)
                    {
                        _sources.Add(source);
                    }
                }
            }
            catch (SocketException)
            {
                Interlocked.Increment(ref _sendFailed);
            }
            catch (OperationCanceledException)
            {
                // Stopping; the summary counts what was answered before.
            }
        }

        /// <summary>The counters so far; safe to call while the responder runs (the cmdlet's progress does).</summary>
        public VxlanResponderSummary Snapshot()
        {
            var byReason = new SortedDictionary<string, long>(StringComparer.Ordinal);
            long dropped = 0;
            for (int i = 0; i < ReasonCount; i++)
            {
                long count = Interlocked.Read(ref _dropped[i]);
                if (count > 0)
                {
                    byReason[((ProbeCheck)i).ToString()] = count;
                    dropped += count;
                }
            }

            long end = Interlocked.Read(ref _stopTimestamp);
            int sources;
            lock (_sources)
            {
                sources = _sources.Count;
            }

            IPEndPoint? local = _socket.IsBound ? LocalEndPoint : null;
            return new VxlanResponderSummary
            {
                BindAddress = (local?.Address ?? _options.BindAddress).ToString(),
                Port = local?.Port ?? _options.Port,
                Vni = _options.Vni,
                StartTime = _startTime,
                Duration = _startTimestamp == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(_startTimestamp, end == 0 ? Stopwatch.GetTimestamp() : end),
                Received = Interlocked.Read(ref _received),
                Answered = Interlocked.Read(ref _answered),
                Dropped = dropped,
                RateLimited = Interlocked.Read(ref _dropped[(int)ProbeCheck.RateLimited]),
                SendFailed = Interlocked.Read(ref _sendFailed),
                Sources = sources,
                DroppedByReason = byReason,
            };
        }

        public void Dispose() => _socket.Dispose();
    }
}
