namespace UserService.Infrastructure;

/// <summary>Configuration section <c>Cache</c>.</summary>
public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>How long a profile stays in Redis under <c>user:{id}</c>.</summary>
    public TimeSpan ProfileTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long a list/search page stays cached; zero turns list caching off. At most 30 s (contract §3).</summary>
    public TimeSpan ListTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest any request waits on Redis. Past it the request carries on from PostgreSQL: a dead or
    /// slow cache costs at most this much, never a failure.
    /// </summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// The longest a PATCH waits for Redis to replace its profile's entry. Past it the PATCH answers 503 (its row is
    /// saved; the entry is replaced in the background): longer than <see cref="OperationTimeout"/>, because giving up
    /// here costs the client a retry rather than a PostgreSQL read. The client's own command timeout (500 ms) still applies.
    /// </summary>
    public TimeSpan ReplaceTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
