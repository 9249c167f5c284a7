using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RealtimeService.Application;
using RealtimeService.Domain;
using RealtimeService.Infrastructure;
using UnitTests.Support;

namespace UnitTests.Realtime;

/// <summary>
/// When the identity service's JWK set cannot be fetched (and none is cached), a WebSocket token can be neither
/// accepted nor refused: it is a dependency failure (503 before the upgrade, close 1013 after it), never the
/// "invalid token" that would make a client drop a good token.
/// </summary>
public sealed class SigningKeysUnavailableTests
{
    [Fact]
    public async Task TheValidatorReportsUnreachableKeysAsADependencyFailure()
    {
        // Real HTTP to a loopback port nobody listens on: the connection is refused, as with the identity service down.
        var unused = new TcpListener(IPAddress.Loopback, 0);
        unused.Start();
        var port = ((IPEndPoint)unused.LocalEndpoint).Port;
        unused.Stop();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration["Jwt:JwksUrl"] = $"http://127.0.0.1:{port}/.well-known/jwks.json";
        builder.Services.AddLogging().AddHttpClient();
        builder.AddJwtValidation();
        builder.Services.AddSingleton<ISessionRevocationList, NothingRevoked>(); // the real one reads Redis; not this test's concern
        builder.Services.AddSingleton<AccessTokenValidator>();
        using var host = builder.Build();

        // The keys are fetched before the token is looked at, so its content does not matter here.
        var failure = await Assert.ThrowsAsync<DependencyUnavailableException>(
            () => host.Services.GetRequiredService<AccessTokenValidator>().ValidateAsync("header.payload.signature", default));

        Assert.Equal("another service", DependencyFailure.UnavailableDependency(failure.InnerException!));
    }

    [Fact]
    public async Task AnAuthMessageThatCannotBeCheckedClosesWith1013NotWith4401()
    {
        var (serverSide, clientSide) = ConnectedStreams();
        using var server = WebSocket.CreateFromStream(serverSide, isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        using var client = WebSocket.CreateFromStream(clientSide, isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        var session = new WebSocketSession(new ConnectionRegistry(new NoOwnership(), Options.Create(new RealtimeOptions()), NullLogger<ConnectionRegistry>.Instance),
            new KeysUnavailable(), new RealtimeMetrics(TestMeters.Factory), Options.Create(new RealtimeOptions()), NullLogger<WebSocketSession>.Instance);

        // Bounded, so that a regression fails instead of waiting for a close frame that never comes.
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var running = session.RunAsync(server, user: null, registered: () => { }, CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("""{"type":"auth","token":"a.b.c"}"""), WebSocketMessageType.Text, true, bound.Token);
        var received = await client.ReceiveAsync(new byte[256], bound.Token);
        await client.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token);
        await running.WaitAsync(bound.Token);

        Assert.Equal(WebSocketMessageType.Close, received.MessageType);
        Assert.Equal(CloseCodes.TryAgainLater, (int)client.CloseStatus!);
    }

    private sealed class KeysUnavailable : IAccessTokenValidator
    {
        public Task<AuthenticatedUser?> ValidateAsync(string token, CancellationToken cancellationToken) =>
            throw new DependencyUnavailableException("the identity service's signing keys");
    }

    private sealed class NothingRevoked : ISessionRevocationList
    {
        public event Action<string>? SessionRevoked { add { } remove { } }

        public Task RevokeAsync(string sessionId, TimeSpan keepFor) => Task.CompletedTask;

        public bool IsRevoked(string sessionId) => false;
    }

    private sealed class NoOwnership : IConnectionOwnership
    {
        public Task<long> NextSequenceAsync(Guid userId, CancellationToken cancellationToken) => Task.FromResult(1L);

        public Task AnnounceAsync(Guid userId, long sequence, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Two ends of an in-memory connection: what one writes, the other reads.</summary>
    private static (Stream, Stream) ConnectedStreams()
    {
        var toServer = new Pipe();
        var toClient = new Pipe();
        return (new DuplexPipeStream(toServer.Reader, toClient.Writer), new DuplexPipeStream(toClient.Reader, toServer.Writer));
    }

    private sealed class DuplexPipeStream(PipeReader input, PipeWriter output) : Stream
    {
        private readonly Stream _reader = input.AsStream();
        private readonly Stream _writer = output.AsStream();

        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _reader.ReadAsync(buffer, cancellationToken);
        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => _writer.WriteAsync(buffer, cancellationToken);
        public override Task FlushAsync(CancellationToken cancellationToken) => _writer.FlushAsync(cancellationToken);
        public override void Flush() => _writer.Flush();
        public override int Read(byte[] buffer, int offset, int count) => _reader.Read(buffer, offset, count);
        public override void Write(byte[] buffer, int offset, int count) => _writer.Write(buffer, offset, count);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
