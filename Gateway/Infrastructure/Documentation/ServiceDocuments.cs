using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.Infrastructure.Documentation;

/// <summary>
/// Fetches a service's OpenAPI document from its own port through service discovery (the services publish it at
/// <see cref="ContractOpenApi.ServiceDocumentPath"/>, which the gateway never routes) and names the gateway as its
/// only server: a client can reach nothing else.
/// </summary>
public sealed class ServiceDocuments(HttpClient http)
{
    /// <summary>The documents the gateway re-serves as <c>/openapi/{name}.json</c>, and where each comes from.</summary>
    public static readonly IReadOnlyDictionary<string, Uri> Sources = new Dictionary<string, Uri>
    {
        ["identity"] = new($"http://identityservice{ContractOpenApi.ServiceDocumentPath}"),
        ["users"] = new($"http://userservice{ContractOpenApi.ServiceDocumentPath}"),
    };

    public const string ServerDescription = "The gateway, the only public entry";

    /// <summary>The gateway as the client reached it: every document names it as the one server.</summary>
    public static string GatewayOrigin(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    /// <summary>Within this the document arrives or the caller answers 503 (contract §1: never a hang).</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(5);

    /// <summary>The document with <c>servers</c> = <paramref name="gatewayOrigin"/>, or null when the service does not answer in time.</summary>
    public async Task<JsonObject?> FetchAsync(string name, string gatewayOrigin, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(Deadline);
        try
        {
            using var response = await http.GetAsync(Sources[name], deadline.Token);
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }
            var document = JsonNode.Parse(await response.Content.ReadAsStreamAsync(deadline.Token))?.AsObject();
            document?["servers"] = new JsonArray(new JsonObject
            {
                ["url"] = gatewayOrigin,
                ["description"] = ServerDescription,
            });
            return document;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or JsonException or InvalidOperationException or Polly.ExecutionRejectedException
                                      && !cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }
}
