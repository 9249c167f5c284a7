namespace IdentityService.Endpoints;

// The wire shapes of the contract §2 request bodies, named in the OpenAPI document (the endpoints read and check
// the real bodies themselves; contract §1 decides their 400/415/422 answers).

/// <param name="Email">Trimmed, compared case-insensitively; unique.</param>
/// <param name="Password">8–128 characters (Unicode code points).</param>
/// <param name="DisplayName">1–64 characters after trimming.</param>
public sealed record RegisterBody(string Email, string Password, string DisplayName);

public sealed record LoginBody(string Email, string Password);

/// <summary>The body of <c>/refresh</c> and <c>/logout</c>.</summary>
public sealed record RefreshTokenBody(string RefreshToken);
