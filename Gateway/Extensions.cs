using Gateway.Endpoints;
using Gateway.Infrastructure;
using Gateway.Infrastructure.Documentation;
using Gateway.Infrastructure.Edge;

namespace Gateway;

/// <summary>How the gateway is composed: everything Program.cs registers, in one place.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        // Redis is shared state the gateway can work around (see README), so its check reports Degraded, not Unhealthy.
        builder.AddRedis("rate limits fall back to per-replica memory and encryption sessions are refused; routing goes on.");
        builder.AddGatewayEdge();
        builder.AddClientDocumentation();
        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
            .AddServiceDiscoveryDestinationResolver()
            .AddProxyDeadline();
        return builder;
    }

    /// <summary>The middleware and endpoints, in pipeline order.</summary>
    public static WebApplication UseApplication(this WebApplication app)
    {
        // Routing first: the request deadline (in UseServiceDefaults) reads each YARP route's timeout policy
        // (the WebSocket route disables it).
        app.UseRouting();
        app.UseServiceDefaults();
        app.UseGatewayEdge();
        app.MapDefaultEndpoints();
        app.MapSessionEndpoints();
        app.MapClientDocumentation();
        app.MapReverseProxy();
        return app;
    }
}
