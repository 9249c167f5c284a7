using Aspire.Hosting.ApplicationModel;

namespace AppHost;

/// <summary>
/// In publish mode (<c>--publisher manifest</c>) the manifest describes the system as a cluster runs it
/// (<c>deploy/kubernetes/</c>): every service listens on plain HTTP on one container port, TLS ends at the ingress,
/// so the HTTPS endpoints a development launch profile brings are dropped; backing services and secrets are
/// parameters (<c>Infrastructure/Backing.cs</c>, <see cref="IdentitySigningKey"/>, <see cref="GatewayReplicasExtensions"/>).
/// </summary>
public static class ClusterManifest
{
    /// <summary>The port every service's container listens on (the .NET images' default, <c>ASPNETCORE_HTTP_PORTS</c>).</summary>
    public const int ContainerPort = 8080;

    public static void DescribeForCluster(this IDistributedApplicationBuilder builder)
    {
        if (!builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            foreach (var endpoint in project.Annotations.OfType<EndpointAnnotation>().ToList())
            {
                if (endpoint.UriScheme == "https")
                {
                    project.Annotations.Remove(endpoint);
                }
                else
                {
                    endpoint.TargetPort = ContainerPort;
                }
            }
        }
    }

    /// <summary>The token issuer: the public address of the gateway, which only a deployment knows.</summary>
    public static TokenSettings TokenSettings(this IDistributedApplicationBuilder builder, int gatewayPort, string audience) =>
        builder.ExecutionContext.IsPublishMode
            ? new TokenSettings(ReferenceExpression.Create($"{builder.AddParameter("jwt-issuer").Resource}"), audience)
            : new TokenSettings(ReferenceExpression.Create($"{$"http://localhost:{gatewayPort}"}"), audience);
}
