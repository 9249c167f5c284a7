var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddRedisClient("redis");

var app = builder.Build();

app.UseServiceDefaults();
app.UseWebSockets();
app.MapDefaultEndpoints();

app.Run();
