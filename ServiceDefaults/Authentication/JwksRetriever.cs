using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Reads the identity service's JWK set straight from its internal address. The discovery document
/// names the public (gateway) URL, which services must not route their own traffic through.
/// A set that cannot be had is a <see cref="DependencyUnavailableException"/>: with no keys (none cached yet) no
/// token can be judged, and the request is answered 503, not 401 (<see cref="SessionAwareJwtBearerEvents"/>).
/// </summary>
internal sealed class JwksRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public const string HttpClientName = "jwks";
    public const string Dependency = "the identity service's signing keys";

    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        string json;
        try
        {
            json = await retriever.GetDocumentAsync(address, cancel);
        }
        catch (Exception e) when (!cancel.IsCancellationRequested)
        {
            throw new DependencyUnavailableException(Dependency, e);
        }
        var configuration = new OpenIdConnectConfiguration { JwksUri = address };
        foreach (var key in new JsonWebKeySet(json).GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }
        return configuration;
    }
}
