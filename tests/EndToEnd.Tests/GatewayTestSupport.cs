using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Accounts and raw Redis reads for the gateway tests.</summary>
public static class GatewayTestSupport
{
    public sealed record Account(string Email, string Password, string AccessToken, string RefreshToken, string UserId);

    public static object NewRegistration(string? email = null) => new
    {
        email = email ?? $"gw-{Guid.NewGuid():N}@example.test",
        password = "correct horse battery",
        displayName = "Gateway Tester",
    };

    /// <summary>Registers and logs in through the gateway, each call from a fresh address (auth tier is per IP).</summary>
    public static async Task<Account> RegisterAndLoginAsync(DistributedAppFixture fixture)
    {
        var email = $"gw-{Guid.NewGuid():N}@example.test";
        const string password = "correct horse battery";
        var registered = await fixture.Gateway.PostAsJsonAsync("/api/auth/register", new { email, password, displayName = "Gateway Tester" });
        Assert.Equal(HttpStatusCode.Created, registered.StatusCode);
        var login = await fixture.Gateway.PostAsJsonAsync("/api/auth/login", new { email, password });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var tokens = await login.Content.ReadFromJsonAsync<JsonElement>();
        return new Account(email, password, tokens.GetProperty("accessToken").GetString()!,
            tokens.GetProperty("refreshToken").GetString()!, tokens.GetProperty("userId").GetString()!);
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    /// <summary>GET of one key over RESP, so the tests read exactly what the gateway stored.</summary>
    public static async Task<byte[]?> RedisGetAsync(DistributedAppFixture fixture, string key)
    {
        var parts = (await fixture.ConnectionStringAsync("redis")).Split(',');
        var hostPort = parts[0].Split(':');
        var password = parts.First(p => p.StartsWith("password=", StringComparison.Ordinal))["password=".Length..];
        using var client = new TcpClient();
        await client.ConnectAsync(hostPort[0] == "localhost" ? "127.0.0.1" : hostPort[0], int.Parse(hostPort[1]));
        var stream = client.GetStream();
        await stream.WriteAsync(Command("AUTH", password));
        await stream.WriteAsync(Command("GET", key));
        var reader = new BufferedStream(stream);
        Assert.Equal("+OK", ReadLine(reader));
        var length = int.Parse(ReadLine(reader)[1..]);
        if (length < 0)
        {
            return null;
        }
        var value = new byte[length];
        var read = 0;
        while (read < length)
        {
            read += await reader.ReadAsync(value.AsMemory(read));
        }
        return value;
    }

    private static byte[] Command(params string[] args)
    {
        var text = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            text.Append($"${Encoding.UTF8.GetByteCount(arg)}\r\n{arg}\r\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static string ReadLine(Stream stream)
    {
        var line = new StringBuilder();
        int b;
        while ((b = stream.ReadByte()) != '\n')
        {
            if (b != '\r')
            {
                line.Append((char)b);
            }
        }
        return line.ToString();
    }
}
