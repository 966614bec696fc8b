using System;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace K3sNet.Emulators.KubeApi.Kubelet
{
    /// <summary>
    /// What a container wrote to stdout and stderr, interleaved as it arrived (the kubelet's log file), bounded: past
    /// <see cref="Capacity"/> characters the oldest are dropped, as log rotation drops them.
    /// </summary>
    internal sealed class ContainerLog
    {
        public const int Capacity = 1 << 20;

        private readonly StringBuilder _text = new();

        public void Append(string chunk)
        {
            lock (_text)
            {
                _text.Append(chunk);
                if (_text.Length > Capacity)
                {
                    _text.Remove(0, _text.Length - Capacity);
                }
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }

        /// <summary>Copies a process's output stream into the log until it ends.</summary>
        public async Task CaptureAsync(Stream output)
        {
            Decoder decoder = new UTF8Encoding(false).GetDecoder();
            byte[] buffer = new byte[8192];
            char[] chars = new char[8192 + 4];
            try
            {
                int read;
                while ((read = await output.ReadAsync(buffer).ConfigureAwait(false)) > 0)
                {
                    int count = decoder.GetChars(buffer, 0, read, chars, 0, flush: false);
                    Append(new string(chars, 0, count));
                }
            }
            catch (IOException)
            {
                // The process was killed while writing.
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
