using System.Reflection;
using ServiceDefaults.Input;
using ServiceDefaults.Text;
using ValidDisplayName = ServiceDefaults.Text.DisplayName;

namespace IdentityService.Endpoints;

/// <summary>
/// The bodies of contract §2, bound by the shared input layer: a handler receives only a record whose fields
/// passed the shared text rules (the same ones the user service applies to the profile).
/// </summary>
public sealed record RegisterRequest(string Email, string Password, string DisplayName) : IBindableFromHttpContext<RegisterRequest>
{
    public static ValueTask<RegisterRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        JsonObjectBody.BindAsync(context, body =>
        {
            var email = body.RequiredString("email");
            var password = body.RequiredString("password");
            var displayName = body.RequiredString("displayName");
            body.AddErrorUnlessRefused("email", TextRules.EmailProblem(email));
            body.AddErrorUnlessRefused("password", TextRules.PasswordProblem(password));
            var name = ValidDisplayName.TryCreate(displayName, out var problem);
            body.AddErrorUnlessRefused("displayName", problem);
            return new RegisterRequest(TextRules.NormalizeEmail(email), password, name?.Value ?? "");
        });
}

public sealed record LoginRequest(string Email, string Password) : IBindableFromHttpContext<LoginRequest>
{
    public static ValueTask<LoginRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        JsonObjectBody.BindAsync(context, body => new LoginRequest(body.RequiredString("email"), body.RequiredString("password")));
}

/// <summary>The body of <c>/refresh</c> and <c>/logout</c>.</summary>
public sealed record RefreshTokenRequest(string RefreshToken) : IBindableFromHttpContext<RefreshTokenRequest>
{
    public static ValueTask<RefreshTokenRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        JsonObjectBody.BindAsync(context, body =>
        {
            var token = body.RequiredString("refreshToken");
            if (token.Length == 0 && body.IsValid)
            {
                body.AddError("refreshToken", "must not be empty");
            }
            return new RefreshTokenRequest(token);
        });
}
