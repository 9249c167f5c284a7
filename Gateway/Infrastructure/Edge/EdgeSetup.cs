using System.Net;
using Gateway.Application;
using Gateway.Infrastructure.Encryption;
using Gateway.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.ResponseCompression;

namespace Gateway.Infrastructure.Edge;

/// <summary>Registers the edge pipeline: body limit, forwarded headers, CORS, compression, JWT, rate limits, encryption.</summary>
public static class EdgeSetup
{
    /// <summary>The route authorization policy of <c>/ws</c>: no <c>access_token</c> passes on, an invalid one is 401.</summary>
    public const string WebSocketPolicy = "websocket";
    public const string CorsPolicy = "configured-origins";

    public static WebApplicationBuilder AddGatewayEdge(this WebApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(GatewayOptions.Section);
        var options = section.Get<GatewayOptions>() ?? new GatewayOptions();
        builder.Services.Configure<GatewayOptions>(section);
        builder.Services.Configure<EncryptionSessionOptions>(section.GetSection(nameof(GatewayOptions.Encryption)));
        builder.Services.AddSingleton(TimeProvider.System);

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBodyBytes);

        builder.Services.Configure<ForwardedHeadersOptions>(forwarded =>
        {
            forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor;
            // The framework trusts loopback by default; the contract trusts nobody unless configured.
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            // An address, or a range (CIDR) for proxies whose addresses change, such as a Kubernetes ingress controller's pods.
            foreach (var proxy in options.TrustedProxies)
            {
                if (proxy.Contains('/', StringComparison.Ordinal))
                {
                    forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(proxy));
                }
                else
                {
                    forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
                }
            }
        });

        builder.Services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .WithOrigins(options.CorsOrigins)
            .AllowAnyMethod()
            .AllowAnyHeader()
            .WithExposedHeaders("Location", "ETag", "Retry-After", "RateLimit", "RateLimit-Policy")));

        builder.Services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.Providers.Add<BrotliCompressionProvider>();
            compression.Providers.Add<GzipCompressionProvider>();
            // application/jose is deliberately absent: ciphertext does not compress, and compressing it would leak length.
            compression.MimeTypes = [.. ResponseCompressionDefaults.MimeTypes, "application/problem+json"];
        });

        builder.AddJwtValidation();
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, jwt =>
            jwt.Events.OnMessageReceived = context =>
            {
                if (context.Request.Path == "/ws" && context.Request.Query["access_token"].ToString() is { Length: > 0 } token)
                {
                    context.Token = token;
                }
                return Task.CompletedTask;
            });
        builder.Services.AddAuthorizationBuilder().AddPolicy(WebSocketPolicy, policy => policy.RequireAssertion(context =>
            context.Resource is not HttpContext http || !http.Request.Query.ContainsKey("access_token") ||
            context.User.Identity?.IsAuthenticated == true));

        builder.Services.AddEdgeRateLimiting();
        builder.Services.AddSingleton<EncryptionMetrics>();
        builder.Services.AddSingleton<SessionStore>();
        builder.Services.AddSingleton<ISessionKeyStore>(services => services.GetRequiredService<SessionStore>());
        builder.Services.AddSingleton<CreateSession>();
        return builder;
    }

    public static WebApplication UseGatewayEdge(this WebApplication app)
    {
        // With no known proxies at all the middleware would believe every X-Forwarded-For, so it runs only when
        // some are configured; then only their headers count.
        if (app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GatewayOptions>>().Value.TrustedProxies.Length > 0)
        {
            app.UseForwardedHeaders();
        }
        app.UseCors(CorsPolicy);
        app.UseResponseCompression();
        app.UseAuthentication();
        // Before authorization, so a request refused with 401 still counts against its IP.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseWebSockets();
        app.UseMiddleware<RequestBodyMiddleware>();
        app.UseMiddleware<PayloadEncryptionMiddleware>();
        // Inside the encryption layer, so that an encrypted client's 503 is encrypted like any other answer.
        app.UseMiddleware<ForwarderErrorMiddleware>();
        return app;
    }
}
