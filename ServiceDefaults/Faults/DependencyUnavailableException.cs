namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A dependency (PostgreSQL, Redis, another service) that is down, does not answer in time, or whose circuit
/// breaker is open, so that nothing can be served: the request is answered 503 with <c>Retry-After</c>
/// (<see cref="DependencyFailureExceptionHandler"/>). <see cref="Dependency"/> names it for the log, never for the client.
/// </summary>
public sealed class DependencyUnavailableException(string dependency, Exception? cause = null)
    : Exception($"{dependency} is unavailable.", cause)
{
    public string Dependency { get; } = dependency;
}
