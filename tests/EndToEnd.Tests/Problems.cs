using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>What every error answer must be: an RFC 9457 problem in the full shape of contract §1.</summary>
public static class Problems
{
    /// <summary>Asserts status, media type and the full problem shape; returns the body for further checks.</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        return await ExpectShapeAsync(response);
    }

    /// <summary>The shape alone, whatever the (error) status.</summary>
    public static async Task<JsonElement> ExpectShapeAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(JsonValueKind.Object, problem.ValueKind);
        foreach (var member in new[] { "type", "title", "status", "traceId" })
        {
            Assert.True(problem.TryGetProperty(member, out _), $"the {(int)response.StatusCode} problem has no '{member}': {problem}");
        }
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        if (Catalog.TryGetValue((int)response.StatusCode, out var expected))
        {
            Assert.Equal(expected.Type, problem.GetProperty("type").GetString());
            Assert.Equal(expected.Title, problem.GetProperty("title").GetString());
        }
        else
        {
            Assert.StartsWith("https://", problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "a problem's title is not empty");
        }
        return problem;
    }

    /// <summary>Contract §1: the same type and title for a status, whoever answers (gateway, framework, service).</summary>
    private static readonly Dictionary<int, (string Type, string Title)> Catalog = new()
    {
        [400] = ("https://tools.ietf.org/html/rfc9110#section-15.5.1", "Bad Request"),
        [401] = ("https://tools.ietf.org/html/rfc9110#section-15.5.2", "Unauthorized"),
        [404] = ("https://tools.ietf.org/html/rfc9110#section-15.5.5", "Not Found"),
        [405] = ("https://tools.ietf.org/html/rfc9110#section-15.5.6", "Method Not Allowed"),
        [409] = ("https://tools.ietf.org/html/rfc9110#section-15.5.10", "Conflict"),
        [412] = ("https://tools.ietf.org/html/rfc9110#section-15.5.13", "Precondition Failed"),
        [413] = ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
        [415] = ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
        [422] = ("https://tools.ietf.org/html/rfc9110#section-15.5.21", "Unprocessable Content"),
        [429] = ("https://tools.ietf.org/html/rfc6585#section-4", "Too Many Requests"),
        [503] = ("https://tools.ietf.org/html/rfc9110#section-15.6.4", "Service Unavailable"),
    };

    /// <summary>What is wrong with an answer as a problem, or null when it is one (for sweeps that collect rather than stop).</summary>
    public static string? ShapeError(int status, string? mediaType, byte[] body)
    {
        if (mediaType != "application/problem+json")
        {
            return $"Content-Type {mediaType ?? "none"}";
        }
        try
        {
            var problem = JsonDocument.Parse(body).RootElement;
            if (problem.ValueKind != JsonValueKind.Object)
            {
                return "body is not an object";
            }
            var missing = new[] { "type", "title", "status", "traceId" }.Where(name => !problem.TryGetProperty(name, out _)).ToList();
            if (missing.Count > 0)
            {
                return "problem without " + string.Join(',', missing);
            }
            if (problem.GetProperty("status").ValueKind != JsonValueKind.Number || problem.GetProperty("status").GetInt32() != status)
            {
                return "status in the body differs";
            }
            return Catalog.TryGetValue(status, out var expected) &&
                (problem.GetProperty("type").GetString() != expected.Type || problem.GetProperty("title").GetString() != expected.Title)
                ? $"type/title {problem.GetProperty("type")}/{problem.GetProperty("title")} are not the catalog's"
                : null;
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
    }
}
