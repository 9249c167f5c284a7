using AppHost;
using AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

IDistributedApplicationBuilder builder;
BackingServices backing;
try
{
    builder = DistributedApplication.CreateBuilder(args);
    backing = builder.AddBackingServices();
}
catch (InfrastructureUnavailableException e) when (!AppDomain.CurrentDomain.GetAssemblies().Any(a => a.GetName().Name == "Aspire.Hosting.Testing"))
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}

var replicas = builder.Configuration.GetSection("Replicas");
var gatewayPort = builder.Configuration.GetValue("Gateway:Port", 8080);
var tokens = builder.TokenSettings(gatewayPort, audience: "distributed-api");

var identity = builder.AddProject<Projects.IdentityService>(ResourceNames.IdentityService)
    .WithReference(backing.IdentityDatabase).WaitFor(backing.IdentityDatabase)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithTokenSettings(tokens)
    .WithIdentitySigningKey(builder)
    .WithRequestDeadline(builder.Configuration)
    .WithReplicas(replicas.GetValue("IdentityService", 1))
    .WithHttpHealthCheck("/health");

var users = builder.AddProject<Projects.UserService>(ResourceNames.UserService)
    .WithReference(backing.UsersDatabase).WaitFor(backing.UsersDatabase)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithReplicas(replicas.GetValue("UserService", 1))
    .WithRequestDeadline(builder.Configuration)
    .WithReference(identity) // JWKS for token validation; fetched lazily, so no WaitFor
    .WithTokenSettings(tokens)
    .WithHttpHealthCheck("/health");

// Service discovery for the profile outbox; no WaitFor: registration must work while UserService is down.
identity.WithReference(users);

var realtime = builder.AddProject<Projects.RealtimeService>(ResourceNames.RealtimeService)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithReplicas(replicas.GetValue("RealtimeService", 1))
    .WithReference(identity) // JWKS for token validation; fetched lazily, so no WaitFor
    .WithSettingsFrom(builder.Configuration.GetSection("Realtime"), "Realtime")
    .WithRequestDeadline(builder.Configuration)
    .WithTokenSettings(tokens)
    .WithHttpHealthCheck("/health");

builder.AddGatewayReplicas(gatewayPort, replicas.GetValue("Gateway", 1), tokens, backing.Redis, identity, users, realtime);

builder.WithTelemetryExportOverride();

builder.DescribeForCluster();

builder.Build().Run();
return 0;
