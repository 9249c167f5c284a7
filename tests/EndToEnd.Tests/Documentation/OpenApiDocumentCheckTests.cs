using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace EndToEnd.Tests.Documentation;

/// <summary>The conformance check itself can fail: wrong types, missing or extra fields, undocumented statuses.</summary>
public sealed class OpenApiDocumentCheckTests
{
    private static readonly OpenApiDocument Document = new(JsonNode.Parse("""
        {
          "openapi": "3.1.1",
          "paths": { "/thing": { "get": { "responses": {
            "200": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } } },
            "404": { "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/ProblemDetails" } } } }
          } } } },
          "components": { "schemas": {
            "Thing": { "type": "object", "properties": { "id": { "type": "string", "format": "uuid" }, "bio": { "type": ["null", "string"] } } },
            "ProblemDetails": { "type": "object", "required": ["type", "title", "status", "traceId"],
              "properties": { "type": { "type": ["null", "string"] }, "title": { "type": ["null", "string"] }, "status": { "type": ["null", "integer"] }, "traceId": { "type": "string" } } }
          } }
        }
        """)!.AsObject());

    [Theory]
    [InlineData(HttpStatusCode.OK, "{\"id\":\"x\",\"bio\":null}", true)]
    [InlineData(HttpStatusCode.OK, "{\"id\":7,\"bio\":null}", false)]
    [InlineData(HttpStatusCode.OK, "{\"id\":\"x\"}", false)]
    [InlineData(HttpStatusCode.OK, "{\"id\":\"x\",\"bio\":null,\"email\":\"a@b\"}", false)]
    [InlineData(HttpStatusCode.NotFound, "{\"type\":\"t\",\"title\":\"Not found\",\"status\":404,\"traceId\":\"abc\"}", true)]
    [InlineData(HttpStatusCode.NotFound, "{\"title\":\"Not found\",\"status\":404}", false)]
    [InlineData(HttpStatusCode.Conflict, "{\"type\":\"t\",\"title\":\"Conflict\",\"status\":409,\"traceId\":\"abc\"}", false)]
    public async Task OnlyWhatTheDocumentDescribesPasses(HttpStatusCode status, string body, bool documented)
    {
        var mediaType = (int)status < 400 ? "application/json" : "application/problem+json";
        using var response = new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, mediaType) };

        var check = Document.AssertDocumentsAsync("GET", "/thing", response);

        if (documented)
        {
            await check;
        }
        else
        {
            await Assert.ThrowsAnyAsync<Xunit.Sdk.XunitException>(() => check);
        }
    }
}
