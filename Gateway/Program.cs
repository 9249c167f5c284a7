using Gateway.Endpoints;
using Gateway.Infrastructure;
using Gateway.Infrastructure.Documentation;
using Gateway.Infrastructure.Edge;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Redis is shared state the gateway can work around (see README), so its own check reports Degraded, not Unhealthy.
builder.AddRedisClient("redis", settings => settings.DisableHealthChecks = true);
builder.Services.AddHealthChecks().AddDegradableRedisCheck("rate limits fall back to per-replica memory and encryption sessions are refused; routing goes on.");
builder.AddGatewayEdge();
builder.AddClientDocumentation();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.UseServiceDefaults();
app.UseGatewayEdge();
app.MapDefaultEndpoints();
app.MapSessionEndpoints();
app.MapClientDocumentation();
app.MapReverseProxy();

app.Run();

/// <summary>Visible to the tests that start the gateway in process.</summary>
public partial class Program;
