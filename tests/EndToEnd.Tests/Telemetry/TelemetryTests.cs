using System.Text;
using AppHost;

namespace EndToEnd.Tests.Telemetry;

/// <summary>
/// Reads what the services really export over OTLP (contract §6): one trace from the gateway to the WebSocket send,
/// the metrics an SRE reads, quiet when idle, and no secret anywhere.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryFixture fixture)
{
    private const int SpanKindServer = 2;
    private const int SpanKindProducer = 4;
    private const int SpanKindConsumer = 5;

    /// <summary>
    /// How long "idle" is watched: <c>TELEMETRY_IDLE_SECONDS</c>, 30 s by default to keep the suite short (the
    /// outbox poll that this guards against used to trace every second).
    /// </summary>
    private static readonly TimeSpan IdleWindow = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("TELEMETRY_IDLE_SECONDS"), out var seconds) ? seconds : 30);

    /// <summary>Several export intervals: what was recorded before has arrived after this.</summary>
    private static readonly TimeSpan ExportLag = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task ProfileChangeIsOneTraceFromGatewayToWebSocketSend()
    {
        await fixture.Scenario; // it changed the profile once, with a socket of that user open that received the update

        IReadOnlyList<ReceivedSpan> trace = [];
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!trace.Any(span => span.Span.Name == "realtime send") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            var patch = fixture.Receiver.Spans.SingleOrDefault(span => span.Service == ResourceNames.Gateway
                && span.Span.Kind == SpanKindServer && span.Span.Name.StartsWith("PATCH", StringComparison.Ordinal)
                && span.Attribute("url.path") == "/api/users/me");
            trace = patch is null ? [] : fixture.Receiver.Spans.Where(span => span.TraceId == patch.TraceId).ToList();
        }
        var description = string.Join("\n", trace.Select(span => $"{span} ({span.SpanId} <- {span.ParentSpanId})"));
        Assert.True(trace.Any(span => span.Span.Name == "realtime send"), "the trace did not reach the WebSocket send:\n" + description
            + "\nall gateway server spans: " + string.Join(", ", fixture.Receiver.Spans.Where(span => span.Service == ResourceNames.Gateway && span.Span.Kind == SpanKindServer).Select(span => span.Span.Name + " " + span.Attribute("url.path"))));

        // One tree: a single root (the gateway's server span), every other span's parent in the same trace.
        var root = Assert.Single(trace, span => span.Span.ParentSpanId.IsEmpty);
        Assert.Equal(ResourceNames.Gateway, root.Service);
        var ids = trace.Select(span => span.SpanId).ToHashSet();
        Assert.All(trace.Where(span => span != root), span => Assert.Contains(span.ParentSpanId, ids));

        Assert.True(trace.Any(span => span.Service == ResourceNames.UserService && span.Span.Kind == SpanKindServer), description);
        Assert.True(trace.Any(span => span.Service == ResourceNames.UserService && IsDatabase(span, "postgresql")), description);
        Assert.True(trace.Any(span => span.Service == ResourceNames.UserService && span.Span.Kind == SpanKindProducer
            && span.Span.Name.Contains("realtime:events", StringComparison.Ordinal)), description);
        Assert.True(trace.Any(span => span.Service == ResourceNames.UserService && IsDatabase(span, "redis")
            && span.Span.Name.Contains("PUBLISH", StringComparison.OrdinalIgnoreCase)), description);
        var deliver = Assert.Single(trace, span => span.Service == ResourceNames.RealtimeService && span.Span.Kind == SpanKindConsumer);
        var send = Assert.Single(trace, span => span.Span.Name == "realtime send");
        Assert.Equal(deliver.SpanId, send.ParentSpanId);
    }

    /// <summary>Contract §6's instruments: the service that exports it, name, unit and the dimensions it must carry.</summary>
    public static readonly TheoryData<string, string, string, string[]> Instruments = new()
    {
        // Rate-limit decisions: ASP.NET Core's own meter (policy = tier, result = outcome).
        { ResourceNames.Gateway, "aspnetcore.rate_limiting.requests", "{request}", ["aspnetcore.rate_limiting.policy", "aspnetcore.rate_limiting.result"] },
        { ResourceNames.Gateway, "gateway.encryption.sessions.created", "{session}", [] },
        { ResourceNames.Gateway, "gateway.encryption.jwe.rejections", "{request}", ["gateway.jwe.rejection.reason"] },
        { ResourceNames.IdentityService, "identity.logins", "{login}", ["identity.login.outcome"] },
        { ResourceNames.IdentityService, "identity.password.hash.duration", "s", ["identity.password.operation"] },
        { ResourceNames.IdentityService, "identity.password.hash.queue.length", "{request}", [] },
        { ResourceNames.IdentityService, "identity.password.hash.rejections", "{request}", [] },
        { ResourceNames.IdentityService, "identity.outbox.backlog", "{message}", [] },
        { ResourceNames.IdentityService, "identity.outbox.oldest_pending.age", "s", [] },
        { ResourceNames.IdentityService, "identity.outbox.dead_letters", "{message}", [] },
        { ResourceNames.UserService, "users.profile.cache.lookups", "{lookup}", ["users.cache.result"] },
        { ResourceNames.UserService, "users.events.published", "{event}", ["users.event.outcome"] },
        // Open WebSockets: Kestrel's own upgraded-connection count.
        { ResourceNames.RealtimeService, "kestrel.upgraded_connections", "{connection}", [] },
        { ResourceNames.RealtimeService, "realtime.deliveries", "{message}", ["realtime.message.type"] },
        { ResourceNames.RealtimeService, "realtime.slow_consumer.drops", "{connection}", [] },
        { ResourceNames.RealtimeService, "realtime.websocket.closes", "{connection}", ["websocket.close.code"] },
    };

    [Theory]
    [MemberData(nameof(Instruments))]
    public async Task EachMetricAnSreReadsIsExportedWithItsUnitAndDimensions(string service, string name, string unit, string[] dimensions)
    {
        var scenario = await fixture.Scenario; // moved every one of them

        var exported = await EventuallyExportedAsync(name, service);
        Assert.True(exported.Count > 0, $"{name} was not exported by {service}; it exported: "
            + string.Join(", ", fixture.Receiver.Metrics.Where(metric => metric.Service == service).Select(metric => metric.Metric.Name).Distinct().Order()));
        Assert.All(exported, metric => Assert.Equal(unit, metric.Metric.Unit));
        var points = exported.SelectMany(metric => metric.DataPointAttributes).ToList();
        Assert.NotEmpty(points);
        foreach (var dimension in dimensions)
        {
            Assert.Contains(points, point => point.TryGetValue(dimension, out var value) && value.Length > 0);
        }
        // Bounded dimensions only: no user id, whatever the attribute.
        var userIds = scenario.UserIds.Select(id => id.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.DoesNotContain(points.SelectMany(point => point.Values), userIds.Contains);
    }

    private async Task<IReadOnlyList<ReceivedMetric>> EventuallyExportedAsync(string name, string service)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var exported = fixture.Receiver.Metrics.Where(metric => metric.Metric.Name == name
                && (metric.Service == service || metric.Service.StartsWith(service + "-", StringComparison.Ordinal))).ToList();
            if (exported.Count > 0 || DateTime.UtcNow > deadline)
            {
                return exported;
            }
            await Task.Delay(250);
        }
    }

    [Fact]
    public async Task AnIdleSystemExportsNoTrace()
    {
        await fixture.Scenario;
        await Task.Delay(ExportLag); // the scenario's own spans are in

        var watchedFrom = UnixNanoseconds(DateTimeOffset.UtcNow);
        await Task.Delay(IdleWindow);
        var watchedUntil = UnixNanoseconds(DateTimeOffset.UtcNow);
        await Task.Delay(ExportLag);

        var started = fixture.Receiver.Spans.Where(span => span.Span.StartTimeUnixNano >= watchedFrom && span.Span.StartTimeUnixNano <= watchedUntil).ToList();
        Assert.True(started.Count == 0, $"{started.Count} spans while idle for {IdleWindow}: " + string.Join("\n", started.Take(20).Select(span =>
            $"{span}: {string.Join(", ", span.Span.Attributes.Select(attribute => $"{attribute.Key}={attribute.Value?.ToDisplayString()}"))}")));
    }

    [Fact]
    public async Task NoExportedLogSpanOrMetricHoldsAPasswordTokenOrKey()
    {
        var scenario = await fixture.Scenario;
        await Task.Delay(ExportLag);

        Assert.NotEmpty(fixture.Receiver.Logs);
        Assert.NotEmpty(fixture.Receiver.Metrics);
        var payloads = fixture.Receiver.Payloads.ToList();
        // Every string in an OTLP protobuf payload is its UTF-8 bytes: a search of the raw bytes sees them all.
        var leaked = scenario.Secrets.Distinct()
            .Where(secret => payloads.Any(payload => payload.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)) >= 0))
            .Select(secret => secret[..Math.Min(8, secret.Length)] + "… in " + (fixture.Receiver.Strings()
                .FirstOrDefault(found => found.Value.Contains(secret, StringComparison.Ordinal)).Where ?? "a field this test does not decode"))
            .ToList();
        Assert.True(leaked.Count == 0, "exported telemetry holds: " + string.Join(", ", leaked));
    }

    private static bool IsDatabase(ReceivedSpan span, string system) =>
        span.Attribute("db.system.name") == system || span.Attribute("db.system") == system;

    private static ulong UnixNanoseconds(DateTimeOffset time) => (ulong)(time.ToUnixTimeMilliseconds() * 1_000_000);
}
