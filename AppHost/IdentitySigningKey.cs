using System.Security.Cryptography;
using AppHost.Infrastructure;

namespace AppHost;

/// <summary>
/// The identity service's ES256 signing key. When running, the AppHost makes a P-256 key on first use and
/// keeps it in the state directory (outside the repository), so tokens stay valid across restarts; when
/// publishing, the key is a secret parameter the deployment must supply. The identity service itself
/// refuses to start outside Development without one.
/// </summary>
public static class IdentitySigningKey
{
    private const string SecretFile = "identity-signing-key.pem";

    public static IResourceBuilder<ProjectResource> WithIdentitySigningKey(
        this IResourceBuilder<ProjectResource> identity, IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            var pem = builder.AddParameter("identity-signing-key-pem", secret: true);
            var kid = builder.AddParameter("identity-signing-key-id");
            return identity
                .WithEnvironment("Jwt__SigningKeys__0__Kid", kid)
                .WithEnvironment("Jwt__SigningKeys__0__Pem", pem);
        }

        var state = StateDirectory.Resolve(builder.Configuration, builder.AppHostDirectory);
        var privateKeyPem = state.GetOrCreateSecret(SecretFile, () =>
        {
            using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            return key.ExportPkcs8PrivateKeyPem();
        });
        // A secret parameter, not a plain value, so that the dashboard masks the key in the resource's environment.
        var secretPem = builder.AddParameter("identity-signing-key-pem", privateKeyPem, secret: true);
        return identity
            .WithEnvironment("Jwt__SigningKeys__0__Kid", KeyId(privateKeyPem))
            .WithEnvironment("Jwt__SigningKeys__0__Pem", secretPem);
    }

    /// <summary>A stable id derived from the public key, so the kid changes exactly when the key does.</summary>
    private static string KeyId(string privateKeyPem)
    {
        using var key = ECDsa.Create();
        key.ImportFromPem(privateKeyPem);
        return "dev-" + Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
    }
}
