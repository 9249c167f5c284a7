using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using k8s;
using k8s.Models;
using Tests.Shared;

namespace UnitTests.Deployment;

public sealed partial class KustomizeManifestTests
{
    /// <summary>
    /// The AppHost's manifest and the production overlay's rendering, made once for the class. The rendering needs
    /// kubectl: a test that reads <see cref="Objects"/> is skipped where it is missing (<see cref="RequiredTool"/>).
    /// </summary>
    public sealed partial class Rendering
    {
        public static readonly Lazy<Rendering> Shared = new(() => new Rendering());

        public static string RepositoryRoot { get; } = FindRepositoryRoot();

        public Rendering()
        {
            var manifestPath = Path.Combine(Path.GetTempPath(), $"apphost-manifest-{Guid.NewGuid():N}.json");
            try
            {
                // The AppHost is built with this project (a ProjectReference), in the same configuration.
                Run("dotnet", RepositoryRoot, "run", "--project", "AppHost", "--no-build", "-c", Configuration,
                    "--", "--publisher", "manifest", "--output-path", manifestPath);
                using var manifest = JsonDocument.Parse(File.ReadAllText(manifestPath));
                ManifestResources = [.. manifest.RootElement.GetProperty("resources").EnumerateObject().Select(ManifestResource.From)];
            }
            finally
            {
                File.Delete(manifestPath);
            }

        }

        public IReadOnlyList<ManifestResource> ManifestResources { get; }

        public IEnumerable<ManifestResource> Projects => ManifestResources.Where(resource => resource.Type == "project.v0");

        public IReadOnlyList<object> Objects => _objects.Value;

        private readonly Lazy<IReadOnlyList<object>> _objects = new(() =>
        {
            var yaml = Run(RequiredTool.Kubectl.Path(), RepositoryRoot, "kustomize", "deploy/kubernetes/overlays/production");
            // strict: an unknown or misspelt field, or a value of the wrong type, throws instead of being dropped.
            return KubernetesYaml.LoadAllFromString(yaml, strict: true);
        });

        /// <summary>Why <paramref name="rendered"/> does not mean what the manifest's <paramref name="value"/> means, or null when it does.</summary>
        public string? Mismatch(string name, string value, V1EnvVar rendered)
        {
            if (!value.Contains('{', StringComparison.Ordinal))
            {
                var renderedValue = rendered.Value ?? ConfigMapValue(rendered.ValueFrom?.ConfigMapKeyRef);
                return renderedValue == value ? null : $"the manifest says '{value}', deploy/kubernetes '{renderedValue}'";
            }

            var match = Placeholder().Match(value);
            if (!match.Success)
            {
                return $"the test does not know the manifest expression '{value}'";
            }
            var resource = ManifestResources.Single(r => r.Name == match.Groups["resource"].Value);
            return match.Groups["property"].Value switch
            {
                "bindings.http.targetPort" => rendered.Value == resource.HttpTargetPort
                    ? null : $"the container port is {resource.HttpTargetPort} in the manifest, '{rendered.Value}' here",
                "bindings.http.url" => rendered.Value == $"http://{resource.Name}" && HasHttpService(resource.Name)
                    ? null : $"should be http://{resource.Name}, the Service of that name on port 80, not '{rendered.Value}'",
                "connectionString" or "value" when resource.IsSecret => rendered.ValueFrom?.SecretKeyRef is { Key: var key } && key == name
                    ? null : $"{value} is a secret: it must come from a Secret key named {name}",
                "value" => rendered.ValueFrom?.ConfigMapKeyRef is { } reference && ConfigMapHas(reference.Name, reference.Key)
                    ? null : $"{value} must come from a ConfigMap key that the rendering holds",
                var other => $"the test does not know the manifest property '{other}'",
            };
        }

        private bool HasHttpService(string name) => Objects.OfType<V1Service>()
            .Any(service => service.Metadata.Name == name && service.Spec.Ports.Any(port => port.Port == 80 && port.Name == "http"));

        private bool ConfigMapHas(string name, string key) => ConfigMapValue(new V1ConfigMapKeySelector { Name = name, Key = key }) is not null;

        private string? ConfigMapValue(V1ConfigMapKeySelector? reference) => reference is null ? null : Objects.OfType<V1ConfigMap>()
            .Where(map => map.Metadata.Name == reference.Name)
            .Select(map => map.Data is { } data && data.TryGetValue(reference.Key, out var value) ? value : null)
            .FirstOrDefault();

        [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.(?<property>[A-Za-z.]+)\}$")]
        private static partial Regex Placeholder();

        private static string Configuration =>
            typeof(Rendering).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

        private static string Run(string command, string workingDirectory, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(command, arguments)
            {
                WorkingDirectory = workingDirectory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            }) ?? throw new InvalidOperationException($"could not start {command}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{command} {string.Join(' ', arguments)} exited {process.ExitCode}: {error.Result}{output.Result}");
            }
            return output.Result;
        }

        private static string FindRepositoryRoot()
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Distributed.sln")))
                {
                    return dir.FullName;
                }
            }
            throw new InvalidOperationException("Distributed.sln not found above the test's folder");
        }
    }

    /// <summary>One resource of the AppHost's manifest, as far as the checks need it.</summary>
    public sealed record ManifestResource(string Name, string Type, bool IsSecret, string? HttpTargetPort, IReadOnlyDictionary<string, string> Environment)
    {
        public static ManifestResource From(JsonProperty resource)
        {
            var body = resource.Value;
            var type = body.GetProperty("type").GetString()!;
            // A parameter is secret when its input says so; a connection-string parameter (AddConnectionString) always is.
            var secret = type == "parameter.v0" && (body.TryGetProperty("connectionString", out _) ||
                body.GetProperty("inputs").EnumerateObject().Any(input => input.Value.TryGetProperty("secret", out var s) && s.GetBoolean()));
            var port = body.TryGetProperty("bindings", out var bindings) && bindings.TryGetProperty("http", out var http) && http.TryGetProperty("targetPort", out var target)
                ? target.GetRawText() : null;
            var environment = body.TryGetProperty("env", out var env)
                ? env.EnumerateObject().ToDictionary(variable => variable.Name, variable => variable.Value.GetString()!)
                : new Dictionary<string, string>();
            return new ManifestResource(resource.Name, type, secret, port, environment);
        }
    }
}
