namespace UserService.Domain;

/// <summary>A value a patch may or may not name; "named with null" differs from "not named".</summary>
public readonly record struct Optional<T>(bool IsSet, T? Value)
{
    public static Optional<T> Unset => default;

    public static Optional<T> Of(T? value) => new(true, value);
}

/// <summary>The already validated changes of one <c>PATCH /api/users/me</c>.</summary>
public sealed record ProfilePatch(Optional<string> DisplayName, Optional<string> Bio, Optional<string> AvatarUrl)
{
    public bool IsEmpty => !DisplayName.IsSet && !Bio.IsSet && !AvatarUrl.IsSet;
}
