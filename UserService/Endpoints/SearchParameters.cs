using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace UserService.Endpoints;

/// <summary>
/// The query of <c>GET /api/users</c> for the OpenAPI document. The handler reads the raw query itself so that a bad
/// value is a 422 naming the field (contract §3), not a binding failure; this says what it reads.
/// </summary>
public static class SearchParameters
{
    public static Task DescribeAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Parameters ??= [];
        operation.Parameters.Add(Query("search", JsonSchemaType.String,
            $"Case-insensitive substring of displayName, taken literally; at most {UserEndpoints.MaxSearchLength} characters."));
        operation.Parameters.Add(Query("page", JsonSchemaType.Integer, "1-based page number; default 1.", minimum: 1));
        operation.Parameters.Add(Query("pageSize", JsonSchemaType.Integer, $"1–{UserEndpoints.MaxPageSize}; default 20.", minimum: 1,
            maximum: UserEndpoints.MaxPageSize));
        return Task.CompletedTask;
    }

    private static OpenApiParameter Query(string name, JsonSchemaType type, string description, int? minimum = null, int? maximum = null) => new()
    {
        Name = name,
        In = ParameterLocation.Query,
        Description = description,
        Schema = new OpenApiSchema
        {
            Type = type,
            Minimum = minimum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum?.ToString(System.Globalization.CultureInfo.InvariantCulture),
        },
    };
}
