using RealtimeService.Application;
using RealtimeService.Endpoints;
using RealtimeService.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddJwtValidation();
// Hosting's "Request starting" lines carry the query string, where a WebSocket token may be: never below Warning.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);

builder.Services.AddOptions<RealtimeOptions>().BindConfiguration(RealtimeOptions.Section);
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
builder.Services.AddSingleton<GracefulShutdown>();
builder.Services.AddHostedService(services => services.GetRequiredService<GracefulShutdown>());

var app = builder.Build();

app.UseServiceDefaults();
app.UseWebSockets();
app.MapDefaultEndpoints();
app.MapWebSocketEndpoints();
app.MapNotifyEndpoints();

app.Run();
