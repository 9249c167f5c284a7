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
        Assert.Equal((int)response.StatusCode, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("type").GetString()), "a problem has a type");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()), "a problem has a title");
        Assert.Matches("^[0-9a-f]{32}$", problem.GetProperty("traceId").GetString());
        return problem;
    }

    /// <summary>What is wrong with <paramref name="response"/> as a problem, or null when it is one (for sweeps that collect).</summary>
    public static async Task<string?> ShapeErrorAsync(HttpResponseMessage response)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"Content-Type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }
        try
        {
            var problem = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement;
            if (problem.ValueKind != JsonValueKind.Object)
            {
                return "body is not an object";
            }
            var missing = new[] { "type", "title", "status", "traceId" }.Where(name => !problem.TryGetProperty(name, out _)).ToList();
            if (missing.Count > 0)
            {
                return "missing " + string.Join(',', missing);
            }
            return problem.GetProperty("status").ValueKind == JsonValueKind.Number && problem.GetProperty("status").GetInt32() == (int)response.StatusCode
                ? null
                : "status in body differs";
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
    }
}
