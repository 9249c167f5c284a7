using AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace AppHost;

public static class GatewayReplicasExtensions
{
    /// <summary>
    /// The gateway, the only public entry. Its replicas are separate resources (<c>gateway</c>, <c>gateway-2</c>, …),
    /// each binding <c>Gateway:Port</c>+i itself: DCP's proxy would hide every client's address behind 127.0.0.1, and
    /// per-IP rate limits need the real one. They share the master key that seals encryption-session keys in Redis;
    /// it is generated once and kept in the state folder, outside the repository. Values under
    /// <c>Gateway:Settings</c> pass through to every replica as <c>Gateway__*</c>.
    /// </summary>
    public static void AddGatewayReplicas(this IDistributedApplicationBuilder builder, int basePort, int replicas, TokenSettings tokens,
        IResourceBuilder<IResourceWithConnectionString> redis, params IResourceBuilder<ProjectResource>[] services)
    {
        // Publishing: a secret the deployment supplies (deploy/kubernetes: the distributed-secrets Secret).
        var masterKey = builder.ExecutionContext.IsPublishMode
            ? builder.AddParameter(ResourceNames.GatewayMasterKey, secret: true)
            : builder.AddParameter(ResourceNames.GatewayMasterKey, StateDirectory.Resolve(builder.Configuration, builder.AppHostDirectory)
                .GetOrCreateSecret(ResourceNames.GatewayMasterKey, () => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32))), secret: true);

        for (var replica = 0; replica < replicas; replica++)
        {
            var port = basePort + replica;
            var gateway = builder.AddProject<Projects.Gateway>(ResourceNames.GatewayReplica(replica))
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.Port = port;
                    endpoint.TargetPort = port;
                    endpoint.IsProxied = false;
                })
                .WithExternalHttpEndpoints()
                .WithReference(redis).WaitFor(redis)
                .WithTokenSettings(tokens)
                .WithEnvironment("Gateway__Encryption__MasterKey", masterKey)
                .WithSettingsFrom(builder.Configuration.GetSection("Gateway:Settings"), "Gateway")
                .WithRequestDeadline(builder.Configuration)
                .WithHttpHealthCheck("/health");
            foreach (var service in services)
            {
                gateway.WithReference(service).WaitFor(service);
            }
        }
    }
}
