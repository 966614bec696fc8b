using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using K3sNet.Firewall;

namespace K3sNet.NodeAccess
{
    /// <summary>
    /// Talks to one node agent over an exec session's stdin and stdout: many tool requests at once, each answered as it
    /// ends, framed so concurrent answers never mix.
    /// </summary>
    internal sealed class NodeAgentSession : INodeShell, IAsyncDisposable
    {
        /// <summary>How long disposing waits for the agent to end its stdout after `exit`.</summary>
        private static readonly TimeSpan ExitPatience = TimeSpan.FromSeconds(5);

        private readonly Stream _input;
        private readonly Stream _output;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly ConcurrentDictionary<long, Pending> _pending = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _reader;
        private long _lastId;
        private int _requestCount;
        private int _disposed;
        private Exception? _ended;

        /// <param name="description">Where the agent runs, for messages.</param>
        /// <param name="agentInput">The agent's stdin (K3sNet writes requests).</param>
        /// <param name="agentOutput">The agent's stdout (K3sNet reads answers).</param>
        public NodeAgentSession(string description, Stream agentInput, Stream agentOutput)
        {
            Description = description;
            _input = agentInput;
            _output = agentOutput;
            _reader = Task.Run(ReadAnswersAsync);
        }

        public string Description { get; }

        /// <summary>How many requests this session sent (the tests count them).</summary>
        public int RequestCount => Volatile.Read(ref _requestCount);

