using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ServiceDefaults.Input;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Every error leaves a service as RFC 9457 problem details (contract §1) of one shape — catalog type and title,
/// W3C trace id — and a 5xx says only that something failed: exception text never reaches a client.
/// </summary>
public static class ProblemDetailsDefaults
{
    /// <summary>Contract §1's default body limit, for every service; the gateway sets its own (configurable).</summary>
    public const long MaxRequestBodyBytes = 1024 * 1024;

    public static IServiceCollection AddProblemDetailsDefaults(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ProblemCatalog.Apply);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>());
        services.AddExceptionHandler<RequestInputExceptionHandler>();
        // A dependency that is down or does not answer: 503 + Retry-After, never the default handler's 500.
        services.AddExceptionHandler<DependencyFailureExceptionHandler>();
        // Malformed bodies are refused by the input layer (400/413/415/422), never by the framework's 400 without a body.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);
        services.Configure<JsonOptions>(options => options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = MaxRequestBodyBytes);
        return services;
    }
}
