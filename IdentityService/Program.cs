using IdentityService.Endpoints;
using IdentityService.Infrastructure;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddIdentityServices();
builder.Services.AddContractOpenApi("Identity");

var app = builder.Build();

app.UseServiceDefaults();
app.UseAuthentication();
app.UseAuthorization();
app.MapDefaultEndpoints();
app.MapWellKnownEndpoints();
app.MapAuthEndpoints();
app.MapContractOpenApi();

// Before listening: /health must never answer on an old schema.
await app.MigrateDatabaseAsync();
app.Run();
