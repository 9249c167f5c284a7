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
var tokens = new TokenSettings(Issuer: $"http://localhost:{gatewayPort}", Audience: "distributed-api");

var identity = builder.AddProject<Projects.IdentityService>(ResourceNames.IdentityService)
    .WithReference(backing.IdentityDatabase).WaitFor(backing.IdentityDatabase)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithTokenSettings(tokens)
    .WithIdentitySigningKey(builder)
    .WithReplicas(replicas.GetValue("IdentityService", 1))
    .WithHttpHealthCheck("/health");

var users = builder.AddProject<Projects.UserService>(ResourceNames.UserService)
    .WithReference(backing.UsersDatabase).WaitFor(backing.UsersDatabase)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithReplicas(replicas.GetValue("UserService", 1))
    .WithReference(identity) // JWKS for token validation; fetched lazily, so no WaitFor
    .WithTokenSettings(tokens)
    .WithHttpHealthCheck("/health");

// Service discovery for the profile outbox; no WaitFor: registration must work while UserService is down.
identity.WithReference(users);

var realtime = builder.AddProject<Projects.RealtimeService>(ResourceNames.RealtimeService)
    .WithReference(backing.Redis).WaitFor(backing.Redis)
    .WithReplicas(replicas.GetValue("RealtimeService", 1))
    .WithTokenSettings(tokens)
    .WithHttpHealthCheck("/health");

// The gateway replicas share the master key that seals encryption-session keys in Redis; it is generated once and
// kept in the state folder, outside the repository. Settings under Gateway:Settings pass through to every replica.
var gatewayMasterKey = builder.AddParameter(ResourceNames.GatewayMasterKey, StateDirectory.Resolve(builder.Configuration, builder.AppHostDirectory)
    .GetOrCreateSecret(ResourceNames.GatewayMasterKey, () => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))), secret: true);
var gatewaySettings = builder.Configuration.GetSection("Gateway:Settings").AsEnumerable(makePathsRelative: true)
    .Where(setting => setting.Value is not null).ToList();
for (var replica = 0; replica < replicas.GetValue("Gateway", 1); replica++)
{
    var port = gatewayPort + replica;
    var gateway = builder.AddProject<Projects.Gateway>(ResourceNames.GatewayReplica(replica))
        .WithEndpoint("http", endpoint =>
        {
            endpoint.Port = port;
            endpoint.TargetPort = port;
            endpoint.IsProxied = false;
        })
        .WithExternalHttpEndpoints()
        .WithReference(backing.Redis).WaitFor(backing.Redis)
        .WithReference(identity).WaitFor(identity)
        .WithReference(users).WaitFor(users)
        .WithReference(realtime).WaitFor(realtime)
        .WithTokenSettings(tokens)
        .WithEnvironment("Gateway__Encryption__MasterKey", gatewayMasterKey)
        .WithHttpHealthCheck("/health");
    foreach (var (key, value) in gatewaySettings)
    {
        gateway.WithEnvironment($"Gateway__{key.Replace(":", "__", StringComparison.Ordinal)}", value);
    }
}

builder.Build().Run();
return 0;
