using System.Reflection;
using System.Text.Json;
using ServiceDefaults.Input;
using ServiceDefaults.Text;
using UserService.Domain;

namespace UserService.Endpoints;

/// <summary>
/// A <c>PATCH /api/users/me</c> body with merge-patch meaning: a field left out stays as it is, a field set to
/// null is cleared (bio, avatarUrl). The profile's read-only fields and unknown fields are rejected by name
/// rather than silently ignored, so that a client never believes it changed them. Bound by the shared input
/// layer, checked by the shared text rules (the same registration applies).
/// </summary>
public sealed record PatchProfileRequest(ProfilePatch Patch) : IBindableFromHttpContext<PatchProfileRequest>
{
    private static readonly HashSet<string> ReadOnlyFields = ["id", "email", "createdAt", "updatedAt"];

    public static ValueTask<PatchProfileRequest?> BindAsync(HttpContext context, ParameterInfo parameter) =>
        JsonObjectBody.BindAsync(context, body => new PatchProfileRequest(Parse(body)));

    private static ProfilePatch Parse(JsonObjectBody body)
    {
        var displayName = Optional<string>.Unset;
        var bio = Optional<string>.Unset;
        var avatarUrl = Optional<string>.Unset;
        foreach (var property in body.Properties)
        {
            switch (property.Name)
            {
                case "displayName":
                    var raw = body.StringValue("displayName", property.Value);
                    var name = DisplayName.TryCreate(raw, out var problem);
                    body.AddErrorUnlessRefused("displayName", problem);
                    displayName = Optional<string>.Of(name?.Value);
                    break;
                case "bio":
                    bio = NullableString(body, property, multiLine: true);
                    body.AddErrorUnlessRefused("bio", TextRules.BioProblem(bio.Value));
                    break;
                case "avatarUrl":
                    avatarUrl = NullableString(body, property, multiLine: false);
                    body.AddErrorUnlessRefused("avatarUrl", TextRules.AvatarUrlProblem(avatarUrl.Value));
                    break;
                default:
                    body.AddError(property.Name, ReadOnlyFields.Contains(property.Name) ? "is read-only" : "is not a profile field");
                    break;
            }
        }
        return new ProfilePatch(displayName, bio, avatarUrl);
    }

    private static Optional<string> NullableString(JsonObjectBody body, JsonProperty property, bool multiLine)
    {
        if (property.Value.ValueKind == JsonValueKind.Null)
        {
            return Optional<string>.Of(null);
        }
        if (property.Value.ValueKind != JsonValueKind.String)
        {
            body.AddError(property.Name, "must be a string or null");
            return Optional<string>.Unset;
        }
        return Optional<string>.Of(body.StringValue(property.Name, property.Value, multiLine));
    }
}
