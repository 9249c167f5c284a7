using Gateway.Endpoints;
using Gateway.Infrastructure.Edge;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");
builder.AddGatewayEdge();
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"))
    .AddServiceDiscoveryDestinationResolver();

var app = builder.Build();

app.UseServiceDefaults();
app.UseGatewayEdge();
app.MapDefaultEndpoints();
app.MapSessionEndpoints();
app.MapReverseProxy();

app.Run();

/// <summary>Visible to the tests that start the gateway in process.</summary>
public partial class Program;
