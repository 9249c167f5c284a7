using Scalar.AspNetCore;

namespace Gateway.Infrastructure.Documentation;

/// <summary>
/// A Content-Security-Policy on every gateway response. The browser client and everything else get the strict one:
/// scripts and styles only from the gateway's own files (no inline script, no eval), connections only to the gateway
/// and its WebSocket. <c>/docs</c> gets Scalar's: its one inline script carries a per-request nonce, and Scalar's
/// generated styles are inline, so styles there may be inline — still nothing from another origin.
/// </summary>
public sealed class ContentSecurityPolicyMiddleware(RequestDelegate next)
{
    public const string DocsPath = "/docs";

    public Task InvokeAsync(HttpContext context)
    {
        context.Response.OnStarting(() =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(DocsPath)
                ? DocsPolicy(context)
                : ClientPolicy(context.Request.Host);
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            return Task.CompletedTask;
        });
        return next(context);
    }

    private static string ClientPolicy(HostString host) =>
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
        $"connect-src 'self' ws://{host} wss://{host}; " +
        "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

    private static string DocsPolicy(HttpContext context)
    {
        var nonce = context.Items[ScalarOptions.NonceHttpContextItemKey] as string;
        var script = nonce is null ? "'self'" : $"'self' 'nonce-{nonce}'";
        return $"default-src 'none'; script-src {script}; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
               "font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; " +
               "form-action 'none'; base-uri 'none'; frame-ancestors 'none'";
    }
}
