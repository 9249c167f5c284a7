using IdentityService.Endpoints;
using IdentityService.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDbContext<IdentityDbContext>("identitydb");
builder.AddRedisClient("redis");

var app = builder.Build();

app.UseServiceDefaults();
app.MapDefaultEndpoints();
app.MapWellKnownEndpoints();

app.Run();
