namespace AppHost;

/// <summary>The access-token issuer and audience that the identity service signs and every validator checks.</summary>
public sealed record TokenSettings(ReferenceExpression Issuer, string Audience);

public static class TokenSettingsExtensions
{
    public static IResourceBuilder<ProjectResource> WithTokenSettings(this IResourceBuilder<ProjectResource> project, TokenSettings tokens) =>
        project
            .WithEnvironment("Jwt__Issuer", tokens.Issuer)
            .WithEnvironment("Jwt__Audience", tokens.Audience);
}
