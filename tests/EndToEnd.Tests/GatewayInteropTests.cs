using System.Diagnostics;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tests.Shared;

namespace EndToEnd.Tests;

/// <summary>
/// Contract §5.1 interop: a client built on WebCrypto (Node's <c>crypto.subtle</c>), which the gateway does not use,
/// performs the handshake, sends an encrypted registration and decrypts the answer.
/// </summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayInteropTests(DistributedAppFixture fixture)
{
    [SkippableFact]
    public async Task AWebCryptoClientCompletesTheHandshakeARequestAndTheResponse()
    {
        var email = $"webcrypto-{Guid.NewGuid():N}@example.test";

        var output = await RunNodeAsync(ScriptPath(), $"http://127.0.0.1:{fixture.GatewayPort}", email);

        var result = JsonDocument.Parse(output).RootElement;
        Assert.Equal((int)HttpStatusCode.Created, result.GetProperty("status").GetInt32());
        Assert.Equal("application/jose", result.GetProperty("contentType").GetString());
        var header = result.GetProperty("header");
        Assert.Equal(201, header.GetProperty("status").GetInt32());
        Assert.Equal(result.GetProperty("handshakeSessionId").GetString(), header.GetProperty("kid").GetString());
        Assert.Equal("POST", header.GetProperty("htm").GetString());
        Assert.Equal("/api/auth/register", header.GetProperty("htu").GetString());
        Assert.Equal(email, result.GetProperty("body").GetProperty("email").GetString());
    }

    private static string ScriptPath([CallerFilePath] string sourceFile = "") =>
        Path.Combine(Path.GetDirectoryName(sourceFile)!, "GatewayInterop", "webcrypto-client.mjs");

    private static async Task<string> RunNodeAsync(params string[] args)
    {
        var start = new ProcessStartInfo(RequiredTool.Node.Path()) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var node = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var stdout = node.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = node.StandardError.ReadToEndAsync(timeout.Token);
        await node.WaitForExitAsync(timeout.Token);
        Assert.True(node.ExitCode == 0, $"node failed: {await stderr}");
        return (await stdout).Trim();
    }
}
