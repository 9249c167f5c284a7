using System.Text.Json;
using UserService.Domain;

namespace UserService.Endpoints;

/// <summary>
/// Reads a <c>PATCH /api/users/me</c> body with merge-patch meaning: a field left out stays as it is,
/// a field set to null is cleared (bio, avatarUrl). The profile's read-only fields and unknown fields are
/// rejected by name rather than silently ignored, so that a client never believes it changed them.
/// </summary>
public static class PatchRequestParser
{
    private static readonly HashSet<string> ReadOnlyFields = ["id", "email", "createdAt", "updatedAt"];

    public static ProfilePatch? Parse(JsonElement body, ValidationErrors errors)
    {
        var displayName = Optional<string>.Unset;
        var bio = Optional<string>.Unset;
        var avatarUrl = Optional<string>.Unset;
        foreach (var property in body.EnumerateObject())
        {
            switch (property.Name)
            {
                case "displayName":
                    if (property.Value.ValueKind != JsonValueKind.String)
                    {
                        errors.Add("displayName", "must be a string");
                        break;
                    }
                    errors.AddIf("displayName", ProfileRules.CheckDisplayName(property.Value.GetString(), out var normalized));
                    displayName = Optional<string>.Of(normalized);
                    break;
                case "bio":
                    if (ReadNullableString(property, errors) is { } bioValue)
                    {
                        errors.AddIf("bio", ProfileRules.CheckBio(bioValue.Value));
                        bio = bioValue;
                    }
                    break;
                case "avatarUrl":
                    if (ReadNullableString(property, errors) is { } urlValue)
                    {
                        errors.AddIf("avatarUrl", ProfileRules.CheckAvatarUrl(urlValue.Value));
                        avatarUrl = urlValue;
                    }
                    break;
                default:
                    errors.Add(property.Name, ReadOnlyFields.Contains(property.Name) ? "is read-only" : "is not a profile field");
                    break;
            }
        }
        return errors.Any ? null : new ProfilePatch(displayName, bio, avatarUrl);
    }

    private static Optional<string>? ReadNullableString(JsonProperty property, ValidationErrors errors)
    {
        switch (property.Value.ValueKind)
        {
            case JsonValueKind.Null:
                return Optional<string>.Of(null);
            case JsonValueKind.String:
                return Optional<string>.Of(property.Value.GetString());
            default:
                errors.Add(property.Name, "must be a string or null");
                return null;
        }
    }
}
