namespace UserService.Endpoints;

/// <summary>
/// The wire shape of a <c>PATCH /api/users/me</c> body, for the OpenAPI document only: every field optional (merge
/// patch — left out stays, <c>null</c> clears <c>bio</c>/<c>avatarUrl</c>). <see cref="PatchProfileRequest"/> binds
/// and checks the real body.
/// </summary>
/// <param name="DisplayName">1–64 characters after trimming.</param>
/// <param name="Bio">At most 280 characters, or null; the one field that may hold line feeds and tabs.</param>
/// <param name="AvatarUrl">An absolute https URL, or null.</param>
public sealed record ProfilePatchBody(string? DisplayName, string? Bio, string? AvatarUrl);