        public async Task<HostToolRun> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
        {
            long id = Interlocked.Increment(ref _lastId);
            string line = NodeAgentRequest.Line(id, tool, arguments);
            cancellationToken.ThrowIfCancellationRequested();
            var pending = new Pending(tool, arguments);
            _pending[id] = pending;
            try
            {
                ThrowIfEnded();
                await WriteAsync(line, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _requestCount);
                return await pending.Answer.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // The answer still comes (the tool was stopped or ended); with the request forgotten it is dropped.
                if (_pending.TryRemove(id, out _) && Volatile.Read(ref _ended) is null)
                {
                    try
                    {
                        await WriteAsync(NodeAgentRequest.KillLine(id), CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception e) when (e is IOException or ObjectDisposedException)
                    {
                        // The session is going anyway.
                    }
                }

                throw;
            }
            finally
            {
                _pending.TryRemove(id, out _);
            }
        }

        public async Task<string?> ReadFileAsync(string path, CancellationToken cancellationToken)
        {
            HostToolRun run = await RunAsync("cat", new[] { path }, cancellationToken).ConfigureAwait(false);
            return run.Output;
        }

        /// <summary>Asks the agent to end (it exits 0) and stops reading.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }

            if (Volatile.Read(ref _ended) is null)
            {
                try
                {
                    await WriteAsync(NodeAgentRequest.ExitLine, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException or NotSupportedException)
                {
                    // The agent or its stream is gone already.
                }
            }

            if (await Task.WhenAny(_reader, Task.Delay(ExitPatience)).ConfigureAwait(false) != _reader)
            {
                // A pipe's read may not heed the token: the session stops waiting either way, and the reader ends
                // when the exec session's owner closes the stream.
                _stop.Cancel();
                await Task.WhenAny(_reader, Task.Delay(TimeSpan.FromSeconds(1))).ConfigureAwait(false);
            }

            End(new ObjectDisposedException(nameof(NodeAgentSession), $"The node agent session on {Description} is closed."));
        }

        private async Task WriteAsync(string line, CancellationToken cancellationToken)
        {
            byte[] bytes = Encoding.ASCII.GetBytes(line);
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _input.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await _input.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private async Task ReadAnswersAsync()
        {
            var reader = new FramedReader(_output);
            try
            {
                while (await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false) is string line)
                {
                    AgentAnswerHeader header = NodeAgentRequest.ParseHeader(line)
                        ?? throw new InvalidDataException($"The node agent on {Description} wrote '{Shorten(line)}' where an answer header belongs.");
                    byte[] output = await reader.ReadExactlyAsync(header.OutputBytes, _stop.Token).ConfigureAwait(false);
                    byte[] errors = await reader.ReadExactlyAsync(header.ErrorBytes, _stop.Token).ConfigureAwait(false);
                    if (_pending.TryRemove(header.Id, out Pending? pending))
                    {
                        pending.Answer.TrySetResult(pending.ToRun(header.ExitCode, Encoding.UTF8.GetString(output), Encoding.UTF8.GetString(errors)));
                    }
                }

                End(new IOException($"The node agent on {Description} ended."));
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                End(new IOException($"The node agent on {Description} did not end its output when asked to exit."));
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ObjectDisposedException)
            {
                End(new IOException($"The node agent on {Description} ended: {e.Message}", e));
            }
        }

        private void End(Exception reason)
        {
            Interlocked.CompareExchange(ref _ended, reason, null);
            foreach (long id in _pending.Keys.ToArray())
            {
                if (_pending.TryRemove(id, out Pending? pending))
                {
                    pending.Answer.TrySetException(Volatile.Read(ref _ended)!);
                }
            }
        }

        private void ThrowIfEnded()
        {
            if (Volatile.Read(ref _ended) is Exception ended)
            {
                throw new IOException(ended.Message, ended);
            }
        }

        private static string Shorten(string line) => line.Length > 80 ? line[..80] + "..." : line;

        private sealed class Pending
        {
            private readonly string _tool;
            private readonly IReadOnlyList<string> _arguments;

            public Pending(string tool, IReadOnlyList<string> arguments)
            {
                _tool = tool;
                _arguments = arguments;
            }

            public TaskCompletionSource<HostToolRun> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

            /// <summary>The same answers, in the same words, as <see cref="HostTool.ExecuteAsync"/> gives for a local tool.</summary>
            public HostToolRun ToRun(int? exitCode, string output, string errors)
            {
                if (exitCode is null)
                {
                    return new HostToolRun(null, $"'{_tool}' is not installed", NotInstalled: true);
                }

                if (exitCode == 0)
                {
                    return new HostToolRun(output, null, NotInstalled: false);
                }

                string error = errors.Trim();
                return new HostToolRun(null, $"'{_tool} {string.Join(" ", _arguments)}' failed: {(error.Length > 0 ? error.Split('\n')[0] : $"exit code {exitCode}")}", NotInstalled: false);
            }
        }

        /// <summary>Reads header lines and exact byte counts from one stream, with its own buffer.</summary>
        private sealed class FramedReader
        {
            private readonly Stream _stream;
            private readonly byte[] _buffer = new byte[64 * 1024];
            private int _start;
            private int _end;

            public FramedReader(Stream stream) => _stream = stream;

            /// <summary>The next line without its newline; null at the end of the stream.</summary>
            public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
            {
                var line = new List<byte>();
                while (true)
                {
                    if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        return line.Count == 0 ? null : throw new EndOfStreamException("The stream ended inside a header line.");
                    }

                    int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                    int stop = newline < 0 ? _end : newline;
                    line.AddRange(new ArraySegment<byte>(_buffer, _start, stop - _start));
                    _start = newline < 0 ? _end : newline + 1;
                    if (newline >= 0)
                    {
                        return Encoding.ASCII.GetString(line.ToArray());
                    }
                }
            }

            public async Task<byte[]> ReadExactlyAsync(int count, CancellationToken cancellationToken)
            {
                byte[] result = new byte[count];
                int filled = 0;
                while (filled < count)
                {
                    if (_start == _end && !await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        throw new EndOfStreamException($"The stream ended {count - filled} bytes before the end of an answer.");
                    }

                    int take = Math.Min(count - filled, _end - _start);
                    Buffer.BlockCopy(_buffer, _start, result, filled, take);
                    _start += take;
                    filled += take;
                }

                return result;
            }

            private async Task<bool> FillAsync(CancellationToken cancellationToken)
            {
                _start = 0;
                _end = await _stream.ReadAsync(_buffer, cancellationToken).ConfigureAwait(false);
                return _end > 0;
            }
        }
    }
}
