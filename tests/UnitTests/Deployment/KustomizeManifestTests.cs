using k8s.Models;

namespace UnitTests.Deployment;

/// <summary>
/// deploy/kubernetes stays in step with the AppHost, checked offline: the AppHost writes its manifest
/// (<c>--publisher manifest</c>), <c>kubectl kustomize</c> renders the production overlay, and every project resource,
/// environment variable and reference the manifest names must be in the rendering — literal values equal, secrets
/// from a Secret, references to a Service that exists — and every rendered object must deserialize strictly (unknown
/// or misspelt fields fail) into KubernetesClient's typed models of the Kubernetes API. Without kubectl the
/// tests that need the rendering are skipped (failed under CI).
/// </summary>
public sealed partial class KustomizeManifestTests
{
    private readonly Rendering _rendering = Rendering.Shared.Value;

    public static TheoryData<string> ProjectResources => new(Rendering.Shared.Value.Projects.Select(project => project.Name));

    [Fact]
    public void TheManifestNamesEveryServiceAndOnlyParametersForBackingServices()
    {
        Assert.Equal(["gateway", "identityservice", "realtimeservice", "userservice"], _rendering.Projects.Select(p => p.Name).Order());
        // Publish mode describes no process of this machine: PostgreSQL and Redis are connection strings a cluster supplies.
        Assert.DoesNotContain(_rendering.ManifestResources, resource => resource.Type.StartsWith("executable", StringComparison.Ordinal));
    }

    [SkippableTheory]
    [MemberData(nameof(ProjectResources))]
    public void EveryProjectIsADeploymentWithAServiceProbesLimitsAndAReadOnlyNonRootContainer(string project)
    {
        var deployment = _rendering.Objects.OfType<V1Deployment>().SingleOrDefault(d => d.Metadata.Name == project);
        Assert.True(deployment is not null, $"no Deployment named {project}");
        Assert.Contains(_rendering.Objects.OfType<V1Service>(), service => service.Metadata.Name == project);

        var pod = deployment.Spec.Template.Spec;
        var container = Assert.Single(pod.Containers);
        Assert.Equal("/health", container.ReadinessProbe.HttpGet.Path);
        Assert.Equal("/alive", container.LivenessProbe.HttpGet.Path);
        Assert.NotNull(container.Resources.Requests);
        Assert.NotNull(container.Resources.Limits);
        Assert.True(pod.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        Assert.False(container.SecurityContext.AllowPrivilegeEscalation);
        Assert.Contains(container.VolumeMounts, mount => mount.MountPath == "/tmp");
    }

    [SkippableTheory]
    [MemberData(nameof(ProjectResources))]
    public void EveryVariableTheAppHostPassesIsSetWithTheSameMeaning(string project)
    {
        var manifest = _rendering.Projects.Single(p => p.Name == project);
        var container = _rendering.Objects.OfType<V1Deployment>().Single(d => d.Metadata.Name == project).Spec.Template.Spec.Containers.Single();

        foreach (var (name, value) in manifest.Environment)
        {
            var rendered = container.Env?.SingleOrDefault(variable => variable.Name == name);
            Assert.True(rendered is not null, $"{project}: {name} (manifest: {value}) is not set in deploy/kubernetes");
            var problem = _rendering.Mismatch(name, value, rendered);
            Assert.True(problem is null, $"{project}: {name}: {problem}");
        }
    }

    [SkippableFact]
    public void EveryRenderedObjectIsAKubernetesApiObject()
    {
        // The rendering deserialized strictly (Rendering's constructor); also no kind outside the built-in API.
        Assert.All(_rendering.Objects, entity => Assert.StartsWith("k8s.Models.", entity.GetType().FullName, StringComparison.Ordinal));
        Assert.Contains(_rendering.Objects, entity => entity is V1Ingress);
        Assert.Equal(["gateway", "realtimeservice", "userservice"],
            _rendering.Objects.OfType<V2HorizontalPodAutoscaler>().Select(hpa => hpa.Spec.ScaleTargetRef.Name).Order());
    }

    [SkippableFact]
    public void OnlyTheGatewayIsExposed()
    {
        Assert.All(_rendering.Objects.OfType<V1Service>(), service => Assert.Equal("ClusterIP", service.Spec.Type));
        var ingress = Assert.Single(_rendering.Objects.OfType<V1Ingress>());
        Assert.All(ingress.Spec.Rules.SelectMany(rule => rule.Http.Paths), path => Assert.Equal("gateway", path.Backend.Service.Name));
        Assert.NotEmpty(ingress.Spec.Tls);
    }

    [SkippableFact]
    public void ASecretKeyTheDeploymentsReadIsDocumentedAndNoSecretIsCommitted()
    {
        Assert.DoesNotContain(_rendering.Objects, entity => entity is V1Secret);
        var documented = File.ReadAllLines(Path.Combine(Rendering.RepositoryRoot, "deploy/kubernetes/overlays/production/secrets.env.example"))
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => line.Split('=', 2)[0])
            .ToHashSet();
        var read = _rendering.Objects.OfType<V1Deployment>()
            .SelectMany(d => d.Spec.Template.Spec.Containers.SelectMany(c => c.Env ?? []))
            .Where(variable => variable.ValueFrom?.SecretKeyRef is not null)
            .Select(variable => variable.ValueFrom.SecretKeyRef.Key);
        Assert.All(read, key => Assert.Contains(key, documented));
    }
}
