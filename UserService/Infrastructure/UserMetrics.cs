using System.Diagnostics.Metrics;

namespace UserService.Infrastructure;

/// <summary>
/// Contract §6 for profiles, on the service's meter (named after it, exported by ServiceDefaults): profile cache
/// lookups by result (hit ratio = hit / all; <c>unavailable</c> means Redis did not answer and the database served),
/// and change events published on the realtime backplane (<c>deferred</c>: Redis refused, retried in the background).
/// </summary>
public sealed class UserMetrics
{
    public const string CacheResultAttribute = "users.cache.result";
    public const string EventOutcomeAttribute = "users.event.outcome";

    private readonly Counter<long> _cacheLookups;
    private readonly Counter<long> _eventsPublished;

    public UserMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(typeof(UserMetrics).Assembly.GetName().Name!);
        _cacheLookups = meter.CreateCounter<long>("users.profile.cache.lookups", "{lookup}", "Profile reads from the Redis cache, by result.");
        _eventsPublished = meter.CreateCounter<long>("users.events.published", "{event}", "Profile change events sent to the realtime backplane, by outcome.");
    }

    public void CacheHit() => _cacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultAttribute, "hit"));

    public void CacheMiss() => _cacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultAttribute, "miss"));

    public void CacheUnavailable() => _cacheLookups.Add(1, new KeyValuePair<string, object?>(CacheResultAttribute, "unavailable"));

    public void EventPublished() => _eventsPublished.Add(1, new KeyValuePair<string, object?>(EventOutcomeAttribute, "published"));

    public void EventDeferred() => _eventsPublished.Add(1, new KeyValuePair<string, object?>(EventOutcomeAttribute, "deferred"));
}
