using Microsoft.Extensions.Hosting;

namespace UnitTests.Support;

/// <summary>A revocation list with nothing revoked (the real one reads Redis), for tests about something else.</summary>
public sealed class NothingRevoked : ISessionRevocationList
{
    public event Action<string>? SessionRevoked { add { } remove { } }

    public Task RevokeAsync(string sessionId, TimeSpan keepFor) => Task.CompletedTask;

    public bool IsRevoked(string sessionId) => false;
}
