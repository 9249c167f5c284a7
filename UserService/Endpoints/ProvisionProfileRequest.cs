using System.Reflection;
using ServiceDefaults.Input;
using ServiceDefaults.Text;
using UserService.Application;

namespace UserService.Endpoints;

/// <summary>
/// The body of <c>POST /internal/users</c> (internal contract 1), held to the same text rules as registration,
/// so a profile the identity service promised is never refused here.
/// </summary>
public sealed record ProvisionProfileRequest(ProvisionRequest Provision) : IBindableFromHttpContext<ProvisionProfileRequest>
{
    public static ValueTask<ProvisionProfileRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        JsonObjectBody.BindAsync(context, body =>
        {
            var userId = body.RequiredGuid("userId");
            var email = body.RequiredString("email");
            body.AddErrorUnlessRefused("email", TextRules.EmailProblem(email));
            var rawName = body.RequiredString("displayName");
            var name = DisplayName.TryCreate(rawName, out var problem);
            body.AddErrorUnlessRefused("displayName", problem);
            var createdAt = body.RequiredTimestamp("createdAt");
            return new ProvisionProfileRequest(new ProvisionRequest(userId, TextRules.NormalizeEmail(email), name?.Value ?? "", createdAt));
        });
}
