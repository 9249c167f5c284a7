using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace EndToEnd.Tests.Documentation;

/// <summary>
/// One OpenAPI 3.1 document as the gateway serves it, and the check that a real response matches what it documents:
/// the status is listed for the route, the media type is the documented one, and the body validates (JsonSchema.Net,
/// draft 2020-12 — the dialect of OpenAPI 3.1) against the documented schema. A success body must also carry every
/// documented top-level property and no undocumented one.
/// </summary>
public sealed class OpenApiDocument(JsonObject root)
{
    public JsonObject Root { get; } = root;

    public static async Task<OpenApiDocument> FetchAsync(HttpClient gateway, string name)
    {
        var response = await gateway.GetAsync($"/openapi/{name}.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return new OpenApiDocument(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject());
    }

    /// <summary>"METHOD /path" for every operation, e.g. "GET /api/users/{id}".</summary>
    public IReadOnlySet<string> Operations() =>
        Root["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(operation => operation.Key is "get" or "put" or "post" or "patch" or "delete" or "head" or "options")
                .Select(operation => $"{operation.Key.ToUpperInvariant()} {path.Key}"))
            .ToHashSet();

    public JsonObject Operation(string method, string path) =>
        Root["paths"]?[path]?[method.ToLowerInvariant()]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{method} {path} is not documented");

    /// <summary>Asserts that <paramref name="response"/> is one the document lists for the operation, in shape and in type.</summary>
    public async Task AssertDocumentsAsync(string method, string path, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var documented = Operation(method, path)["responses"]?[status]?.AsObject()
            ?? throw new Xunit.Sdk.XunitException($"{method} {path} answered {status}, which its document does not list");
        var body = await response.Content.ReadAsStringAsync();
        if (body.Length == 0)
        {
            Assert.True(documented["content"] is null, $"{method} {path} {status} is documented with a body but had none");
            return;
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var schema = documented["content"]?[mediaType!]?["schema"]
            ?? throw new Xunit.Sdk.XunitException($"{method} {path} {status}: no schema documented for {mediaType}");
        var instance = JsonDocument.Parse(body).RootElement;
        var results = Compile(schema, strictTopLevel: response.IsSuccessStatusCode).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, $"{method} {path} {status} does not match its documented schema:\n{body}\n" +
            string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    /// <summary>The response schema as a standalone 2020-12 schema: components become <c>$defs</c>.</summary>
    private JsonSchema Compile(JsonNode responseSchema, bool strictTopLevel)
    {
        var wrapper = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = Root["components"]?["schemas"]?.DeepClone() ?? new JsonObject(),
            ["allOf"] = new JsonArray(responseSchema.DeepClone()),
        };
        if (strictTopLevel && Resolve(responseSchema)?["properties"] is JsonObject properties)
        {
            wrapper["required"] = new JsonArray([.. properties.Select(p => (JsonNode)p.Key)]);
            wrapper["unevaluatedProperties"] = false;
        }
        var text = wrapper.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal);
        return JsonSchema.FromText(text, baseUri: new Uri($"https://schemas.test/{Guid.NewGuid():N}"));
    }

    private JsonNode? Resolve(JsonNode schema) =>
        schema["$ref"]?.GetValue<string>() is { } reference
            ? Root["components"]?["schemas"]?[reference["#/components/schemas/".Length..]]
            : schema;
}
