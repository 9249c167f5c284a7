using Microsoft.AspNetCore.Server.Kestrel.Transport.Sockets;
using RealtimeService.Application;
using RealtimeService.Endpoints;
using RealtimeService.Infrastructure;

namespace RealtimeService;

/// <summary>How the realtime service is composed: everything Program.cs registers, in one place.</summary>
public static class Extensions
{
    public static WebApplicationBuilder AddApplicationServices(this WebApplicationBuilder builder)
    {
        // Redis is the backplane: without it no event reaches anyone, so its check is Aspire's (Unhealthy).
        builder.AddRedis(withoutRedis: null);
        builder.AddJwtValidation();
        // Hosting's "Request starting" lines carry the query string, where a WebSocket token may be: never below Warning.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

        builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section);
        // A send the socket takes at once completes on the broadcasting thread instead of being handed to Kestrel's
        // I/O queue: a broadcast to 10 000 sockets no longer leaves a pooled 4 KiB block of unsent data on each, which
        // the block pool then kept (BENCHMARKS.md § Realtime). Safe here: nothing on this path blocks a thread.
        builder.Services.AddOptions<SocketTransportOptions>()
            .Configure(sockets => sockets.UnsafePreferInlineScheduling = true)
            .BindConfiguration("Realtime:Sockets");
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RealtimeMetrics>();
        builder.Services.AddSingleton<ConnectionRegistry>();
        builder.Services.AddSingleton<DeliverEvent>();
        builder.Services.AddSingleton<IConnectionOwnership, RedisConnectionOwnership>();
        builder.Services.AddSingleton<IEventPublisher, RedisEventPublisher>();
        builder.Services.AddHostedService<RedisBackplane>();
        builder.Services.AddSingleton<IAccessTokenValidator, AccessTokenValidator>();
        builder.Services.AddSingleton<WebSocketSession>();
        builder.Services.AddSingleton<NotifyUsers>();
        builder.Services.AddHostedService<KeepAliveMonitor>();
        builder.Services.AddRevokedSessionClosing();
        builder.Services.AddSingleton<GracefulShutdown>();
        builder.Services.AddHostedService(services => services.GetRequiredService<GracefulShutdown>());
        return builder;
    }

    /// <summary>The middleware and endpoints, in pipeline order.</summary>
    public static WebApplication UseApplication(this WebApplication app)
    {
        // /ws is answered by the routing middleware itself (WebSocketEndpoints): the WebSocket feature must be set
        // before routing, and authentication placed after it explicitly (left implicit, it would run first).
        app.UseWebSockets();
        app.UseRouting();
        app.UseServiceDefaults();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapDefaultEndpoints();
        app.MapWebSocketEndpoints();
        app.MapNotifyEndpoints();
        return app;
    }
}
