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
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("type").GetString()), "a problem's type is not empty");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "a problem's title is not empty");
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        return problem;
    }

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
            return problem.GetProperty("status").ValueKind == JsonValueKind.Number && problem.GetProperty("status").GetInt32() == status
                ? null
                : "status in the body differs";
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
    }
}
