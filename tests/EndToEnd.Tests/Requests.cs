using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EndToEnd.Tests;

/// <summary>Building requests and reading answers.</summary>
public static class Requests
{
    public static Task<HttpResponseMessage> PostJsonAsync(HttpClient client, string path, object body, string? bearer = null) =>
        PostRawAsync(client, path, JsonSerializer.Serialize(body), "application/json", bearer);

    public static async Task<HttpResponseMessage> PostRawAsync(HttpClient client, string path, string body, string? mediaType, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = mediaType is null ? null : new MediaTypeHeaderValue(mediaType);
        if (bearer is not null)
        {
            request.WithBearer(bearer);
        }
        return await client.SendAsync(request);
    }

    public static HttpRequestMessage Authorized(HttpMethod method, string path, TestUser user, object? json = null)
    {
        var request = new HttpRequestMessage(method, path).WithBearer(user.AccessToken);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        return request;
    }

    public static HttpRequestMessage WithBearer(this HttpRequestMessage request, string token)
    {
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static StringContent RawJson(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> JsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}
