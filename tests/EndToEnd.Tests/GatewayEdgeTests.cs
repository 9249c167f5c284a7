using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Contract §5 at the edge: compression both ways, the body limit before and after decompression, CORS.</summary>
[Collection(DistributedAppCollection.Name)]
public sealed class GatewayEdgeTests(DistributedAppFixture fixture)
{
    private const int Limit = 1024 * 1024;

    [Theory]
    [InlineData("br")]
    [InlineData("gzip")]
    public async Task ResponsesAreCompressedWhenTheClientAcceptsIt(string encoding)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        request.Headers.AcceptEncoding.ParseAdd(encoding);

        var response = await fixture.Gateway.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal([encoding], response.Content.Headers.ContentEncoding);
        await using var body = await response.Content.ReadAsStreamAsync();
        await using Stream plain = encoding == "br" ? new BrotliStream(body, CompressionMode.Decompress) : new GZipStream(body, CompressionMode.Decompress);
        var document = await JsonDocument.ParseAsync(plain);
        Assert.True(document.RootElement.TryGetProperty("issuer", out _));
    }

    [Fact]
    public async Task ResponsesAreNotCompressedWhenTheClientDoesNotAskForIt()
    {
        var response = await fixture.Gateway.GetAsync("/.well-known/openid-configuration");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(response.Content.Headers.ContentEncoding);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("issuer", out _));
    }

    [Theory]
    [InlineData("gzip")]
    [InlineData("deflate")]
    [InlineData("br")]
    public async Task CompressedRequestBodiesReachTheServiceDecompressed(string encoding)
    {
        var email = $"gw-{encoding}-{Guid.NewGuid():N}@example.test";
        var json = JsonSerializer.SerializeToUtf8Bytes(new { email, password = "correct horse battery", displayName = "Compressed" });
        using var content = new ByteArrayContent(Compress(json, encoding));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add(encoding);

        var response = await fixture.Gateway.PostAsync("/api/auth/register", content);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(email, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("email").GetString());
    }

    [Fact]
    public async Task ADecompressionBombIs413()
    {
        using var content = new ByteArrayContent(Compress(new byte[16 * Limit], "gzip"));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");
        Assert.True(content.Headers.ContentLength < 64 * 1024);

        var response = await fixture.Gateway.PostAsync("/api/auth/register", content);

        await Problems.ExpectAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ABodyThatIsNotWhatItsEncodingSaysIs400()
    {
        using var content = new StringContent("{\"plain\":true}", Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await fixture.Gateway.PostAsync("/api/auth/register", content);

        await Problems.ExpectAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task AnUnknownContentEncodingIs415()
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        content.Headers.ContentEncoding.Add("compress");

        var response = await fixture.Gateway.PostAsync("/api/auth/register", content);

        await Problems.ExpectAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ABodyOverOneMebibyteIs413WithOrWithoutContentLength(bool announceLength)
    {
        var body = new byte[Limit + 1];
        body.AsSpan().Fill((byte)' ');
        HttpContent content = announceLength ? new ByteArrayContent(body) : new StreamContent(new UnknownLengthStream(body));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        // 100-continue: refused on its announced length, the body is never sent, so no broken pipe races the 413.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register") { Content = content };
        request.Headers.ExpectContinue = true;

        var response = await fixture.Gateway.SendAsync(request);

        await Problems.ExpectAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task ABodyOfExactlyTheLimitIsForwarded()
    {
        var padding = new string(' ', Limit - 2);
        using var content = new StringContent("{" + padding + "}", Encoding.ASCII, "application/json");
        Assert.Equal(Limit, content.Headers.ContentLength);

        var response = await fixture.Gateway.PostAsync("/api/auth/register", content);

        // The identity service itself answered: it refuses the empty registration field by field, so the body went through.
        var problem = await Problems.ExpectAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("email", out _));
    }

    [Fact]
    public async Task APreflightFromAConfiguredOriginIsAllowed()
    {
        var response = await fixture.Gateway.SendAsync(Preflight(DistributedAppFixture.AllowedCorsOrigin));

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal(DistributedAppFixture.AllowedCorsOrigin, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("PATCH", string.Join(',', response.Headers.GetValues("Access-Control-Allow-Methods")));
    }

    [Fact]
    public async Task APreflightFromAnyOtherOriginGetsNoCorsHeaders()
    {
        var response = await fixture.Gateway.SendAsync(Preflight("https://evil.example.test"));

        // The preflight is answered (the browser then refuses the call itself), only without permission.
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(response.Headers.Contains("Access-Control-Allow-Methods"));
    }

    [Fact]
    public async Task ASimpleRequestFromAConfiguredOriginMayReadTheAnswer()
    {
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        allowed.Headers.Add("Origin", DistributedAppFixture.AllowedCorsOrigin);
        using var denied = new HttpRequestMessage(HttpMethod.Get, "/.well-known/openid-configuration");
        denied.Headers.Add("Origin", "https://evil.example.test");

        var allowedResponse = await fixture.Gateway.SendAsync(allowed);
        var deniedResponse = await fixture.Gateway.SendAsync(denied);

        Assert.Equal(HttpStatusCode.OK, allowedResponse.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deniedResponse.StatusCode);
        Assert.Equal(DistributedAppFixture.AllowedCorsOrigin, allowedResponse.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("RateLimit", string.Join(',', allowedResponse.Headers.GetValues("Access-Control-Expose-Headers")));
        Assert.False(deniedResponse.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.False(deniedResponse.Headers.Contains("Access-Control-Expose-Headers"));
        Assert.True((await deniedResponse.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("issuer", out _));
    }

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/users/me");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "PATCH");
        request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
        return request;
    }

    private static byte[] Compress(byte[] data, string encoding)
    {
        using var output = new MemoryStream();
        using (Stream compressor = encoding switch
        {
            "gzip" => new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true),
            "deflate" => new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true),
            _ => new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true),
        })
        {
            compressor.Write(data);
        }
        return output.ToArray();
    }

    /// <summary>A stream that does not tell its length, so the client sends the body chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
