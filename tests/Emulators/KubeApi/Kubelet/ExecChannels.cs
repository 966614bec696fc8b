using System;
using System.IO;
using System.IO.Pipelines;
using System.Net.WebSockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// The server end of an exec WebSocket: writes channel frames (serialized: one frame at a time), and reads the
    /// client's frames into the command's stdin until the client closes stdin (v5 {255, 0}) or the socket.
    /// </summary>
    internal sealed class ExecChannels
    {
        public const byte Stdin = 0;
        public const byte Stdout = 1;
        public const byte Stderr = 2;
        public const byte Error = 3;
        public const byte Resize = 4;
        private const byte Close = 255;

        private readonly WebSocket _socket;
        private readonly ExecProtocol _protocol;
        private readonly SemaphoreSlim _sending = new(1, 1);
        private readonly Pipe _stdin = new();
        private readonly TaskCompletionSource _clientGone = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public ExecChannels(WebSocket socket, ExecProtocol protocol)
        {
            _socket = socket;
            _protocol = protocol;
        }

        /// <summary>The command's stdin: what the client sent on channel 0, ending when it closes the channel or the socket.</summary>
        public Stream StdinStream => _stdin.Reader.AsStream();

        /// <summary>Completes when the client closed the socket or went away.</summary>
        public Task ClientGone => _clientGone.Task;

        public Stream WriterFor(byte channel) => new ChannelStream(this, channel);

        public async Task SendAsync(byte channel, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
        {
            byte[] frame;
            WebSocketMessageType type;
            if (_protocol.Base64)
            {
                frame = Encoding.ASCII.GetBytes((char)('0' + channel) + Convert.ToBase64String(data.Span));
                type = WebSocketMessageType.Text;
            }
            else
            {
                frame = new byte[data.Length + 1];
                frame[0] = channel;
                data.CopyTo(frame.AsMemory(1));
                type = WebSocketMessageType.Binary;
            }

            await _sending.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _socket.SendAsync(frame, type, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _sending.Release();
            }
        }

        /// <summary>Reads the client's frames until it closes; stdin data goes to <see cref="StdinStream"/>, resizes are ignored.</summary>
        public async Task ReceiveAsync(CancellationToken cancellationToken)
        {
            byte[] buffer = new byte[64 * 1024];
            using var message = new MemoryStream();
            try
            {
                while (true)
                {
                    ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        break;
                    }

                    message.Write(buffer, 0, result.Count);
                    if (!result.EndOfMessage)
                    {
                        continue;
                    }

                    byte[] frame = message.ToArray();
                    message.SetLength(0);
                    await DeliverAsync(frame).ConfigureAwait(false);
                }
            }
            catch (Exception exception) when (exception is WebSocketException or OperationCanceledException or IOException)
            {
            }
            finally
            {
                await _stdin.Writer.CompleteAsync().ConfigureAwait(false);
                _clientGone.TrySetResult();
            }
        }

        private async Task DeliverAsync(byte[] frame)
        {
            if (frame.Length == 0)
            {
                return;
            }

            if (_protocol.SupportsClose && frame[0] == Close)
            {
                if (frame.Length >= 2 && frame[1] == Stdin)
                {
                    await _stdin.Writer.CompleteAsync().ConfigureAwait(false);
                }

                return;
            }

            byte channel = _protocol.Base64 ? (byte)(frame[0] - '0') : frame[0];
            if (channel != Stdin)
            {
                return;
            }

            byte[] data = _protocol.Base64 ? Convert.FromBase64String(Encoding.ASCII.GetString(frame, 1, frame.Length - 1)) : frame[1..];
            try
            {
                await _stdin.Writer.WriteAsync(data).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Stdin was closed already: data after the close is dropped, as the kubelet drops it.
            }
        }

        private sealed class ChannelStream : Stream
        {
            private readonly ExecChannels _channels;
            private readonly byte _channel;

            public ChannelStream(ExecChannels channels, byte channel)
            {
                _channels = channels;
                _channel = channel;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Flush()
            {
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (buffer.Length > 0)
                {
                    await _channels.SendAsync(_channel, buffer, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
