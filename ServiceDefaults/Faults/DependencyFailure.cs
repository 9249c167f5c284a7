using System.Data.Common;
using Polly.CircuitBreaker;
using Polly.Timeout;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Which exceptions mean "a dependency is unavailable" (→ 503 + <c>Retry-After</c>, contract §1) rather than a
/// bug (→ 500). The exception and its inner exceptions are looked at, since EF Core, Npgsql and the HttpClient
/// resilience handler wrap the cause.
/// </summary>
public static class DependencyFailure
{
    /// <summary>What <c>Retry-After</c> says on every 503 for an unavailable dependency: about one breaker break.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(2);

    public static string RetryAfterHeaderValue => ((int)Math.Ceiling(RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The unavailable dependency's name, or null when <paramref name="exception"/> says nothing of the kind.</summary>
    public static string? UnavailableDependency(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case DependencyUnavailableException named:
                    return named.Dependency;
                case RedisConnectionException or RedisTimeoutException:
                    return "Redis";
                case DbException { IsTransient: true }:
                    return "the database";
                case BrokenCircuitException:
                    return "a dependency behind an open circuit breaker";
                case TimeoutException or TimeoutRejectedException:
                    return "a dependency that did not answer in time";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return "another service";
            }
        }
        return null;
    }

    /// <summary>True when <paramref name="exception"/> means the dependency is unavailable (a breaker counts it as a failure).</summary>
    public static bool IsUnavailable(Exception exception) => exception is not OperationCanceledException && UnavailableDependency(exception) is not null;
}
